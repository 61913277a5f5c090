export { Engine } from "./engine.ts";
export type { Budgets, InjectMeta, InjectResult, LuaContext, NfqueueOptions, RuleMatch, RuleSpec, RuleStats, SimOptions } from "./engine.ts";
export * from "./verdicts.ts";
export * from "./packets.ts";
export { ADDON_PATH } from "./native.ts";
export type { NfqueueStats, StoreStats } from "./native.ts";
/** Rules one `kmod run` takes at most (a mark bit each), and its parser of them. */
export { MAX_RULES } from "./cli/iptables.ts";
export { parseRules } from "./cli/rules.ts";

// netfilter's verdicts and hooks, as the engine and Lua see them.
export const NF_DROP = 0;
export const NF_ACCEPT = 1;
export const NF_STOLEN = 2;
export const NF_QUEUE = 3;
export const NF_REPEAT = 4;
export const XT_CONTINUE = 0xffffffff;

export const VERDICT_NAMES = ["DROP", "ACCEPT", "STOLEN", "QUEUE", "REPEAT", "CONTINUE"] as const;

export function verdictName(verdict: number): string {
  return verdict === XT_CONTINUE ? "CONTINUE" : (VERDICT_NAMES[verdict] ?? `verdict ${verdict}`);
}

export const HOOKS = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"] as const;
export type HookName = (typeof HOOKS)[number];

export function hookNumber(hook: HookName): number {
  const index = HOOKS.indexOf(hook);
  if (index < 0) throw new Error(`unknown hook ${String(hook)} (want one of ${HOOKS.join(", ")})`);
  return index;
}

export const FAIL_VERDICTS = { drop: NF_DROP, accept: NF_ACCEPT } as const;
export type FailVerdict = keyof typeof FAIL_VERDICTS;

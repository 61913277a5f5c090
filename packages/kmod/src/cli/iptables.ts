// The iptables side of `kmod run`: chains of our own in the mangle table
// (one per hook), a jump from each used built-in chain, and one NFQUEUE rule
// per Lua rule. Nothing else of the host is touched; `removeAll` takes back
// whatever a killed run left.
import { execFileSync } from "node:child_process";
import type { HookName } from "../verdicts.ts";

export const TABLE = "mangle";
export const CHAIN_PREFIX = "KCACHE-";
/** Mark bits kmod owns: XT_CONTINUE bits (one per rule) and the mark of packets scripts send. */
export const CONTINUE_MARK = 0x7fff0000;
export const SENT_MARK = 0x80000000;
export const MAX_RULES = 15;

export class IptablesError extends Error {}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

export function continueBit(index: number): number {
  let mask = CONTINUE_MARK;
  for (let i = 0; mask; i++) {
    const bit = mask & -mask;
    if (i === index) return bit >>> 0;
    mask &= mask - 1;
  }
  throw new Error(`no mark bit for rule ${index + 1} (at most ${MAX_RULES} rules)`);
}

function iptables(args: string[]): string {
  try {
    return execFileSync("iptables", ["-w", "-t", TABLE, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const e = error as { stderr?: string; code?: string };
    if (e.code === "ENOENT") throw new IptablesError("iptables not found (run scripts/setup.sh)");
    const message = (e.stderr ?? String(error)).trim().split("\n")[0] ?? "";
    throw new IptablesError(`iptables ${args.join(" ")}: ${message}`);
  }
}

export interface QueuedRule {
  hook: HookName;
  matches: string[];
  queue: number;
  index: number;
  origin: string;
}

export function chainsPresent(): string[] {
  return iptables(["-S"]).split("\n").filter((l) => l.startsWith(`-N ${CHAIN_PREFIX}`)).map((l) => l.slice(3));
}

/** Installs every rule or none: on a failure, what was installed is removed and the error names the rule. */
export function installRules(rules: QueuedRule[]): void {
  const present = chainsPresent();
  if (present.length) {
    throw new IptablesError(`chains ${present.join(", ")} exist: another kmod runs in this network namespace, or a killed run left them (run 'kmod cleanup')`);
  }
  const hooks = [...new Set(rules.map((r) => r.hook))];
  try {
    for (const hook of hooks) iptables(["-N", CHAIN_PREFIX + hook]);
    for (const rule of rules) {
      const bit = hex(continueBit(rule.index));
      try {
        iptables([
          "-A", CHAIN_PREFIX + rule.hook, ...rule.matches,
          "-m", "mark", "!", "--mark", `${bit}/${bit}`,
          "-j", "NFQUEUE", "--queue-num", String(rule.queue), "--queue-bypass",
        ]);
      } catch (error) {
        throw new IptablesError(`${rule.origin}: ${(error as Error).message}`);
      }
    }
    for (const hook of hooks) {
      iptables(["-I", hook, "1", "-m", "mark", "!", "--mark", `${hex(SENT_MARK)}/${hex(SENT_MARK)}`, "-j", CHAIN_PREFIX + hook]);
    }
  } catch (error) {
    removeAll();
    throw error;
  }
}

/** Removes our jumps and chains in this namespace; returns what it removed. */
export function removeAll(): string[] {
  const removed: string[] = [];
  let rules: string[];
  try {
    rules = iptables(["-S"]).split("\n");
  } catch {
    return removed;
  }
  for (const line of rules) {
    const jump = /^-A (\S+) (.*-j (KCACHE-\S+))$/.exec(line);
    if (jump && !jump[1]!.startsWith(CHAIN_PREFIX)) {
      try {
        iptables(["-D", jump[1]!, ...splitRule(jump[2]!)]);
        removed.push(`jump ${jump[1]} -> ${jump[3]}`);
      } catch {
        // Already gone.
      }
    }
  }
  for (const chain of chainsPresent()) {
    iptables(["-F", chain]);
    iptables(["-X", chain]);
    removed.push(`chain ${chain}`);
  }
  return removed;
}

function splitRule(spec: string): string[] {
  return (spec.match(/"[^"]*"|\S+/g) ?? []).map((w) => w.replace(/^"(.*)"$/, "$1"));
}

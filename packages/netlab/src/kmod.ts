// Runs the kmod CLI in a namespace of a lab, the way a user would: `kmod run`
// as a daemon of the lab, ready once its rules are installed.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Daemon, Lab } from "./lab.ts";
import { sleep } from "./proc.ts";
import type { Role } from "./state.ts";

/** The kmod CLI (packages/kmod/bin/kmod). */
export const KMOD_CLI = fileURLToPath(new URL("../../kmod/bin/kmod", import.meta.url));

/** What `kmod stats --json` reports. */
export interface KmodSnapshot {
  rules: { name: string; packets: number; errors: number; luaNs: number; verdicts: Record<string, number> }[];
  queue: {
    received: number; verdicts: number; modified: number; held: number; released: number; sent: number; sendErrors: number;
    /** Packets that came whole as GSO packets, checksums completed before scripts saw them, packets too long to queue whole. */
    gso: number; checksumsCompleted: number; truncated: number; busyPolls: number; busyPollHits: number;
  };
  store: { entries: number; bytes: number; hits: number; misses: number; evictions: number };
}

export interface RunningKmod {
  daemon: Daemon;
  /** kmod's output of this run so far (script errors are logged there). */
  output(): string;
  stats(): Promise<KmodSnapshot>;
  /** `kmod call STATE:FUNCTION[:JSON]`: the function's results. */
  call(spec: string): Promise<unknown[]>;
  /** Stops kmod by PID (it removes its rules). */
  stop(): void;
}

export interface StartKmodOptions {
  /** The namespace (default: the router). */
  on?: Role;
  /** Name of its output file in the run directory (default: kmod-<on>-<n>). */
  what?: string;
  /** How long a loaded machine may take to start it (default 15 s). */
  timeoutMs?: number;
}

let instance = 0;

async function inNamespace(lab: Lab, on: Role, args: string[]): Promise<string> {
  const r = await lab.exec(on, KMOD_CLI, args);
  if (r.code !== 0) throw new Error(`kmod ${args[0]}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Starts `kmod run ARGS`; resolves when its rules are in, throws with kmod's message when it refuses. */
export async function startKmod(lab: Lab, args: readonly string[], options: StartKmodOptions = {}): Promise<RunningKmod> {
  const on = options.on ?? "router";
  const what = options.what ?? `kmod-${on}-${++instance}`;
  // The output file is appended to: read only what this run writes.
  const file = join(lab.dir, `${what}.out`);
  const offset = existsSync(file) ? statSync(file).size : 0;
  const daemon = lab.spawnDaemon(on, KMOD_CLI, ["run", "--stats-interval", "0", ...args], { what });
  const output = () => readFileSync(daemon.outFile).subarray(offset).toString("utf8");
  const running: RunningKmod = {
    daemon,
    output,
    stats: async () => JSON.parse(await inNamespace(lab, on, ["stats", "--json"])) as KmodSnapshot,
    call: async (spec) => JSON.parse(await inNamespace(lab, on, ["call", spec])) as unknown[],
    stop: () => lab.stopDaemon(daemon, 3000),
  };
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    const text = output();
    if (/rule\(s\) on queues/.test(text)) return running;
    if (/^kmod: /m.test(text)) break;
    await sleep(100);
  }
  lab.stopDaemon(daemon);
  throw new Error(`kmod did not start: ${output().trim()}`);
}

/** The rules of kmod's chains in a namespace (empty when none are left). */
export function kcacheRules(lab: Lab, on: Role = "router"): string[] {
  return lab.execSync(on, "iptables", ["-w", "-t", "mangle", "-S"]).split("\n").filter((l) => l.includes("KCACHE"));
}

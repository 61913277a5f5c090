// Runs the kmod CLI in the lab's router, the way a user would, and waits
// until its NFQUEUE rules are installed (the pattern of apps/packet-path).
import { readFileSync } from "node:fs";
import { KMOD_CLI, sleep, type Daemon, type Lab } from "@kcache/netlab";

export interface KmodRuleStats { name: string; packets: number; errors: number; verdicts: Record<string, number> }

export interface RunningKmod {
  daemon: Daemon;
  /** kmod's stdout and stderr so far (script errors are logged there). */
  output(): string;
  rules(): Promise<KmodRuleStats[]>;
  stop(): void;
}

let instance = 0;

export async function startKmod(lab: Lab, args: string[]): Promise<RunningKmod> {
  const daemon = lab.spawnDaemon("router", KMOD_CLI, ["run", "--stats-interval", "0", ...args], { what: `kmod-${++instance}` });
  const output = () => readFileSync(daemon.outFile, "utf8");
  const rules = async (): Promise<KmodRuleStats[]> => {
    const r = await lab.exec("router", KMOD_CLI, ["stats", "--json"]);
    if (r.code !== 0) throw new Error(`kmod stats: ${r.stderr.trim()}`);
    return (JSON.parse(r.stdout) as { rules: KmodRuleStats[] }).rules;
  };
  // kmod starts through tsx: allow a loaded machine 15 s.
  for (let i = 0; i < 150; i++) {
    const text = output();
    if (/rule\(s\) on queues/.test(text)) return { daemon, output, rules, stop: () => lab.stopDaemon(daemon, 3000) };
    if (/^kmod: /m.test(text)) break;
    await sleep(100);
  }
  lab.stopDaemon(daemon);
  throw new Error(`kmod did not start: ${output().trim()}`);
}

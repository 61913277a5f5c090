// Runs the kmod CLI in a namespace of a lab, the way a user would.
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { sleep, type Daemon, type Lab } from "@kcache/netlab";

export const KMOD = fileURLToPath(new URL("../../../packages/kmod/bin/kmod", import.meta.url));

export interface RunningKmod {
  daemon: Daemon;
  output(): string;
  stats(): Promise<KmodStats>;
  stop(): void;
}

export interface KmodStats {
  rules: { name: string; packets: number; errors: number; verdicts: Record<string, number> }[];
  queue: { received: number; verdicts: number; sent: number; held: number; released: number };
}

/** Starts `kmod run ARGS` in the router and waits until its rules are installed. */
export async function startKmod(lab: Lab, args: string[], role: "router" | "client" | "origin" = "router"): Promise<RunningKmod> {
  const daemon = lab.spawnDaemon(role, KMOD, ["run", "--stats-interval", "0", ...args], { what: `kmod-${daemon_counter++}` });
  const output = () => readFileSync(daemon.outFile, "utf8");
  const stats = async (): Promise<KmodStats> => {
    const r = await lab.exec(role, KMOD, ["stats", "--json"]);
    if (r.code !== 0) throw new Error(`kmod stats: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as KmodStats;
  };
  for (let i = 0; i < 100; i++) {
    if (/rule\(s\) on queues/.test(output())) return { daemon, output, stats, stop: () => lab.stopDaemon(daemon, 3000) };
    if (/^kmod: /m.test(output()) && !/rule\(s\)/.test(output())) break;
    await sleep(100);
  }
  lab.stopDaemon(daemon);
  throw new Error(`kmod did not start: ${output().trim()}`);
}

let daemon_counter = 0;

/** The KCACHE rules iptables has in a namespace. */
export function kcacheRules(lab: Lab, role: "router" | "client" | "origin" = "router"): string[] {
  return lab.execSync(role, "iptables", ["-w", "-t", "mangle", "-S"]).split("\n").filter((l) => l.includes("KCACHE"));
}

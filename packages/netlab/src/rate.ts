// Link speed emulation with tc's token bucket filter (tbf), which this
// kernel has (netem it has not: delay and loss are made by the engine).
import type { Lab } from "./lab.ts";
import type { Role } from "./state.ts";

export interface RateOptions {
  /** Rate in Mbit/s (e.g. 100 for the thesis' links). */
  mbit: number;
  /** Bucket size in bytes (default: enough for 1 ms at the rate, at least 16 KiB). */
  burstBytes?: number;
  /** How long a packet may wait in the queue before it is dropped (default 50 ms). */
  latencyMs?: number;
}

/** Limits the egress rate of an interface of the lab (replaces an earlier limit). */
export function limitRate(lab: Lab, on: Role, iface: string, opts: RateOptions): void {
  if (!(opts.mbit > 0)) throw new Error(`netlab: bad rate ${opts.mbit} Mbit/s`);
  const burst = opts.burstBytes ?? Math.max(16 * 1024, Math.ceil((opts.mbit * 1e6) / 8 / 1000));
  lab.execSync(on, "tc", ["qdisc", "replace", "dev", iface, "root", "tbf", "rate", `${opts.mbit}mbit`, "burst", String(burst), "latency", `${opts.latencyMs ?? 50}ms`]);
}

/** Removes a rate limit set with limitRate. */
export function clearRate(lab: Lab, on: Role, iface: string): void {
  lab.execSync(on, "tc", ["qdisc", "del", "dev", iface, "root"]);
}

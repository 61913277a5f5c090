// The Node side of the netem bundle (lua/netem.ts, built to dist/netem.lua):
// where the bundle is, typed calls of its configure/stats for a host that
// loaded it into an engine state (Engine from @kcache/kmod, or anything with
// the same `call`), and `startNetem`, which runs it on a lab's router-origin
// link with the kmod CLI (root).
import { fileURLToPath } from "node:url";
import type { Lab } from "./lab.ts";
import { startKmod, type RunningKmod } from "./kmod.ts";
import type { NetemConfig, NetemStats } from "../lua/types.ts";

export type { NetemConfig, NetemStats };

/** The netem bundle, built by `npx nx run netlab:build`. */
export const NETEM_BUNDLE = fileURLToPath(new URL("../dist/netem.lua", import.meta.url));

/** What `configure` takes: every field optional (left out: its default). Integers only. */
export interface NetemOptions {
  /** Added delay, ms (0..1,000,000; default 20). */
  delay_ms?: number;
  /** Uniform ± jitter around the delay, ms (0..1,000,000; default 0). Drawn in µs steps; a delay never goes below 0. */
  jitter_ms?: number;
  /** Loss in thousandths (0..1000; default 0). */
  loss_permille?: number;
  /** Loss in hundredths (0..100): the same as loss_permille 10 n. Give one of the two. */
  loss_percent?: number;
  /** Let a packet overtake an earlier one of the same direction (default false: FIFO per direction). */
  reorder?: boolean;
  /** Most packets held at once; more are dropped as overflow (1..1,000,000; default 10,000). */
  limit?: number;
  /** Seed of netem's own generator (deterministic on any backend); absent: kmod.random32. */
  seed?: number;
}

/** Anything that calls a function of a loaded bundle, like `Engine.call` of @kcache/kmod. */
export interface LuaCaller {
  call(state: number, name: string, args?: unknown[]): unknown[];
}

/** Sets the netem configuration of engine state `state`; throws `netem: ...` on a bad one. */
export function configureNetem(engine: LuaCaller, options: NetemOptions = {}, state = 0): NetemConfig {
  return engine.call(state, "configure", [options])[0] as NetemConfig;
}

export function netemStats(engine: LuaCaller, state = 0): NetemStats {
  return engine.call(state, "stats")[0] as NetemStats;
}

// ---- on a lab's real packet path (the kmod CLI in the router) -------------

let netemRuns = 0;

export interface NetemLinkOptions extends NetemOptions {
  /** Which way of the router-origin link: both (default), towards the origin, or from it. */
  ways?: "both" | "to-origin" | "from-origin";
  /** Also the router's own traffic with the origin (OUTPUT/INPUT rules), e.g. a proxy's fetches (default true). */
  routerTraffic?: boolean;
  /** iptables matches added to every rule, e.g. ["-p", "udp", "--dport", "9000"]. */
  match?: readonly string[];
}

/**
 * The `kmod run` arguments that send the router-origin link's packets
 * through netem: `--segment-gso`, `--call 0:configure:{...}` and one `-A CHAIN -o/-i IFACE
 * ... -j LUA --script NETEM_BUNDLE` rule per chain and way, all on state 0
 * (one configuration; each direction is its own FIFO).
 */
export function netemKmodArgs(originSideIface: string, options: NetemLinkOptions = {}): string[] {
  const { ways = "both", routerTraffic = true, match = [], ...config } = options;
  if (!["both", "to-origin", "from-origin"].includes(ways)) throw new Error(`netem: ways must be both, to-origin or from-origin, got ${String(ways)}`);
  const rule = (chain: string, dir: "-o" | "-i") => ["-A", chain, dir, originSideIface, ...match, "-j", "LUA", "--script", NETEM_BUNDLE];
  const rules: string[][] = [];
  if (ways !== "from-origin") rules.push(rule("FORWARD", "-o"), ...(routerTraffic ? [rule("OUTPUT", "-o")] : []));
  if (ways !== "to-origin") rules.push(rule("FORWARD", "-i"), ...(routerTraffic ? [rule("INPUT", "-i")] : []));
  // Loss and delay apply to packets as the wire carries them, not to 64 KiB GSO packets.
  return ["--segment-gso", "--call", `0:configure:${JSON.stringify(config)}`, ...rules.flat()];
}

/**
 * Runs netem on the router-origin link of a lab: `kmod run` in the router
 * with the rules of `netemKmodArgs`. Resolves once the rules are installed;
 * throws with kmod's message when it refuses (e.g. a bad configuration).
 * Needs root, the built bundle and kmod's native build.
 */
export async function startNetem(lab: Lab, options: NetemLinkOptions = {}, what = `netem-${++netemRuns}`): Promise<RunningKmod> {
  try {
    return await startKmod(lab, netemKmodArgs(lab.ifaces.routerOriginSide, options), { what });
  } catch (error) {
    throw new Error(`netem: ${(error as Error).message}`);
  }
}

// Node side (never in the bundle): the kmod command lines that put the TFTP
// cache (and, for demos and benchmarks, an engine-made delay towards the
// origin) on a netlab router, started with the kmod CLI (netlab's startKmod).
import { fileURLToPath } from "node:url";
import { NETEM_BUNDLE, startKmod, type Lab, type RunningKmod } from "@kcache/netlab";

export const TFTP_CACHE_BUNDLE = fileURLToPath(new URL("../dist/tftp-cache.lua", import.meta.url));
/** A script that accepts every packet: the engine's pass-through cost without the cache. */
export const ACCEPT_SCRIPT = fileURLToPath(new URL("./accept.lua", import.meta.url));

/** What runs at FORWARD for UDP: the cache (with its settings), an accepting script, or nothing. */
export type ForwardScript = { cache: Record<string, unknown> } | "accept" | "none";

export interface RouterSetup {
  forward: ForwardScript;
  /** Delay each way on the router-origin link, made by netlab's netem bundle (0: no delay rules). */
  delayMs?: number;
  /** The cache bundle to run (default TFTP_CACHE_BUNDLE; a copy keeps a long run independent of rebuilds). */
  cacheScript?: string;
  /** More `kmod run` options, e.g. ["--store-budget", "1073741824"]. */
  kmodOptions?: string[];
  /** The netem bundle to run (default netlab's NETEM_BUNDLE; a copy keeps a long run independent of rebuilds). */
  netemScript?: string;
  /** iptables matches that exclude packets from the delay, towards the origin and from it (e.g. a filler client's address). */
  undelayed?: { toOrigin: string[]; fromOrigin: string[] };
}

/**
 * The `kmod run` arguments of a setup. The delay sits at PREROUTING (from the
 * origin) and POSTROUTING (towards it), so the cache at FORWARD sees every
 * packet after the delay on its way in and before it on its way out: one
 * NF_ACCEPT ends a packet's walk through a chain, so both scripts in FORWARD
 * would not each see it.
 */
export function routerKmodArgs(originSideIface: string, setup: RouterSetup): string[] {
  const calls: string[] = [...(setup.kmodOptions ?? [])];
  const rules: string[] = [];
  const delay = setup.delayMs ?? 0;
  if (delay > 0) {
    const netem = ["-j", "LUA", "--script", setup.netemScript ?? NETEM_BUNDLE, "--state", "1"];
    calls.push("--call", `1:configure:${JSON.stringify({ delay_ms: delay })}`);
    rules.push("-A", "PREROUTING", "-i", originSideIface, ...(setup.undelayed?.fromOrigin ?? []), ...netem);
    rules.push("-A", "POSTROUTING", "-o", originSideIface, ...(setup.undelayed?.toOrigin ?? []), ...netem);
  }
  if (setup.forward === "accept") rules.push("-A", "FORWARD", "-p", "udp", "-j", "LUA", "--script", ACCEPT_SCRIPT);
  else if (setup.forward !== "none") {
    calls.push("--call", `0:configure:${JSON.stringify(setup.forward.cache)}`);
    rules.push("-A", "FORWARD", "-p", "udp", "-j", "LUA", "--script", setup.cacheScript ?? TFTP_CACHE_BUNDLE);
  }
  if (rules.length === 0) return [];
  return [...calls, ...rules]; // options first: kmod reads everything after the first -A as rules
}

export type RunningRouter = RunningKmod & { args: string[] };

/** Starts `kmod run` in the lab's router with a setup (netlab's startKmod); resolves once its rules are installed. */
export async function startRouter(lab: Lab, setup: RouterSetup, what?: string): Promise<RunningRouter | undefined> {
  const args = routerKmodArgs(lab.ifaces.routerOriginSide, setup);
  if (args.length === 0) return undefined;
  return { ...(await startKmod(lab, args, { what })), args };
}

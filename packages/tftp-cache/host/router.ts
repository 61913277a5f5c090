// Node side (never in the bundle): the kmod command lines that put the TFTP
// cache (and, for demos and benchmarks, an engine-made delay towards the
// origin) on a netlab router, started with the kmod CLI (netlab's startKmod).
import { fileURLToPath } from "node:url";
import { MAX_RULES, parseRules } from "@kcache/kmod";
import { NETEM_BUNDLE, startKmod, type Lab, type RunningKmod } from "@kcache/netlab";

export const TFTP_CACHE_BUNDLE = fileURLToPath(new URL("../dist/tftp-cache.lua", import.meta.url));
/** A script that accepts every packet: the engine's pass-through cost without the cache. */
export const ACCEPT_SCRIPT = fileURLToPath(new URL("./accept.lua", import.meta.url));

/** What runs at FORWARD for UDP: the cache (with its settings), an accepting script, or nothing. */
export type ForwardScript = { cache: Record<string, unknown> } | "accept" | "none";

/** A script at FORWARD for the UDP of some client addresses only, both ways (to them and from them). */
export interface ScriptForClients {
  script: Exclude<ForwardScript, "none">;
  clients: string[];
}

export interface RouterSetup {
  /**
   * One script for all forwarded UDP, or scripts by client address: a
   * benchmark can then time the columns of one engine in turn, each client
   * address reaching the origin through its own script or none.
   */
  forward: ForwardScript | ScriptForClients[];
  /** Delay each way on the router-origin link, made by netlab's netem bundle (0: no delay rules). */
  delayMs?: number;
  /** Or delays for some client addresses only (their packets to the origin and the origin's to them); others go undelayed. */
  delaysByClient?: { delayMs: number; clients: string[] }[];
  /** The cache bundle to run (default TFTP_CACHE_BUNDLE; a copy keeps a long run independent of rebuilds). */
  cacheScript?: string;
  /** More `kmod run` options, e.g. ["--store-budget", "1073741824"]. */
  kmodOptions?: string[];
  /** The netem bundle to run (default netlab's NETEM_BUNDLE; a copy keeps a long run independent of rebuilds). */
  netemScript?: string;
}

/**
 * The `kmod run` arguments of a setup. The delay sits at PREROUTING (from the
 * origin) and POSTROUTING (towards it), so the cache at FORWARD sees every
 * packet after the delay on its way in and before it on its way out: one
 * NF_ACCEPT ends a packet's walk through a chain, so both scripts in FORWARD
 * would not each see it.
 */
export function routerKmodArgs(originSideIface: string, setup: RouterSetup): string[] {
  if (setup.delayMs !== undefined && setup.delaysByClient !== undefined) throw new Error("router setup: delayMs or delaysByClient, not both");
  if (Array.isArray(setup.forward) && setup.forward.filter(({ script }) => script !== "accept").length > 1) {
    throw new Error("router setup: one cache (one state, one configuration)");
  }
  const calls: string[] = [...(setup.kmodOptions ?? [])];
  const rules: string[] = [];
  const delays = setup.delaysByClient ?? (setup.delayMs ? [{ delayMs: setup.delayMs, clients: [] }] : []);
  delays.filter((d) => d.delayMs > 0).forEach(({ delayMs, clients }, index) => {
    // One netem state per delay (from 10 on); without clients, the delay applies to every packet on the link.
    const state = 10 + index;
    const netem = ["-j", "LUA", "--script", setup.netemScript ?? NETEM_BUNDLE, "--state", String(state)];
    calls.push("--call", `${state}:configure:${JSON.stringify({ delay_ms: delayMs })}`);
    for (const client of clients.length ? clients : [undefined]) {
      rules.push("-A", "PREROUTING", "-i", originSideIface, ...(client ? ["-d", client] : []), ...netem);
      rules.push("-A", "POSTROUTING", "-o", originSideIface, ...(client ? ["-s", client] : []), ...netem);
    }
  });
  const scripts = Array.isArray(setup.forward)
    ? setup.forward.map(({ script, clients }) => ({ script, matches: clients.flatMap((a) => [["-s", a], ["-d", a]]) }))
    : setup.forward === "none" ? [] : [{ script: setup.forward, matches: [[]] }];
  for (const { script, matches } of scripts) {
    // The cache in state 0 (its --call target), the accepting script in a state of its own.
    const target = script === "accept"
      ? ["-j", "LUA", "--script", ACCEPT_SCRIPT, "--state", "2"]
      : ["-j", "LUA", "--script", setup.cacheScript ?? TFTP_CACHE_BUNDLE, "--state", "0"];
    if (script !== "accept") calls.push("--call", `0:configure:${JSON.stringify(script.cache)}`);
    for (const match of matches) rules.push("-A", "FORWARD", "-p", "udp", ...match, ...target);
  }
  const count = parseRules(rules).length;
  if (count > MAX_RULES) throw new Error(`router setup: ${count} rules, kmod takes at most ${MAX_RULES}`);
  if (count === 0) return [];
  return [...calls, ...rules]; // options first: kmod reads everything after the first -A as rules
}

export type RunningRouter = RunningKmod & { args: string[] };

/** Starts `kmod run` in the lab's router with a setup (netlab's startKmod); resolves once its rules are installed. */
export async function startRouter(lab: Lab, setup: RouterSetup, what?: string): Promise<RunningRouter | undefined> {
  const args = routerKmodArgs(lab.ifaces.routerOriginSide, setup);
  if (args.length === 0) return undefined;
  return { ...(await startKmod(lab, args, { what })), args };
}

// The NAT of the thesis' Figure 4.1 on the lab's topology, two ways: the
// thesis' Listing 4.1 run by kmod (-j LUA), and Linux's own SNAT/DNAT targets.
//
//   client 198.18.1.2 ── 198.18.1.1 router 198.18.2.1 ── 198.18.2.2 origin
//   (private host)                   (public address)     (public side)
//
// As in the thesis (Figure 4.1), the client is the private host behind the
// router and the router's origin-side address is its public address. Both
// rules sit on the public interface:
// SNAT on POSTROUTING gives what the client sends the router's public address
// as source, so the origin sees the router, never the client; DNAT on
// PREROUTING sends what arrives for the public address on to the client. The
// origin has no route to the client's subnet (privateClientSubnet), so
// nothing gets through untranslated: every measured byte went through the NAT.
import { fileURLToPath } from "node:url";
import { ADDR, startKmod, type Lab } from "@kcache/netlab";

/** Listing 4.1 with the lab's addresses. */
export const NAT_SCRIPT = fileURLToPath(new URL("../scripts/nat.lua", import.meta.url));
/** lua-std's bundle: the PacketScript API the listing is written against. */
export const LUA_STD_BUNDLE = fileURLToPath(new URL("../../../packages/lua-std/dist/lua-std.lua", import.meta.url));

/** The thesis' addresses and the lab's that replace them in NAT_SCRIPT. */
export const NAT_ADDR = { privateHost: ADDR.client, publicAddress: ADDR.routerOriginSide, peer: ADDR.origin } as const;

export type NatMode = "linux" | "kcache";
export const NAT_MODES: readonly NatMode[] = ["linux", "kcache"];
export const NAT_LABEL: Record<NatMode, string> = { linux: "Linux SNAT/DNAT", kcache: "kcache Listing 4.1" };

/**
 * kcache's rules see every packet of their direction; Linux's nat targets
 * only the first packet of a connection (conntrack translates the rest), so
 * its DNAT rule counts only connections opened from the origin's side.
 */
export interface NatCounts { snat: number; dnat: number; errors: number }

export interface RunningNat {
  mode: NatMode;
  /** Packets the SNAT and DNAT rules handled, and script errors (kmod's stats, or iptables' counters). */
  counts(): Promise<NatCounts>;
  stop(): void;
}

/** Removes the origin's default route: the client's subnet becomes private, reachable only through the NAT. */
export function privateClientSubnet(lab: Lab): void {
  lab.execSync("origin", "ip", ["route", "del", "default"]);
}

/** The matches of the two rules, the same for both NATs (the thesis' `-o eth1` / `-i eth1`). */
function snatMatch(lab: Lab): string[] {
  return ["-o", lab.ifaces.routerOriginSide, "-s", NAT_ADDR.privateHost];
}
function dnatMatch(lab: Lab): string[] {
  return ["-i", lab.ifaces.routerOriginSide, "-d", NAT_ADDR.publicAddress];
}

/** The kmod command line, as a user types it in the router (after `kmod run`). */
export function kcacheNatArgs(lab: Lab): string[] {
  return [
    "--load", `0:${LUA_STD_BUNDLE}`, "--call", "0:packetscript_link_layer:true",
    "-A", "POSTROUTING", ...snatMatch(lab), "-j", "LUA", "--script", NAT_SCRIPT, "--function", "process_packet_snat",
    "-A", "PREROUTING", ...dnatMatch(lab), "-j", "LUA", "--script", NAT_SCRIPT, "--function", "process_packet_dnat",
  ];
}

/** The iptables rules of Linux's NAT (each after `iptables -t nat -A`). */
export function linuxNatRules(lab: Lab): string[][] {
  return [
    ["POSTROUTING", ...snatMatch(lab), "-j", "SNAT", "--to-source", NAT_ADDR.publicAddress],
    ["PREROUTING", ...dnatMatch(lab), "-j", "DNAT", "--to-destination", NAT_ADDR.privateHost],
  ];
}

export async function startNat(lab: Lab, mode: NatMode): Promise<RunningNat> {
  if (mode === "kcache") {
    const kmod = await startKmod(lab, ["--quiet", ...kcacheNatArgs(lab)]);
    const counts = async (): Promise<NatCounts> => {
      const { rules } = await kmod.stats();
      const packets = (hook: string) => rules.filter((r) => r.name.includes(`(${hook} `)).reduce((n, r) => n + r.packets, 0);
      return { snat: packets("POSTROUTING"), dnat: packets("PREROUTING"), errors: rules.reduce((n, r) => n + r.errors, 0) };
    };
    return { mode, counts, stop: () => kmod.stop() };
  }
  const rules = linuxNatRules(lab);
  for (const rule of rules) lab.execSync("router", "iptables", ["-w", "-t", "nat", "-A", ...rule]);
  // Connections tracked before (or by the other NAT) would keep their old translation.
  lab.execSync("router", "conntrack", ["-F"]);
  return {
    mode,
    counts: async () => linuxNatCounts(lab),
    stop: () => {
      for (const rule of rules) lab.execSync("router", "iptables", ["-w", "-t", "nat", "-D", ...rule]);
      lab.execSync("router", "conntrack", ["-F"]);
    },
  };
}

/** Packets that hit the SNAT and DNAT targets. */
function linuxNatCounts(lab: Lab): NatCounts {
  const text = lab.execSync("router", "iptables", ["-w", "-t", "nat", "-L", "-n", "-v", "-x"]);
  const counts: NatCounts = { snat: 0, dnat: 0, errors: 0 };
  for (const m of text.matchAll(/^\s*(\d+)\s+\d+\s+(SNAT|DNAT)\b/gm)) counts[m[2] === "SNAT" ? "snat" : "dnat"] += Number(m[1]);
  return counts;
}

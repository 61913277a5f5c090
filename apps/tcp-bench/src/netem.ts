// Engine-made loss and delay at one end host (netlab's netem bundle in a
// kmod of the client's or the origin's namespace). On the router it could
// not touch the stack's segments: kmod's chains skip the packets scripts
// send, and only one kmod runs per namespace. GSO packets are cut to MTU
// size before netem sees them, so loss is per segment as on a real link.
import { ADDR, NETEM_BUNDLE, type Lab } from "@kcache/netlab";
import { startKmod, type RunningKmod } from "@kcache/netlab";

export interface Impairment {
  loss_percent?: number;
  delay_ms?: number;
}

/**
 * Netem on the client, on its TCP with the router's own address, both ways:
 * the tcp-stack server and nginx on the router are impaired alike.
 */
export function startClientNetem(lab: Lab, impairment: Impairment): Promise<RunningKmod> {
  const rule = (chain: string, matches: string[]) => ["-A", chain, "-p", "tcp", ...matches, "-j", "LUA", "--script", NETEM_BUNDLE];
  return startKmod(lab, [
    "--segment-gso",
    "--call", `0:configure:${JSON.stringify({ delay_ms: 0, ...impairment })}`,
    ...rule("OUTPUT", ["-d", ADDR.routerClientSide]),
    ...rule("INPUT", ["-s", ADDR.routerClientSide]),
  ], { on: "client" });
}

/** Netem on the origin, on nginx's TCP (port 80) with the router, both ways. */
export function startOriginNetem(lab: Lab, impairment: Impairment): Promise<RunningKmod> {
  const rule = (chain: string, matches: string[]) => ["-A", chain, "-p", "tcp", ...matches, "-j", "LUA", "--script", NETEM_BUNDLE];
  return startKmod(lab, [
    "--segment-gso",
    "--call", `0:configure:${JSON.stringify({ delay_ms: 0, ...impairment })}`,
    ...rule("INPUT", ["-s", ADDR.routerOriginSide, "--dport", "80"]),
    ...rule("OUTPUT", ["-d", ADDR.routerOriginSide, "--sport", "80"]),
  ], { on: "origin" });
}

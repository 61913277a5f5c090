// The kmod command lines of host/router.ts: what the tests, the demo and the
// benchmark run on the router.
import { describe, expect, it } from "vitest";
import { ACCEPT_SCRIPT, TFTP_CACHE_BUNDLE, routerKmodArgs } from "../host/router.ts";

const CACHE = ["-j", "LUA", "--script", TFTP_CACHE_BUNDLE, "--state", "0"];
const ACCEPT = ["-j", "LUA", "--script", ACCEPT_SCRIPT, "--state", "2"];
const netem = (state: number) => ["-j", "LUA", "--script", "netem.lua", "--state", String(state)];

describe("routerKmodArgs", () => {
  it("runs nothing without a script or a delay", () => {
    expect(routerKmodArgs("ro", { forward: "none" })).toEqual([]);
  });

  it("puts the cache on all forwarded UDP, configured through --call before the rules", () => {
    expect(routerKmodArgs("ro", { forward: { cache: { ttl_ms: 5 } }, kmodOptions: ["--busy-poll", "50"] })).toEqual([
      "--busy-poll", "50", "--call", '0:configure:{"ttl_ms":5}', "-A", "FORWARD", "-p", "udp", ...CACHE,
    ]);
  });

  it("delays every packet on the origin-side link, after it arrives and before it leaves", () => {
    expect(routerKmodArgs("ro", { forward: "none", delayMs: 20, netemScript: "netem.lua" })).toEqual([
      "--call", '10:configure:{"delay_ms":20}',
      "-A", "PREROUTING", "-i", "ro", ...netem(10), "-A", "POSTROUTING", "-o", "ro", ...netem(10),
    ]);
  });

  it("picks scripts and delays by client address, both ways, one netem state per delay", () => {
    const args = routerKmodArgs("ro", {
      forward: [{ script: { cache: {} }, clients: ["198.18.1.3", "198.18.1.18"] }, { script: "accept", clients: ["198.18.1.21"] }],
      delaysByClient: [{ delayMs: 0, clients: ["198.18.1.16/29"] }, { delayMs: 20, clients: ["198.18.1.24/29"] }],
      netemScript: "netem.lua",
    });
    expect(args).toEqual([
      "--call", '10:configure:{"delay_ms":20}', "--call", "0:configure:{}",
      "-A", "PREROUTING", "-i", "ro", "-d", "198.18.1.24/29", ...netem(10),
      "-A", "POSTROUTING", "-o", "ro", "-s", "198.18.1.24/29", ...netem(10),
      "-A", "FORWARD", "-p", "udp", "-s", "198.18.1.3", ...CACHE, "-A", "FORWARD", "-p", "udp", "-d", "198.18.1.3", ...CACHE,
      "-A", "FORWARD", "-p", "udp", "-s", "198.18.1.18", ...CACHE, "-A", "FORWARD", "-p", "udp", "-d", "198.18.1.18", ...CACHE,
      "-A", "FORWARD", "-p", "udp", "-s", "198.18.1.21", ...ACCEPT, "-A", "FORWARD", "-p", "udp", "-d", "198.18.1.21", ...ACCEPT,
    ]);
  });

  it("refuses setups kmod would refuse or mishandle", () => {
    const clients = Array.from({ length: 8 }, (_, i) => `198.18.1.${16 + i}`);
    expect(() => routerKmodArgs("ro", { forward: [{ script: "accept", clients }] })).toThrow("16 rules, kmod takes at most 15");
    expect(() => routerKmodArgs("ro", { forward: [{ script: { cache: {} }, clients: ["a"] }, { script: { cache: { ttl_ms: 1 } }, clients: ["b"] }] }))
      .toThrow("one cache");
    expect(() => routerKmodArgs("ro", { forward: "none", delayMs: 20, delaysByClient: [] })).toThrow("not both");
  });
});

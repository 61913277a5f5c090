// What runs anywhere: the NAT script is the thesis' Listing 4.1 with only its
// addresses replaced, and the NetPIPE figures are read as NPtcp writes them.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { NAT_ADDR, NAT_SCRIPT } from "../src/nat.ts";
import { parseNetpipeOutput } from "../src/netpipe.ts";
import { largeBlockMbps, linkLabel, smallBlockRttUs } from "../src/figures.ts";

const LISTING = fileURLToPath(new URL("../../../packages/lua-std/test/listings/listing-4.1.lua", import.meta.url));
const code = (text: string) => text.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("--"));

describe("the NAT script", () => {
  it("is Listing 4.1 line for line, with the SNAT address -> the router's public address and the DNAT address -> the client", () => {
    const listing = code(readFileSync(LISTING, "utf8")).map((l) =>
      l.replace(/saddr\(\):set\("[\d.]+"\)/, `saddr():set("${NAT_ADDR.publicAddress}")`)
        .replace(/daddr\(\):set\("[\d.]+"\)/, `daddr():set("${NAT_ADDR.privateHost}")`));
    expect(listing.join("\n")).toContain(NAT_ADDR.publicAddress);
    expect(code(readFileSync(NAT_SCRIPT, "utf8"))).toEqual(listing);
  });

  it("sends real traffic to 198.18.0.0/15 only", () => {
    for (const a of Object.values(NAT_ADDR)) expect(a).toMatch(/^198\.1[89]\./);
  });
});

describe("NetPIPE's figures", () => {
  // The first and last lines of an NPtcp -o file of this machine (bytes, Mbit/s, seconds per block).
  const sample = [
    "       1 0.663212   0.00001150",
    "       2 1.338212   0.00001140",
    "      64 41.478481   0.00001177",
    "      96 64.981491   0.00001127",
    "  524288 22256.115146   0.00017973",
    "  786432 17843.989151   0.00033625",
    " 1048576 18509.981658   0.00043220",
  ].join("\n");

  it("reads bytes, Mbit/s and the time per block in µs", () => {
    const points = parseNetpipeOutput(sample);
    expect(points).toHaveLength(7);
    expect(points[0]).toEqual({ bytes: 1, mbps: 0.663212, oneWayUs: expect.closeTo(11.5, 6) });
    expect(() => parseNetpipeOutput("")).toThrow(/no measurements/);
  });

  it("large blocks are the top sixteenth of sizes; the round trip is twice NetPIPE's time of blocks up to 64 bytes", () => {
    const points = parseNetpipeOutput(sample);
    expect(largeBlockMbps(points)).toBeCloseTo((22256.115146 + 17843.989151 + 18509.981658) / 3, 3);
    expect(smallBlockRttUs(points)).toBeCloseTo(2 * 11.5, 3);
  });

  it("names links", () => {
    expect([linkLabel(100), linkLabel(1000), linkLabel(0)]).toEqual(["100 Mbit/s", "1 Gbit/s", "unshaped"]);
  });
});

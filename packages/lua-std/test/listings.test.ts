// The thesis' Listings 3.1-3.8 and 4.1, typed in unchanged (test/listings),
// run in the sim backend after lua-std, doing what the thesis says.
import { afterEach, describe, expect, it } from "vitest";
import type { Engine } from "@kcache/kmod";
import { NF_ACCEPT } from "@kcache/kmod";
import { LISTING_4_1 } from "./fixtures/listing-4.1-addresses.ts";
import { LISTINGS, bin, frame, ipAt, ipChecksumOk, lua, packet, stdEngine, transportChecksumOk } from "./helpers.ts";

let engine: Engine | undefined;
afterEach(() => {
  engine?.close();
  engine = undefined;
});

/** An engine with lua-std, the link-layer presentation and `listing` as a PREROUTING rule. */
function withListing(listing: string, options: { smac?: string; dmac?: string; fn?: string } = {}): Engine {
  const e = stdEngine({ linkLayer: true, smac: options.smac, dmac: options.dmac });
  engine = e;
  e.insertRule({ hook: "PREROUTING", script: `${LISTINGS}/${listing}`, function: options.fn, state: 0 });
  return e;
}

function probe(e: Engine, name: string): unknown[] {
  return e.call(0, "probe", [name]);
}

const SMAC = "01:23:45:67:89:AB";
const SMAC_BYTES = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab];
const UDP = packet("tftp_rrq");

describe("Listing 3.1: segmenting the Ethernet header with raw", () => {
  it("makes 6-, 6- and 2-byte segments at offsets 0, 6 and 12 of the presented frame", () => {
    const e = withListing("listing-3.1.lua", { smac: SMAC, dmac: "02:00:00:00:00:01" });
    expect(e.inject("PREROUTING", UDP).verdict).toBe(NF_ACCEPT);
    expect(probe(e, "dmac").slice(0, 4)).toEqual(["segment", 0, 6, "\x02\0\0\0\0\x01"]);
    expect(probe(e, "smac").slice(0, 3)).toEqual(["segment", 6, 6]);
    expect([...bin(probe(e, "smac")[3])]).toEqual(SMAC_BYTES);
    // The global `type` the listing assigns is the EtherType segment (0x0800).
    expect(probe(e, "type").slice(0, 4)).toEqual(["segment", 12, 2, "\x08\x00"]);
  });
});

describe("Listing 3.2: get() gives a 0-indexed byte array", () => {
  it("reads the six bytes of dmac", () => {
    const e = withListing("listing-3.2.lua", { dmac: SMAC });
    expect(e.inject("PREROUTING", UDP).verdict).toBe(NF_ACCEPT);
    const bytes = ["byte1", "byte2", "byte3", "byte4", "byte5", "byte6"].map((name) => probe(e, name)[1]);
    expect(bytes).toEqual(SMAC_BYTES);
    expect(probe(e, "val")).toEqual(["bytes", "\x01\x23\x45\x67\x89\xab", 6]);
  });
});

describe("Listing 3.3: set(byte) fills a segment", () => {
  it("sets every byte of dmac to 0xFF", () => {
    const e = withListing("listing-3.3.lua");
    e.inject("PREROUTING", UDP);
    expect(probe(e, "dmac")[3]).toBe("\xff".repeat(6));
  });
});

describe("Listing 3.4: setting single bytes through 1-byte segments", () => {
  it("leaves dmac FF:00:FF:FF:FF:FF", () => {
    const e = withListing("listing-3.4.lua");
    e.inject("PREROUTING", UDP);
    expect([...bin(probe(e, "dmac")[3])]).toEqual([0xff, 0x00, 0xff, 0xff, 0xff, 0xff]);
    expect(probe(e, "byte2").slice(0, 3)).toEqual(["segment", 1, 1]);
  });
});

describe("Listing 3.5: the raw factory makes an Ethernet object", () => {
  it("gives a packet_eth segment of 14 bytes at offset 0", () => {
    const e = withListing("listing-3.5.lua");
    e.inject("PREROUTING", UDP);
    const [kind, offset, size, , text] = probe(e, "eth");
    expect([kind, offset, size, text]).toEqual(["segment", 0, 14, "type: packet_eth, offset: 0, length: 14"]);
  });
});

describe("Listing 3.6: MAC address translation with packet_eth", () => {
  it("sets dmac to FF:FF:FF:FF:FF:FF when smac is 01:23:45:67:89:AB", () => {
    const e = withListing("listing-3.6.lua", { smac: SMAC });
    e.inject("PREROUTING", UDP);
    expect(probe(e, "dmac")[3]).toBe("\xff".repeat(6));
    expect(lua(e, "return smac:get(), dmac:get()")).toEqual([SMAC, "FF:FF:FF:FF:FF:FF"]);
  });

  it("leaves dmac alone for another smac", () => {
    const e = withListing("listing-3.6.lua", { smac: "02:00:00:00:00:02" });
    e.inject("PREROUTING", UDP);
    expect(lua(e, "return dmac:get()")).toEqual(["00:00:00:00:00:00"]);
  });
});

describe("Listing 3.7: the IP header of an Ethernet frame", () => {
  it("reads saddr and daddr as text", () => {
    const e = withListing("listing-3.7.lua");
    const p = packet("http_request");
    e.inject("PREROUTING", p);
    expect(probe(e, "saddr")).toEqual(["string", "127.0.0.1"]);
    expect(probe(e, "daddr")).toEqual(["string", "127.0.0.1"]);
    expect(lua(e, "return ip:get_offset(), ip:get_size()")).toEqual([14, p.length]);
    // The packet got its verdict: the segment's bytes are gone, and touching them is a Lua error, not a crash.
    expect(() => probe(e, "ip")).toThrow(/released/);
  });

  it("gets false from eth:data(packet_ip) when the EtherType is not IPv4 (policy)", () => {
    const e = withListing("listing-3.7.lua");
    // An IPv6-looking packet: the presented header says 0x86DD.
    const v6 = Buffer.alloc(40);
    v6[0] = 0x60;
    const result = e.inject("PREROUTING", v6);
    expect(result.verdict).toBe(0); // the listing indexes `false`: a Lua error, the rule's fail verdict (drop)
    expect(e.takeLogs().join("\n")).toMatch(/attempt to index a boolean value/);
  });
});

describe("Listing 3.8: a dynamic protocol buffer (VLAN-aware Ethernet)", () => {
  // The listing registers a buffer and defines no hook: it is loaded into the state like a bundle.
  const withListing = (listing: string): Engine => {
    const e = stdEngine();
    engine = e;
    e.loadScript(0, `${LISTINGS}/${listing}`);
    return e;
  };
  // A captured frame, and the same frame with an 802.1Q tag (VLAN 5) after smac.
  const plain = frame("tftp_rrq");
  const tagged = Buffer.concat([plain.subarray(0, 12), Buffer.from([0x81, 0x00, 0x00, 0x05]), plain.subarray(12)]);
  const read = `local f = bytes.to_packet(..., packet_eth_dyn)
    local ip = f:data(packet_ip)
    return f:type():get_offset(), f:type():get():string(), f:data():get_offset(), f:data():get_size(),
      f:vlan():get_size(), ip:saddr():get(), ip:data(packet_udp):dport():get()`;

  it("registers packet_eth_dyn with the listing's fields", () => {
    const e = withListing("listing-3.8.lua");
    expect(lua(e, "return tostring(packet_eth_dyn), supported_protocols.packet_eth_dyn == packet_eth_dyn")).toEqual(["packet_eth_dyn", true]);
  });

  it("keeps type at 12 and data at 14 on an untagged frame", () => {
    const e = withListing("listing-3.8.lua");
    expect(lua(e, read, plain)).toEqual([12, "\x08\x00", 14, plain.length - 14, 0, "127.0.0.1", 69]);
  });

  it("shifts type and data by 4 bytes on a tagged frame, the tag in vlan", () => {
    const e = withListing("listing-3.8.lua");
    expect(lua(e, read, tagged)).toEqual([16, "\x08\x00", 18, plain.length - 14, 4, "127.0.0.1", 69]);
    expect(lua(e, "return bytes.to_packet(..., packet_eth_dyn):vlan():get():string()", tagged)).toEqual(["\x81\x00\x00\x05"]);
  });

  it("calls the policy with the requested protocol buffer", () => {
    const e = withListing("listing-3.8.lua");
    const seen = lua(e, `local seen
      eth_policy = function(seg, t) seen = tostring(t) .. ":" .. #seg; return t == packet_ip end
      local f = bytes.to_packet(..., packet_eth_dyn)
      return seen, f:data(packet_ip) ~= false, f:data(packet_tcp), seen`, plain);
    expect(seen).toEqual([null, true, false, `packet_tcp:${plain.length}`]);
  });
});

describe("Listing 4.1: the NAT", () => {
  const tcp = packet("http_request");
  const udp = packet("tftp_rrq");

  for (const [name, p] of [["TCP", tcp], ["UDP", udp], ["ICMP", packet("icmp_echo_request")]] as const) {
    it(`SNAT rewrites the source of a ${name} packet to ${LISTING_4_1.snatSource} with valid checksums`, () => {
      const e = withListing("listing-4.1.lua", { fn: "process_packet_snat" });
      const result = e.inject("PREROUTING", p);
      // XT_CONTINUE from the chain's last rule: the packet goes on (accepted).
      expect(result.verdict).toBe(NF_ACCEPT);
      expect(ipAt(result.packet, 12)).toBe(LISTING_4_1.snatSource);
      expect(ipAt(result.packet, 16)).toBe("127.0.0.1");
      expect(ipChecksumOk(result.packet)).toBe(true);
      expect(transportChecksumOk(result.packet)).toBe(true);
      // Only the address and the two checksums changed.
      const changed = [...result.packet].map((b, i) => (b !== p[i] ? i : -1)).filter((i) => i >= 0);
      // ICMP has no pseudo-header: its checksum does not change.
      const l4check = name === "TCP" ? 20 + 16 : name === "UDP" ? 20 + 6 : 10;
      expect(changed.every((i) => (i >= 10 && i < 16) || i === l4check || i === l4check + 1)).toBe(true);
    });

    it(`DNAT rewrites the destination of a ${name} packet to ${LISTING_4_1.dnatDestination} with valid checksums`, () => {
      const e = withListing("listing-4.1.lua", { fn: "process_packet_dnat" });
      const result = e.inject("PREROUTING", p);
      expect(ipAt(result.packet, 16)).toBe(LISTING_4_1.dnatDestination);
      expect(ipChecksumOk(result.packet)).toBe(true);
      expect(transportChecksumOk(result.packet)).toBe(true);
    });
  }

  it("returns XT_CONTINUE, so the next rule sees the translated packet", () => {
    const e = stdEngine({ linkLayer: true });
    engine = e;
    e.insertRule({ hook: "POSTROUTING", script: `${LISTINGS}/listing-4.1.lua`, function: "process_packet_snat", state: 0 });
    e.insertRule({ hook: "POSTROUTING", script: `${LISTINGS}/listing-4.1.lua`, function: "process_packet_dnat", state: 0 });
    const result = e.inject("POSTROUTING", tcp);
    expect([ipAt(result.packet, 12), ipAt(result.packet, 16)]).toEqual([LISTING_4_1.snatSource, LISTING_4_1.dnatDestination]);
    expect(transportChecksumOk(result.packet)).toBe(true);
  });

  it("drops what is not IPv4 (data() gives false)", () => {
    const e = withListing("listing-4.1.lua", { fn: "process_packet_snat" });
    const v6 = Buffer.alloc(40);
    v6[0] = 0x60;
    expect(e.inject("PREROUTING", v6).verdict).toBe(0);
    expect(e.takeLogs()).toEqual([]);
  });
});

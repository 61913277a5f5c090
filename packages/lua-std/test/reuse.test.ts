// Segment reuse (src/lifetime.ts): the per-packet path allocates nothing,
// a segment kept past its packet raises an error instead of reading a later
// packet, and nothing of one packet shows in the next.
import { afterEach, describe, expect, it } from "vitest";
import type { Engine } from "@kcache/kmod";
import { NF_ACCEPT } from "@kcache/kmod";
import { LISTINGS, ipAt, lua, packet, stdEngine } from "./helpers.ts";

const REUSE = new URL("./support/reuse.lua", import.meta.url).pathname;
const RAW_NAT = new URL("../bench/raw-nat.lua", import.meta.url).pathname;

let e: Engine;
afterEach(() => e?.close());

/** An engine with lua-std and `fn` of support/reuse.lua as the PREROUTING rule. */
function withHook(fn: string, linkLayer = false): Engine {
  e = stdEngine({ linkLayer });
  e.insertRule({ hook: "PREROUTING", script: REUSE, function: fn, state: 0 });
  return e;
}

/** Bytes the Lua state allocates per packet once warm, the collector stopped. */
function bytesPerPacket(engine: Engine, p: Buffer): number {
  for (let i = 0; i < 50; i++) engine.inject("PREROUTING", p);
  lua(engine, "collectgarbage('stop') function memory_kb() return collectgarbage('count') end");
  const before = engine.call(0, "memory_kb")[0] as number;
  for (let i = 0; i < 1000; i++) engine.inject("PREROUTING", p);
  const after = engine.call(0, "memory_kb")[0] as number;
  return ((after - before) * 1024) / 1000;
}

/** The IPv4 packet of `p` with 4 bytes of options (IHL 6). */
function withIpOptions(p: Buffer): Buffer {
  const out = Buffer.concat([p.subarray(0, 20), Buffer.from([1, 1, 1, 0]), p.subarray(20)]);
  out[0] = 0x46;
  out.writeUInt16BE(out.length, 2);
  return out;
}

describe("reuse across packets", () => {
  it("allocates nothing per packet for Listing 4.1 beyond the engine's view of the packet", () => {
    const p = packet("http_request");
    const raw = stdEngine();
    raw.insertRule({ hook: "PREROUTING", script: RAW_NAT, function: "raw_snat", state: 0 });
    const view = bytesPerPacket(raw, p); // the raw-ABI NAT: p:bytes() only
    raw.close();
    expect(view).toBeGreaterThan(0);
    for (const linkLayer of [true, false]) {
      e = stdEngine({ linkLayer });
      e.insertRule({ hook: "PREROUTING", script: `${LISTINGS}/listing-4.1.lua`, function: "process_packet_snat", state: 0 });
      expect(bytesPerPacket(e, p)).toBe(view);
      e.close();
    }
  });

  it("raises an error naming the segment when one kept from an earlier packet is used", () => {
    withHook("keep_ip");
    e.inject("PREROUTING", packet("tftp_rrq"));
    expect(e.inject("PREROUTING", packet("http_request")).verdict).toBe(NF_ACCEPT);
    const [keptOk, keptError, fieldOk, fieldError] = lua(e, "return kept_ok, kept_error, field_ok, field_error");
    expect([keptOk, fieldOk]).toEqual([false, false]);
    expect(keptError).toMatch(/type: packet_ip, offset: 0, length: \d+: segment used after its packet was released/);
    expect(fieldError).toMatch(/type: field, offset: 12, length: 4: segment used after its packet was released/);
  });

  it("gives the same object when the same segment is derived for a later packet, bound to that packet", () => {
    withHook("keep_ip");
    e.inject("PREROUTING", packet("tftp_rrq"));
    const p = Buffer.from(packet("http_request"));
    p.set([198, 18, 0, 9], 12);
    e.inject("PREROUTING", p);
    expect(lua(e, "return same_object, saddr_now")).toEqual([true, "198.18.0.9"]);
  });

  it("does not carry a presented header's writes into the next packet", () => {
    withHook("write_dmac", true);
    for (let i = 0; i < 3; i++) e.inject("PREROUTING", packet("tftp_ack"));
    expect(lua(e, "return table.unpack(dmac_seen)")).toEqual(["00:00:00:00:00:00", "00:00:00:00:00:00", "00:00:00:00:00:00"]);
  });

  it("keeps a byte array of a presented header with its own packet's bytes; kept header segments raise errors", () => {
    withHook("keep_header", true);
    e.inject("PREROUTING", packet("tftp_ack"));
    e.inject("PREROUTING", packet("tftp_ack"));
    const [ethOk, ethError, dmacOk, dmacError, bytesNow, dmacNow] = lua(e, "return eth_ok, eth_error, dmac_ok, dmac_error, kept_bytes_now, dmac_now");
    expect([ethOk, dmacOk]).toEqual([false, false]);
    expect(ethError).toMatch(/type: packet_eth, offset: 0, length: 14: segment used after its packet was released/);
    expect(dmacError).toMatch(/type: packet_raw, offset: 0, length: 6: segment used after its packet was released/);
    expect([bytesNow, dmacNow]).toEqual(["\xff".repeat(6), "00:00:00:00:00:00"]);
  });

  it("places each packet's fields afresh: IP options, TCP options, transport, truncation", () => {
    withHook("describe_packet");
    const sequence = [
      packet("tcp_syn"), packet("http_request"), withIpOptions(packet("tftp_ack")), packet("tftp_ack"),
      packet("http_request").subarray(0, 30), packet("tftp_rrq"),
    ];
    for (const p of sequence) e.inject("PREROUTING", p);
    const ackPort = packet("tftp_ack").readUInt16BE(22);
    expect(lua(e, `local out = {}
      for i, s in ipairs(seen) do out[i] = string.format("%s %s %s %s", tostring(s[1]), tostring(s[2]), tostring(s[3]), tostring(s[4])) end
      return table.unpack(out)`)).toEqual([
      "20 tcp 65495 false", "20 tcp false false", `24 udp false ${ackPort}`, `20 udp false ${ackPort}`,
      "20 false false false", "20 udp false 69",
    ]);
  });

  it("keeps the segments of a held packet valid while other packets pass", () => {
    withHook("hold_first");
    const first = Buffer.from(packet("tftp_rrq"));
    first.set([198, 18, 0, 1], 12);
    e.inject("PREROUTING", first);
    const results = [0, 1].map(() => e.inject("PREROUTING", packet("http_request")));
    expect(results.map((r) => ipAt(r.packet, 12))).toEqual(["198.18.0.7", "198.18.0.7"]);
    expect(lua(e, "return table.unpack(held_reads)")).toEqual(["198.18.0.1 127.0.0.1", "198.18.0.1 127.0.0.1"]);
    expect(e.takeReleased().map((r) => [r.verdict, ipAt(r.packet, 12)])).toEqual([[NF_ACCEPT, "198.18.0.1"]]);
  });

  it("derives a new protocol segment when the same one is derived twice for one packet (its policy reads bytes again)", () => {
    e = stdEngine();
    expect(lua(e, `local ip = bytes.to_packet(..., packet_ip)
      local a, b = ip:data(packet_udp), ip:data(packet_udp)
      return rawequal(a, b), rawequal(ip:saddr(), ip:saddr()), a:dport():get() == b:dport():get()`, packet("tftp_rrq"))).toEqual([false, true, true]);
  });
});

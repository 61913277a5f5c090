// bytes, nf, the packet builders and reply helpers, dynamic buffer
// registration errors, and the link-layer presentation, in the sim backend.
import { afterEach, describe, expect, it } from "vitest";
import type { Engine } from "@kcache/kmod";
import { NF_ACCEPT, parseIpv4 } from "@kcache/kmod";
import { LISTING_4_1 } from "./fixtures/listing-4.1-addresses.ts";
import { LISTINGS, bin, ipAt, ipChecksumOk, lua, packet, stdEngine, transportChecksumOk } from "./helpers.ts";

let e: Engine;
afterEach(() => e?.close());

const DEFERRED = new URL("./support/deferred.lua", import.meta.url).pathname;

describe("bytes", () => {
  it("new, new_from_string (with the terminating NUL, as the thesis), from_string", () => {
    e = stdEngine();
    expect(lua(e, `local a = bytes.new(4); local s = bytes.new_from_string("hi"); local f = bytes.from_string("hi")
      return #a, a:string(), #s, s[2], s:string(0, 2), #f, tostring(f)`)).toEqual([4, "\0\0\0\0", 3, 0, "hi", 2, "68 69"]);
  });
  it("many_to_one gathers byte arrays, strings and segments in order, into a new array", () => {
    e = stdEngine();
    const [out, len, alias] = lua(e, `local a = bytes.from_string("ab"); local p = bytes.to_packet(..., packet_ip)
      local all = bytes.many_to_one({a, "cd", p:saddr(), bytes.new(0)})
      a[0] = 0x7A
      return all:string(), #all, all[0]`, packet("tftp_ack"));
    expect([bin(out).toString("hex"), len, alias]).toEqual(["616263647f000001", 8, 0x61]);
  });
  it("many_to_one names a bad element", () => {
    e = stdEngine();
    expect(() => lua(e, "bytes.many_to_one({'a', 5})")).toThrow(/element 2 is a number/);
  });
  it("to_bytes views a segment without copying; to_packet skips the policy and runs the layout hook", () => {
    e = stdEngine();
    expect(lua(e, `local b = kmod.bytes(...); local ip = bytes.to_packet(b, packet_ip)
      local view = bytes.to_bytes(ip:ttl(), packet_ip); view[0] = 9
      local tcp_over_udp = bytes.to_packet(ip:data():get(), packet_tcp)
      return ip:ttl():get(), ip:data():get_offset(), tcp_over_udp ~= false, bytes.to_packet("short", packet_ip)`, packet("tftp_ack"))).toEqual([
      9, 20, false, false,
    ]);
  });
});

describe("nf", () => {
  it("get_random gives 32-bit values, deterministic per seed; get_time follows the clock", () => {
    e = stdEngine();
    const [r1, r2, t0] = lua(e, "return nf.get_random(), nf.get_random(), nf.get_time()") as number[];
    expect(r1).toBeGreaterThanOrEqual(0);
    expect(r1).toBeLessThan(2 ** 32);
    expect(r1).not.toBe(r2);
    e.advance(1500);
    expect(lua(e, "return nf.get_time()")).toEqual([t0! + 1500]);
    const other = stdEngine();
    expect(lua(other, "return nf.get_random(), nf.get_random()")).toEqual([r1, r2]);
    other.close();
  });
  it("schedule defers a call to the process context after the delay", () => {
    e = stdEngine();
    e.loadScript(0, DEFERRED);
    lua(e, `nf.schedule(nil, "deferred_plain", 3, 100)`);
    e.advance(99);
    expect(e.takeLogs().filter((l) => l.includes("deferred"))).toEqual([]);
    e.advance(1);
    expect(e.takeLogs().join("\n")).toContain("deferred_plain id=3 interrupt=false data=nil");
  });
  it("schedule with a packet passes a copy as a segment of the protocol", () => {
    e = stdEngine();
    e.loadScript(0, DEFERRED);
    e.insertRule({ hook: "PREROUTING", script: DEFERRED, function: "defer_packet", state: 0 });
    const p = packet("tftp_rrq");
    expect(e.inject("PREROUTING", p).verdict).toBe(NF_ACCEPT);
    e.advance(50);
    expect(e.takeLogs().join("\n")).toContain(`deferred_ip id=7 interrupt=false type: packet_ip, offset: 0, length: ${p.length} saddr=127.0.0.1 dport=69`);
  });
  it("create_packet sends a complete IPv4 packet (byte array, string or segment)", () => {
    e = stdEngine();
    const p = packet("tftp_ack");
    expect(lua(e, `local b = kmod.bytes(...); return nf.create_packet(nil, b), nf.create_packet(nil, ...),
      nf.create_packet(nil, bytes.to_packet(b, packet_ip))`, p)).toEqual([true, true, true]);
    expect(e.takeSent().map((s) => s.equals(p))).toEqual([true, true, true]);
  });
});

describe("building and answering packets", () => {
  it("udp_packet and tcp_packet build parts with valid checksums", () => {
    e = stdEngine();
    lua(e, `local lib = ...
      nf.send(nf.udp_packet("198.18.0.1", "198.18.1.1", 1000, 69, "\\0\\1x\\0octet\\0"))
      nf.send(nf.tcp_packet("198.18.0.1", "198.18.1.1", { sport = 1, dport = 80, seq = 0xFFFFFFFF, ack = 5, flags = 0x12, options = "\\2\\4\\5\\180" }, "odd"))`);
    const [u, t] = e.takeSent();
    expect(ipChecksumOk(u!) && transportChecksumOk(u!)).toBe(true);
    expect(ipChecksumOk(t!) && transportChecksumOk(t!)).toBe(true);
    const parsed = parseIpv4(t!);
    expect([parsed.src, parsed.dst, t!.readUInt32BE(24), t![32]! >> 4, t!.subarray(t!.length - 3).toString()]).toEqual([
      "198.18.0.1", "198.18.1.1", 0xffffffff, 6, "odd",
    ]);
  });
  it("reply_udp answers with addresses and ports swapped", () => {
    e = stdEngine();
    lua(e, `nf.reply_udp(bytes.to_packet(..., packet_ip), "\\0\\5\\0\\1no\\0")`, packet("tftp_rrq"));
    const [r] = e.takeSent();
    expect([ipAt(r!, 12), r!.readUInt16BE(20), r!.readUInt16BE(22), transportChecksumOk(r!)]).toEqual([
      "127.0.0.1", 69, packet("tftp_rrq").readUInt16BE(20), true,
    ]);
  });
  it("reply_tcp answers a SYN with a SYN-ACK acknowledging seq + 1", () => {
    e = stdEngine();
    const syn = packet("tcp_syn");
    lua(e, `nf.reply_tcp(bytes.to_packet(..., packet_ip), 0x12, "", 1000)`, syn);
    const [r] = e.takeSent();
    expect([r!.readUInt16BE(20), r!.readUInt16BE(22), r!.readUInt32BE(24), r!.readUInt32BE(28), r![33], transportChecksumOk(r!)]).toEqual([
      18080, syn.readUInt16BE(20), 1000, (syn.readUInt32BE(24) + 1) >>> 0, 0x12, true,
    ]);
  });
  it("swap_endpoints swaps addresses and ports in place, checksums still valid", () => {
    e = stdEngine();
    const [out] = lua(e, `local b = kmod.bytes(...); local ip = bytes.to_packet(b, packet_ip); ip:saddr():set("198.18.0.9")
      nf.swap_endpoints(ip); return b:string()`, packet("tftp_data"));
    const o = bin(out);
    expect([ipAt(o, 12), ipAt(o, 16), o.readUInt16BE(20), ipChecksumOk(o), transportChecksumOk(o)]).toEqual([
      "127.0.0.1", "198.18.0.9", 18069, true, true,
    ]);
  });
});

describe("register_dynamic_protbuf", () => {
  it("calls getters and setters given by name or as functions, with the field's bytes", () => {
    e = stdEngine();
    expect(lua(e, `function word_get(f) return (f[0] << 8) | f[1] end
      register_dynamic_protbuf{ name = "packet_pair", protocol_fields = {
        {"first", 0, 16, "word_get", function(f, v) f[0] = v >> 8; f[1] = v & 0xFF end},
        {"second", 16, 16, word_get, nil} } }
      local b = kmod.bytes("\\1\\2\\3\\4"); local x = bytes.to_packet(b, packet_pair)
      x:first():set(0xABCD)
      return x:first():get(), x:second():get(), b:string()`)).toEqual([0xabcd, 0x0304, "\xab\xcd\x03\x04"]);
  });
  it("refuses a second buffer of the same name and malformed specifications", () => {
    e = stdEngine();
    expect(() => lua(e, `register_dynamic_protbuf{ name = "packet_ip", protocol_fields = {} }`)).toThrow(/already registered/);
    expect(() => lua(e, `register_dynamic_protbuf{ name = "x1", protocol_fields = { {"a", -1, 8} } }`)).toThrow(/field 1 must be/);
    expect(() => lua(e, `register_dynamic_protbuf{ name = "x2" }`)).toThrow(/protocol_fields/);
    expect(() => lua(e, `register_dynamic_protbuf{ name = "x3", protocol_fields = { {"a", 0, 8} }, get_field_changes = "nope" }
      return bytes.to_packet("ab", x3)`)).toThrow(/global function 'nope' is not defined/);
  });
});

describe("the link-layer presentation", () => {
  it("is off by default: the packet starts at the IP header", () => {
    e = stdEngine();
    e.insertRule({ hook: "INPUT", script: `${LISTINGS}/listing-3.7.lua`, state: 0 });
    expect(e.inject("INPUT", packet("tftp_ack")).verdict).toBe(0); // packet_eth over an IP header: EtherType is not IPv4
    expect(lua(e, "return tostring(eth)")).toEqual(["type: packet_eth, offset: 0, length: 32"]);
  });
  it("presents 14 bytes in front of the packet; writes to them stay in the script's copy", () => {
    e = stdEngine({ linkLayer: true, smac: "02:00:00:00:00:05" });
    e.loadScript(0, new URL("./support/link.lua", import.meta.url).pathname);
    e.insertRule({ hook: "PREROUTING", script: new URL("./support/link.lua", import.meta.url).pathname, function: "link_probe", state: 0 });
    const p = packet("tftp_ack");
    const result = e.inject("PREROUTING", p);
    expect(result.packet.equals(p)).toBe(true);
    expect(lua(e, "return table.unpack(link_seen)")).toEqual([
      14 + p.length, "FF:FF:FF:FF:FF:FF", "02:00:00:00:00:05", 0x0800, "\x08\x00\x45\x00", 14 + p.length, false, 14,
    ]);
  });
  it("presents EtherType 0x86DD in front of an IPv6 packet, in 14 bytes", () => {
    e = stdEngine({ linkLayer: true });
    const link = new URL("./support/link.lua", import.meta.url).pathname;
    e.insertRule({ hook: "PREROUTING", script: link, function: "link_type", state: 0 });
    const v6 = Buffer.alloc(40);
    v6[0] = 0x60;
    e.inject("PREROUTING", v6);
    expect(lua(e, "return table.unpack(link_type_seen)")).toEqual([0x86dd, 54]);
  });
  it("survives a listing that assigns the global `type` (Listing 3.1)", () => {
    e = stdEngine({ linkLayer: true });
    e.insertRule({ hook: "PREROUTING", script: `${LISTINGS}/listing-3.1.lua`, state: 0 });
    e.inject("PREROUTING", packet("tftp_rrq"));
    expect(lua(e, "return tostring(type)")).toEqual(["type: packet_raw, offset: 12, length: 2"]);
    e.insertRule({ hook: "POSTROUTING", script: `${LISTINGS}/listing-4.1.lua`, function: "process_packet_dnat", state: 0 });
    const result = e.inject("POSTROUTING", packet("tftp_rrq"));
    expect(ipAt(result.packet, 16)).toBe(LISTING_4_1.dnatDestination);
    expect(e.takeLogs()).toEqual([]);
  });
});

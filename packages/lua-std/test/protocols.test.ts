// Each protocol buffer on real packet bytes (tcpdump captures in
// test/fixtures, and hand-written variants), including truncated and
// malformed packets: a clear Lua error or `false`, never a crash and never a
// read past the packet.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "@kcache/kmod";
import { bin, frame, hex, ipAt, ipChecksumOk, lua, packet, stdEngine, transportChecksumOk } from "./helpers.ts";

let e: Engine;
beforeAll(() => {
  e = stdEngine();
});
afterAll(() => e.close());

/** Runs `body` with `b` = a byte array of `bytes` and `P` = bytes.to_packet(b, packet_<proto>). */
function run(bytes: Uint8Array, proto: string, body: string): unknown[] {
  return lua(e, `local b = kmod.bytes(...); local P = bytes.to_packet(b, packet_${proto}); ${body}`, bytes);
}

/** Sets a 16-bit big-endian value in a copy. */
function with16(bytes: Buffer, offset: number, value: number): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt16BE(value, offset);
  return copy;
}

describe("packet_eth", () => {
  const f = frame("http_request");
  it("reads dmac, smac and type of a captured frame", () => {
    expect(run(f, "eth", "return P:dmac():get(), P:smac():get(), P:type():get(), P:data():get_offset()")).toEqual([
      "00:00:00:00:00:00", "00:00:00:00:00:00", 0x0800, 14,
    ]);
  });
  it("sets MAC addresses from text (either case) and bytes", () => {
    const [out] = run(f, "eth", `P:dmac():set("FF:FE:FD:FC:FB:FA"); P:smac():set("0a:0b:0c:0d:0e:0f"); return b:string(0, 12)`);
    expect(bin(out).toString("hex")).toBe("fffefdfcfbfa0a0b0c0d0e0f");
  });
  it("refuses an invalid MAC address with a clear error", () => {
    expect(() => run(f, "eth", `P:dmac():set("FF:FE:FD")`)).toThrow(/invalid MAC address/);
  });
  it("lets the payload be IPv4 only (policy)", () => {
    expect(run(f, "eth", "return P:data(packet_ip) ~= false, P:data(packet_tcp), P:data(packet_udp)")).toEqual([true, false, false]);
  });
  it("gives false for a frame shorter than its header", () => {
    expect(run(f.subarray(0, 13), "eth", "return P")).toEqual([false]);
  });
  it("raises an error instead of reading a field past a truncated segment", () => {
    expect(() => lua(e, "return kmod.bytes(...):len() and bytes.to_packet(kmod.bytes(...), packet_raw):raw(0, 20)", f.subarray(0, 10))).not.toThrow();
    expect(lua(e, "return p_ok, bytes.to_packet(kmod.bytes(...), packet_raw):raw(5, 6)", f.subarray(0, 10))).toEqual([null, false]);
  });
});

describe("packet_ip", () => {
  const p = packet("http_request");
  it("reads every field of a captured header", () => {
    expect(run(p, "ip", `return P:version():get(), P:ihl():get(), P:tos():get(), P:tot_len():get(), P:id():get(),
      P:flags():get(), P:flags():get(2), P:flags():get(3), P:frag_off():get(), P:ttl():get(), P:protocol():get(),
      P:check():get(), P:saddr():get(), P:daddr():get(), P:options():get_size(), P:data():get_offset(), P:data():get_size()`)).toEqual([
      4, 5, 0, p.length, p.readUInt16BE(4), 2, true, false, 0, 64, 6, p.readUInt16BE(10), "127.0.0.1", "127.0.0.1", 0, 20, p.length - 20,
    ]);
  });
  it("keeps the header checksum valid when a field is set", () => {
    const [out] = run(p, "ip", "P:ttl():set(3); P:tos():set(0x10); P:id():set(0xBEEF); P:flags():set(3); return b:string()");
    const o = bin(out);
    expect([o[8], o[1], o.readUInt16BE(4), o[6]! >> 5]).toEqual([3, 0x10, 0xbeef, 3]);
    expect(ipChecksumOk(o)).toBe(true);
    expect(transportChecksumOk(o)).toBe(true);
  });
  it("fixes the IP and TCP checksums when an address is set (text or integer)", () => {
    const [out] = run(p, "ip", `P:saddr():set("198.18.0.1"); P:daddr():set(0xC6120102); return b:string()`);
    const o = bin(out);
    expect([ipAt(o, 12), ipAt(o, 16)]).toEqual(["198.18.0.1", "198.18.1.2"]);
    expect(ipChecksumOk(o) && transportChecksumOk(o)).toBe(true);
  });
  it("fixes the UDP checksum when an address is set", () => {
    const [out] = run(packet("tftp_rrq"), "ip", `P:daddr():set("198.18.9.9"); return b:string()`);
    expect(ipChecksumOk(bin(out)) && transportChecksumOk(bin(out))).toBe(true);
  });
  it("refuses invalid addresses", () => {
    expect(() => run(p, "ip", `P:saddr():set("198.18.0.256")`)).toThrow(/invalid IPv4 address/);
    expect(() => run(p, "ip", `P:saddr():set("host")`)).toThrow(/invalid IPv4 address/);
  });
  it("places data after the options of a header with IHL 6", () => {
    const udp = packet("tftp_ack");
    const withOptions = Buffer.concat([udp.subarray(0, 20), hex("01010100"), udp.subarray(20)]);
    withOptions[0] = 0x46;
    withOptions.writeUInt16BE(withOptions.length, 2);
    expect(run(withOptions, "ip", "return P:options():get():string(), P:data():get_offset(), P:data(packet_udp):dport():get()")).toEqual([
      "\x01\x01\x01\x00", 24, 18069,
    ]);
  });
  it("ends data at tot_len, not at a padded frame's end", () => {
    const padded = Buffer.concat([p, Buffer.alloc(6)]);
    expect(run(padded, "ip", "return P:data():get_size(), P:get_size()")).toEqual([p.length - 20, p.length + 6]);
  });
  it("keeps data inside a packet cut shorter than tot_len", () => {
    expect(run(p.subarray(0, 30), "ip", "return P:data():get_size(), P:data(packet_tcp)")).toEqual([10, false]);
  });
  it("gives false for truncated and malformed headers", () => {
    expect(run(p.subarray(0, 19), "ip", "return P")).toEqual([false]);
    const v6 = Buffer.from(p);
    v6[0] = 0x65;
    expect(run(v6, "ip", "return P")).toEqual([false]);
    const shortIhl = Buffer.from(p);
    shortIhl[0] = 0x44;
    expect(run(shortIhl, "ip", "return P")).toEqual([false]);
    const longIhl = Buffer.from(p.subarray(0, 40));
    longIhl[0] = 0x4f; // 60-byte header in a 40-byte packet
    expect(run(longIhl, "ip", "return P")).toEqual([false]);
    expect(run(with16(p, 2, 12), "ip", "return P")).toEqual([false]); // tot_len below the header
  });
  it("refuses the wrong transport, and a later fragment's payload (policy)", () => {
    expect(run(p, "ip", "return P:data(packet_udp), P:data(packet_icmp), P:data(packet_tcp) ~= false")).toEqual([false, false, true]);
    expect(run(with16(p, 6, 0x0010), "ip", "return P:data(packet_tcp)")).toEqual([false]);
  });
  it("names a misspelt protocol in the error", () => {
    expect(() => run(p, "ip", "return P:data(packet_tpc)")).toThrow(/expected a protocol buffer/);
  });
});

describe("packet_icmp", () => {
  const echo = packet("icmp_echo_request");
  it("reads an echo request", () => {
    expect(run(echo, "ip", `local i = P:data(packet_icmp)
      return i:type():get(), i:code():get(), i:checksum():get(), i:id():get(), i:sequence():get()`)).toEqual([
      8, 0, echo.readUInt16BE(22), echo.readUInt16BE(24), 1,
    ]);
  });
  it("keeps the checksum valid when the type is set (an echo reply)", () => {
    const [out] = run(echo, "ip", `P:data(packet_icmp):type():set(0); return b:string()`);
    expect(bin(out)[20]).toBe(0);
    expect(transportChecksumOk(bin(out))).toBe(true);
  });
  it("views the offending IP header inside a port unreachable", () => {
    expect(run(packet("icmp_port_unreachable"), "ip", `local i = P:data(packet_icmp)
      local inner = i:data(packet_ip)
      return i:type():get(), i:code():get(), inner:daddr():get(), inner:protocol():get(), echo_ok`)).toEqual([3, 3, "127.0.0.1", 17, null]);
    expect(run(echo, "ip", "return P:data(packet_icmp):data(packet_ip)")).toEqual([false]);
  });
  it("gives false for a truncated ICMP header", () => {
    expect(run(echo.subarray(20, 27), "icmp", "return P")).toEqual([false]);
  });
});

describe("packet_udp", () => {
  const p = packet("tftp_data");
  it("reads a captured datagram", () => {
    expect(run(p, "ip", `local u = P:data(packet_udp)
      return u:sport():get(), u:dport():get(), u:length():get(), u:check():get(), u:data():get_size()`)).toEqual([
      p.readUInt16BE(20), 18069, 8 + 68, p.readUInt16BE(26), 68,
    ]);
  });
  it("keeps the checksum valid when ports are set", () => {
    const [out] = run(p, "ip", `local u = P:data(packet_udp); u:sport():set(4242); u:dport():set(69); return b:string()`);
    const o = bin(out);
    expect([o.readUInt16BE(20), o.readUInt16BE(22)]).toEqual([4242, 69]);
    expect(transportChecksumOk(o)).toBe(true);
  });
  it("leaves checksums to raw writes, and fix_checksums() recomputes them", () => {
    const [raw, fixed] = run(p, "ip", `local u = P:data(packet_udp); u:data():raw(0, 4):set(0x41); local raw = b:string()
      P:fix_checksums(); return raw, b:string()`);
    expect(bin(raw).subarray(28, 32).toString()).toBe("AAAA");
    expect(transportChecksumOk(bin(raw))).toBe(false);
    expect(ipChecksumOk(bin(fixed)) && transportChecksumOk(bin(fixed))).toBe(true);
  });
  it("leaves a zero checksum (none) at zero", () => {
    const [out] = run(with16(p, 26, 0), "ip", `P:data(packet_udp):dport():set(7); P:saddr():set("198.18.0.7"); return b:string()`);
    expect(bin(out).readUInt16BE(26)).toBe(0);
  });
  it("ends data at the UDP length and refuses a length below 8", () => {
    expect(run(with16(p, 24, 10), "ip", "return P:data(packet_udp):data():get_size()")).toEqual([2]);
    expect(run(with16(p, 24, 7), "ip", "return P:data(packet_udp)")).toEqual([false]);
    expect(run(p.subarray(0, 27), "ip", "return P:data(packet_udp)")).toEqual([false]);
  });
  it("refuses a port outside 0-65535", () => {
    expect(() => run(p, "ip", "P:data(packet_udp):dport():set(70000)")).toThrow(/\[0, 65535\]/);
  });
});

describe("packet_tcp and packet_tcp_opt", () => {
  const syn = packet("tcp_syn");
  it("reads a captured SYN", () => {
    expect(run(syn, "ip", `local t = P:data(packet_tcp)
      return t:sport():get(), t:dport():get(), t:seq():get(), t:ack():get(), t:data_off():get(), t:reserved():get(),
        t:flags():get(), t:flags():get(7), t:flags():get(4), t:window_size():get(), t:urgent():get(),
        t:options():get_size(), t:data():get_size(), t:data():get_offset()`)).toEqual([
      syn.readUInt16BE(20), 18080, syn.readUInt32BE(24), 0, 10, 0, 0x02, true, false, 65495, 0, 20, 0, 60,
    ]);
  });
  it("reads the options of the SYN (MSS, SACK permitted, timestamps, window scale)", () => {
    expect(run(syn, "ip", `local o = P:data(packet_tcp):data(packet_tcp_opt)
      local o2 = P:data(packet_tcp):options():data(packet_tcp_opt)
      return o:MSS():get(), o:SACK():get(), o:TSVAL():get(), o:TSER():get(), o:WS():get(), o2:MSS():get()`)).toEqual([
      65495, 0x0402, syn.readUInt32BE(48), 0, 10, 65495,
    ]);
  });
  it("says false for an option the packet does not carry", () => {
    expect(run(packet("tcp_fin"), "ip", `local o = P:data(packet_tcp):data(packet_tcp_opt)
      return o:MSS(), o:WS(), o:TSVAL() ~= false`)).toEqual([false, false, true]);
  });
  it("keeps the TCP checksum valid when fields and options are set", () => {
    const [out] = run(syn, "ip", `local t = P:data(packet_tcp)
      t:sport():set(1234); t:seq():set(0xFFFFFFFF); t:flags():set(8); t:window_size():set(1000)
      t:data(packet_tcp_opt):MSS():set(1460)
      return b:string()`);
    const o = bin(out);
    expect([o.readUInt16BE(20), o.readUInt32BE(24), o[33], o.readUInt16BE(34), o.readUInt16BE(42)]).toEqual([1234, 0xffffffff, 0x03, 1000, 1460]);
    expect(transportChecksumOk(o)).toBe(true);
  });
  it("clears a flag and writes the whole flags byte with set_value", () => {
    const [a, c] = run(syn, "ip", `local f = P:data(packet_tcp):flags(); f:set_value(0x12); local a = f:get(); f:set(8); f:set_value(f:get() & ~1); return a, f:get()`);
    expect([a, c]).toEqual([0x12, 0x12]);
  });
  it("gives false for a data offset below 5 or past the segment, and for a malformed option", () => {
    const low = Buffer.from(syn);
    low[32] = 0x40;
    expect(run(low, "ip", "return P:data(packet_tcp)")).toEqual([false]);
    const high = Buffer.from(syn);
    high[32] = 0xf0;
    expect(run(high, "ip", "return P:data(packet_tcp)")).toEqual([false]);
    const badOption = Buffer.from(syn);
    badOption[41] = 40; // MSS option claiming 40 bytes
    expect(run(badOption, "ip", "return P:data(packet_tcp):data(packet_tcp_opt)")).toEqual([false]);
    expect(run(syn.subarray(0, 39), "ip", "return P:data(packet_tcp)")).toEqual([false]);
  });
});

describe("packet_tftp", () => {
  const tftp = (name: string, body: string) => run(packet(name), "ip", `local T = P:data(packet_udp):data(packet_tftp); ${body}`);
  it("reads a captured RRQ with options", () => {
    expect(tftp("tftp_rrq", `local o = T:options():get()
      return T:opcode():get(), T:filename():get(), T:mode():get(), o.blksize, o.tsize, T:block_nr(), T:data()`)).toEqual([
      1, "file.bin", "octet", "1428", "0", false, false,
    ]);
  });
  it("reads DATA, ACK, ERROR and OACK", () => {
    expect(tftp("tftp_data", "return T:opcode():get(), T:block_nr():get(), T:data():get_size(), T:data():get():string(0, 3), T:filename()")).toEqual([
      3, 1, 64, " !\"", false,
    ]);
    expect(tftp("tftp_ack", "return T:opcode():get(), T:block_nr():get(), T:data()")).toEqual([4, 1, false]);
    expect(tftp("tftp_error", "return T:error_code():get(), T:error_msg():get()")).toEqual([1, "File not found"]);
    expect(tftp("tftp_oack", "local o = T:options():get(); return T:opcode():get(), o.blksize, o.tsize")).toEqual([6, "1428", "4096"]);
  });
  it("keeps the UDP checksum valid when block_nr is set", () => {
    const [out] = tftp("tftp_ack", "T:block_nr():set(513); return b:string()");
    expect(bin(out).readUInt16BE(30)).toBe(513);
    expect(transportChecksumOk(bin(out))).toBe(true);
  });
  it("gives false for an unknown opcode and an unterminated request", () => {
    const p = packet("tftp_rrq");
    expect(run(with16(p, 28, 9), "ip", "return P:data(packet_udp):data(packet_tftp)")).toEqual([false]);
    const cut = Buffer.from(p.subarray(0, 28 + 2 + 4));
    cut.writeUInt16BE(cut.length, 2);
    cut.writeUInt16BE(cut.length - 20, 24);
    expect(run(cut, "ip", "return P:data(packet_udp):data(packet_tftp)")).toEqual([false]);
    expect(run(packet("http_request"), "ip", "return P:data(packet_udp)")).toEqual([false]);
  });
});

describe("packet_http", () => {
  const http = (name: string, body: string) => run(packet(name), "ip", `local H = P:data(packet_tcp):data(packet_http); ${body}`);
  it("reads a captured request: method, uri, version, headers by name, body", () => {
    expect(http("http_request", `return H:method():get(), H:uri():get(), H:version():get(), H:header("Host"):get(),
      H:header("user-agent"):get(), H:header("Cookie"), H:body():get_size(), H:complete(), H:is_request(), H:status()`)).toEqual([
      "GET", "/", "HTTP/1.1", "127.0.0.1:18080", "curl/7.88.1", false, 0, true, true, false,
    ]);
  });
  it("reads a captured response: status, reason, Content-Length", () => {
    expect(http("http_response", `return H:version():get(), H:status():get(), H:reason():get(), H:content_length(),
      H:header("content-type"):get(), H:method(), H:body():get_size()`)).toEqual([
      "HTTP/1.0", 200, "OK", 2610, "text/html; charset=utf-8", false, 0,
    ]);
  });
  it("sets a same-length value and keeps the TCP checksum valid; refuses another length", () => {
    const [out] = http("http_request", `H:header("Accept"):set("x/y"); H:uri():set("/"); return b:string()`);
    expect(bin(out).toString("latin1")).toContain("Accept: x/y\r\n");
    expect(transportChecksumOk(bin(out))).toBe(true);
    expect(() => http("http_request", `H:uri():set("/index.html")`)).toThrow(/build a new packet/);
  });
  it("finds the body after the header block and reports a block that does not end in the segment", () => {
    const request = "POST /upload HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
    const p = buildTcp(request);
    expect(run(p, "ip", `local H = P:data(packet_tcp):data(packet_http)
      return H:method():get(), H:uri():get(), H:body():get():string(), H:content_length()`)).toEqual(["POST", "/upload", "hello", 5]);
    const partial = buildTcp("GET /a HTTP/1.1\r\nHost: x\r\nAcc");
    expect(run(partial, "ip", "local H = P:data(packet_tcp):data(packet_http); return H:complete(), H:body(), H:header('Host'):get()")).toEqual([
      false, false, "x",
    ]);
  });
  it("refuses what is not HTTP (policy and parse)", () => {
    expect(run(packet("tcp_syn"), "ip", "return P:data(packet_tcp):data(packet_http)")).toEqual([false]);
    expect(run(buildTcp("HELLO there\r\n"), "ip", "return P:data(packet_tcp):data(packet_http)")).toEqual([false]);
    expect(run(buildTcp("GET / HTTP/1.1"), "ip", "return P:data(packet_tcp):data(packet_http)")).toEqual([false]);
  });
});

/** The captured request's headers with another payload. */
function buildTcp(payload: string): Buffer {
  const base = packet("http_request");
  const headers = base.subarray(0, 52);
  const out = Buffer.concat([headers, Buffer.from(payload, "latin1")]);
  out.writeUInt16BE(out.length, 2);
  return out;
}

describe("raw segments", () => {
  const p = packet("tftp_ack");
  it("nest, report offsets and sizes, and print as PacketScript did", () => {
    expect(run(p, "raw", `local s = P:raw(2, 10); local t = s:raw(3, 5)
      return t:get_offset(), t:get_size(), tostring(t), s:raw(3, 8), tostring(P:data(packet_ip))`)).toEqual([
      5, 5, "type: packet_raw, offset: 5, length: 5", false, `type: packet_ip, offset: 0, length: ${p.length}`,
    ]);
  });
  it("check their arguments and bounds", () => {
    expect(() => run(p, "raw", "P:raw(-1, 2)")).toThrow(/raw: offset/);
    expect(() => run(p, "raw", "P:raw(0, 1):set(256)")).toThrow(/byte value/);
    expect(() => run(p, "raw", "P:raw(0, 2):set('abc')")).toThrow(/do not fit/);
    expect(() => run(p, "raw", "return P:raw(0, 2):get()[2]")).toThrow(/out of range|outside|bounds/i);
    expect(() => run(p, "raw", "return P:u16(p_len or 31)")).toThrow(/outside the 32-byte segment/);
  });
  it("give fast typed access and strings", () => {
    expect(run(p, "raw", "local s = P:raw(20, 8); return s:u16(2), s:u32(4) >> 16, s:string(0, 2) == b:string(20, 2)")).toEqual([
      18069, 12, true,
    ]);
  });
});

// Building packets from parts: `string.pack` headers with correct checksums
// in front of a payload, given to kmod.send as a list (gathered without a
// concatenation copy). And answering a packet: the same with addresses and
// ports swapped — the nf.reply-style helpers of later Lua-in-netfilter
// projects.

import type { View } from "./core";
import type { IpHeader } from "./protocols/ip";
import { fold16, toIpv4, luaType } from "./util";

/** Payload forms the builders take. */
export type Payload = string | Bytes;

function payloadLength(payload: Payload | undefined): number {
  if (payload === undefined) return 0;
  return luaType(payload) === "string" ? (payload as string).length : (payload as Bytes).len();
}

export interface Ipv4Options {
  ttl?: number;
  id?: number;
  tos?: number;
  /** Sets Don't Fragment (default true). */
  df?: boolean;
}

/** A 20-byte IPv4 header (no options) with its checksum. */
export function ipv4_header(src: string | number, dst: string | number, protocol: number, payloadLen: number, options: Ipv4Options = {}): string {
  const s = toIpv4(src, "ipv4_header: src");
  const d = toIpv4(dst, "ipv4_header: dst");
  const flags = options.df === false ? 0 : 0x4000;
  const header = string.pack(">BBHHHBBHI4I4", 0x45, options.tos ?? 0, 20 + payloadLen, options.id ?? 0, flags, options.ttl ?? 64, protocol, 0, s, d);
  const check = fold16(kmod.sum16(header));
  return string.pack(">BBHHHBBHI4I4", 0x45, options.tos ?? 0, 20 + payloadLen, options.id ?? 0, flags, options.ttl ?? 64, protocol, check, s, d);
}

/** Partial sum of the TCP/UDP pseudo-header (RFC 9293 §3.1, RFC 768). */
function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return kmod.sum16(string.pack(">I4I4BBH", src, dst, 0, protocol, length));
}

/** A complete IPv4/UDP packet as parts {ip header, udp header, payload}, checksums set. */
export function udp_packet(src: string | number, dst: string | number, sport: number, dport: number, payload: Payload = "", options: Ipv4Options = {}): Payload[] {
  const n = payloadLength(payload);
  const s = toIpv4(src, "udp_packet: src");
  const d = toIpv4(dst, "udp_packet: dst");
  const header = string.pack(">HHHH", sport, dport, 8 + n, 0);
  let sum = pseudoHeaderSum(s, d, 17, 8 + n);
  sum = kmod.sum16(header, 0, 8, sum);
  if (n > 0) sum = kmod.sum16(payload, 0, n, sum);
  let check = fold16(sum);
  if (check === 0) check = 0xFFFF;
  return [ipv4_header(s, d, 17, 8 + n, options), string.pack(">HHHH", sport, dport, 8 + n, check), payload];
}

export interface TcpSegmentSpec {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  /** Flag bits (TCP_FLAGS: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10). */
  flags: number;
  window?: number;
  /** Raw options, a multiple of 4 bytes. */
  options?: string;
}

/** Flag bit values for TcpSegmentSpec.flags. */
export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

/** A complete IPv4/TCP packet as parts {ip header, tcp header, payload}, checksums set. */
export function tcp_packet(src: string | number, dst: string | number, spec: TcpSegmentSpec, payload: Payload = "", options: Ipv4Options = {}): Payload[] {
  const n = payloadLength(payload);
  const s = toIpv4(src, "tcp_packet: src");
  const d = toIpv4(dst, "tcp_packet: dst");
  const tcpOptions = spec.options ?? "";
  if (tcpOptions.length % 4 !== 0 || tcpOptions.length > 40) error("tcp_packet: options must be a multiple of 4 bytes, at most 40", 2);
  const headerLength = 20 + tcpOptions.length;
  const fixed = (check: number): string =>
    string.pack(">HHI4I4BBHHH", spec.sport, spec.dport, spec.seq & 0xFFFFFFFF, (spec.ack ?? 0) & 0xFFFFFFFF, shr(headerLength, 2) << 4, spec.flags, spec.window ?? 65535, check, 0) + tcpOptions;
  let sum = pseudoHeaderSum(s, d, 6, headerLength + n);
  sum = kmod.sum16(fixed(0), 0, headerLength, sum);
  if (n > 0) sum = kmod.sum16(payload, 0, n, sum);
  return [ipv4_header(s, d, 6, headerLength + n, options), fixed(fold16(sum)), payload];
}

/** The addresses of an IP header as integers (source, destination). */
function endpoints(ip: IpHeader): LuaMultiReturn<[number, number]> {
  return $multi(ip.buf.u32(ip.off + 12), ip.buf.u32(ip.off + 16));
}

/** A UDP datagram answering `ip` (a UDP packet): addresses and ports swapped. */
export function reply_udp(ip: IpHeader, payload: Payload = ""): Payload[] {
  const [src, dst] = endpoints(ip);
  const l4 = ip.off + ip.header_length();
  return udp_packet(dst, src, ip.buf.u16(l4 + 2), ip.buf.u16(l4), payload);
}

/**
 * A TCP segment answering `ip` (a TCP packet): addresses and ports swapped;
 * by default it acknowledges everything the packet carried (its sequence
 * number plus its payload length, SYN and FIN counting one).
 */
export function reply_tcp(ip: IpHeader, flags: number, payload: Payload = "", seq?: number, ack?: number): Payload[] {
  const [src, dst] = endpoints(ip);
  const l4 = ip.off + ip.header_length();
  const theirFlags = ip.buf.u8(l4 + 13);
  const headerLength = shr(ip.buf.u8(l4 + 12), 4) * 4;
  const totalLength = ip.buf.u16(ip.off + 2);
  let consumed = totalLength - ip.header_length() - headerLength;
  if ((theirFlags & TCP_FLAGS.SYN) !== 0) consumed++;
  if ((theirFlags & TCP_FLAGS.FIN) !== 0) consumed++;
  const theirSeq = ip.buf.u32(l4 + 4);
  const theirAck = ip.buf.u32(l4 + 8);
  return tcp_packet(dst, src, {
    sport: ip.buf.u16(l4 + 2),
    dport: ip.buf.u16(l4),
    seq: seq ?? theirAck,
    ack: ack ?? ((theirSeq + consumed) & 0xFFFFFFFF),
    flags,
  }, payload);
}

/** Swaps source and destination addresses (and TCP/UDP ports) in place; checksums stay valid (sums are symmetric). */
export function swap_endpoints(ip: IpHeader): void {
  const [src, dst] = endpoints(ip);
  ip.buf.set_u32(ip.off + 12, dst);
  ip.buf.set_u32(ip.off + 16, src);
  const protocol = ip.buf.u8(ip.off + 9);
  const l4 = ip.off + ip.header_length();
  if ((protocol === 6 || protocol === 17) && l4 + 4 <= ip.off + ip.len) {
    const sport = ip.buf.u16(l4);
    ip.buf.set_u16(l4, ip.buf.u16(l4 + 2));
    ip.buf.set_u16(l4 + 2, sport);
  }
}

/** The parts concatenated into one Lua string (when a single string is needed). */
export function concat(parts: Payload[]): string {
  return table.concat(parts.map((p) => (luaType(p) === "string" ? (p as string) : (p as Bytes).string())));
}

/** A segment's bytes as a Lua string (one copy). */
export function segment_string(seg: View): string {
  return seg.string();
}

// Builds and parses IPv4/UDP/TCP/ICMP packets for tests and demos.
import { isIPv4 } from "node:net";

export function ipToBytes(address: string): Buffer {
  if (!isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
  return Buffer.from(address.split(".").map(Number));
}

export function bytesToIp(bytes: Uint8Array, offset = 0): string {
  return Array.from(bytes.subarray(offset, offset + 4)).join(".");
}

/** RFC 1071 one's-complement sum, unfolded. */
export function sum16(data: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (data.length % 2) sum += data[data.length - 1]! << 8;
  return sum;
}

export function fold16(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

export const PROTO = { ICMP: 1, TCP: 6, UDP: 17 } as const;

export interface Ipv4Options {
  src: string;
  dst: string;
  protocol: number;
  payload: Uint8Array;
  ttl?: number;
  id?: number;
  tos?: number;
  flags?: number;
  fragmentOffset?: number;
}

export function ipv4(o: Ipv4Options): Buffer {
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header[1] = o.tos ?? 0;
  header.writeUInt16BE(20 + o.payload.length, 2);
  header.writeUInt16BE(o.id ?? 0x1234, 4);
  header.writeUInt16BE(((o.flags ?? 0x2) << 13) | (o.fragmentOffset ?? 0), 6);
  header[8] = o.ttl ?? 64;
  header[9] = o.protocol;
  ipToBytes(o.src).copy(header, 12);
  ipToBytes(o.dst).copy(header, 16);
  header.writeUInt16BE(fold16(sum16(header)), 10);
  return Buffer.concat([header, o.payload]);
}

function pseudoHeaderSum(src: string, dst: string, protocol: number, length: number): number {
  const pseudo = Buffer.alloc(12);
  ipToBytes(src).copy(pseudo, 0);
  ipToBytes(dst).copy(pseudo, 4);
  pseudo[9] = protocol;
  pseudo.writeUInt16BE(length, 10);
  return sum16(pseudo);
}

export interface UdpOptions {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload?: Uint8Array | string;
}

export function udp(o: UdpOptions): Buffer {
  const payload = typeof o.payload === "string" ? Buffer.from(o.payload, "latin1") : Buffer.from(o.payload ?? []);
  const segment = Buffer.alloc(8 + payload.length);
  segment.writeUInt16BE(o.sport, 0);
  segment.writeUInt16BE(o.dport, 2);
  segment.writeUInt16BE(segment.length, 4);
  payload.copy(segment, 8);
  const check = fold16(sum16(segment, pseudoHeaderSum(o.src, o.dst, PROTO.UDP, segment.length)));
  segment.writeUInt16BE(check === 0 ? 0xffff : check, 6);
  return ipv4({ src: o.src, dst: o.dst, protocol: PROTO.UDP, payload: segment });
}

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20 } as const;

export interface TcpOptions {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  options?: Uint8Array;
  payload?: Uint8Array | string;
}

export function tcp(o: TcpOptions): Buffer {
  const payload = typeof o.payload === "string" ? Buffer.from(o.payload, "latin1") : Buffer.from(o.payload ?? []);
  const options = Buffer.from(o.options ?? []);
  if (options.length % 4) throw new Error("TCP options must be padded to 4 bytes");
  const headerLength = 20 + options.length;
  const segment = Buffer.alloc(headerLength + payload.length);
  segment.writeUInt16BE(o.sport, 0);
  segment.writeUInt16BE(o.dport, 2);
  segment.writeUInt32BE((o.seq ?? 0) >>> 0, 4);
  segment.writeUInt32BE((o.ack ?? 0) >>> 0, 8);
  segment[12] = (headerLength / 4) << 4;
  segment[13] = o.flags ?? TCP_FLAGS.ACK;
  segment.writeUInt16BE(o.window ?? 65535, 14);
  options.copy(segment, 20);
  payload.copy(segment, headerLength);
  segment.writeUInt16BE(fold16(sum16(segment, pseudoHeaderSum(o.src, o.dst, PROTO.TCP, segment.length))), 16);
  return ipv4({ src: o.src, dst: o.dst, protocol: PROTO.TCP, payload: segment });
}

export interface ParsedPacket {
  src: string;
  dst: string;
  protocol: number;
  ttl: number;
  headerLength: number;
  totalLength: number;
  id: number;
  ipChecksumOk: boolean;
  sport?: number;
  dport?: number;
  /** TCP/UDP checksum valid over the pseudo-header (undefined for other protocols). */
  checksumOk?: boolean;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  payload: Buffer;
}

/** Parses an IPv4 packet (and its UDP/TCP header); throws on truncation. */
export function parseIpv4(packet: Uint8Array): ParsedPacket {
  const p = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  if (p.length < 20 || p[0]! >> 4 !== 4) throw new Error("not an IPv4 packet");
  const headerLength = (p[0]! & 0x0f) * 4;
  const totalLength = p.readUInt16BE(2);
  if (headerLength < 20 || totalLength < headerLength || totalLength > p.length) throw new Error("truncated IPv4 packet");
  const parsed: ParsedPacket = {
    src: bytesToIp(p, 12),
    dst: bytesToIp(p, 16),
    protocol: p[9]!,
    ttl: p[8]!,
    headerLength,
    totalLength,
    id: p.readUInt16BE(4),
    ipChecksumOk: fold16(sum16(p.subarray(0, headerLength))) === 0,
    payload: p.subarray(headerLength, totalLength),
  };
  const l4 = p.subarray(headerLength, totalLength);
  if (parsed.protocol === PROTO.UDP || parsed.protocol === PROTO.TCP) {
    const minimum = parsed.protocol === PROTO.UDP ? 8 : 20;
    if (l4.length < minimum) throw new Error("truncated transport header");
    parsed.sport = l4.readUInt16BE(0);
    parsed.dport = l4.readUInt16BE(2);
    parsed.checksumOk = fold16(sum16(l4, pseudoHeaderSum(parsed.src, parsed.dst, parsed.protocol, l4.length))) === 0;
    if (parsed.protocol === PROTO.UDP) {
      parsed.payload = l4.subarray(8);
    } else {
      const dataOffset = (l4[12]! >> 4) * 4;
      parsed.seq = l4.readUInt32BE(4);
      parsed.ack = l4.readUInt32BE(8);
      parsed.flags = l4[13]!;
      parsed.window = l4.readUInt16BE(14);
      parsed.payload = l4.subarray(dataOffset);
    }
  }
  return parsed;
}

// Test-side IPv4/TCP codec, written independently of the Lua one so that each
// checks the other: segments are described as plain objects, with flags as
// a string in the order "SFRPA" ("SA" = SYN+ACK, "FA" = FIN+ACK).

export interface Seg {
  flags: string;
  seq: number;
  ack?: number;
  win?: number;
  payload?: string | Buffer;
  mss?: number;
  ws?: number;
  sackPerm?: boolean;
  ts?: [number, number];
  sack?: [number, number][];
  srcAddr?: number;
  dstAddr?: number;
  srcPort?: number;
  dstPort?: number;
}

export interface Decoded extends Required<Pick<Seg, "flags" | "seq" | "ack" | "win" | "srcAddr" | "dstAddr" | "srcPort" | "dstPort">> {
  payload: Buffer;
  mss?: number;
  ws?: number;
  sackPerm?: boolean;
  ts?: [number, number];
  sack?: [number, number][];
  /** Raw option bytes. */
  options: Buffer;
}

const FLAG_BITS: [string, number][] = [["S", 2], ["F", 1], ["R", 4], ["P", 8], ["A", 16], ["U", 32]];

export function ip(a: number, b: number, c: number, d: number): number {
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

/** The remote end in the tests (a client or a server talking to the socket under test). */
export const REMOTE = { addr: ip(198, 18, 0, 1), port: 40000 };
/** The socket under test. */
export const LOCAL = { addr: ip(198, 18, 1, 2), port: 80 };

function sum16(buf: Buffer, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2 === 1) sum += buf[buf.length - 1]! << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

function buildOptions(s: Seg): Buffer {
  const parts: number[] = [];
  if (s.mss !== undefined) parts.push(2, 4, s.mss >> 8, s.mss & 0xff);
  if (s.sackPerm) parts.push(4, 2);
  if (s.ts !== undefined) {
    const b = Buffer.alloc(10);
    b[0] = 8; b[1] = 10; b.writeUInt32BE(s.ts[0] >>> 0, 2); b.writeUInt32BE(s.ts[1] >>> 0, 6);
    parts.push(...b);
  }
  if (s.ws !== undefined) parts.push(3, 3, s.ws);
  if (s.sack !== undefined && s.sack.length > 0) {
    const b = Buffer.alloc(2 + 8 * s.sack.length);
    b[0] = 5; b[1] = b.length;
    s.sack.forEach(([l, r], i) => { b.writeUInt32BE(l >>> 0, 2 + 8 * i); b.writeUInt32BE(r >>> 0, 6 + 8 * i); });
    parts.push(...b);
  }
  while (parts.length % 4 !== 0) parts.push(1);
  return Buffer.from(parts);
}

/** Builds an IPv4 packet from the remote end to the socket under test (unless addresses are given). */
export function encode(s: Seg, rawOptions?: Buffer): Buffer {
  const options = rawOptions ?? buildOptions(s);
  const payload = typeof s.payload === "string" ? Buffer.from(s.payload, "latin1") : (s.payload ?? Buffer.alloc(0));
  const tcpLen = 20 + options.length + payload.length;
  const pkt = Buffer.alloc(20 + tcpLen);
  const src = s.srcAddr ?? REMOTE.addr;
  const dst = s.dstAddr ?? LOCAL.addr;
  pkt[0] = 0x45; pkt.writeUInt16BE(pkt.length, 2); pkt.writeUInt16BE(0x4000, 6); pkt[8] = 64; pkt[9] = 6;
  pkt.writeUInt32BE(src >>> 0, 12); pkt.writeUInt32BE(dst >>> 0, 16);
  pkt.writeUInt16BE(fold(sum16(pkt.subarray(0, 20))), 10);
  const t = pkt.subarray(20);
  t.writeUInt16BE(s.srcPort ?? REMOTE.port, 0);
  t.writeUInt16BE(s.dstPort ?? LOCAL.port, 2);
  t.writeUInt32BE(s.seq >>> 0, 4);
  t.writeUInt32BE((s.ack ?? 0) >>> 0, 8);
  let flags = 0;
  for (const ch of s.flags) {
    const bit = FLAG_BITS.find(([c]) => c === ch);
    if (!bit) throw new Error(`bad flag ${ch}`);
    flags |= bit[1];
  }
  t.writeUInt16BE((((20 + options.length) / 4) << 12) | flags, 12);
  t.writeUInt16BE(s.win ?? 65535, 14);
  options.copy(t, 20);
  payload.copy(t, 20 + options.length);
  const pseudo = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + tcpLen;
  t.writeUInt16BE(fold(sum16(t, pseudo)), 16);
  return pkt;
}

/** Parses an IPv4/TCP packet the socket sent, checking both checksums. */
export function decode(packet: string | Buffer): Decoded {
  const pkt = typeof packet === "string" ? Buffer.from(packet, "latin1") : packet;
  if (pkt[0] !== 0x45) throw new Error("not IPv4 without options");
  if (pkt.readUInt16BE(2) !== pkt.length) throw new Error(`IPv4 length ${pkt.readUInt16BE(2)} != ${pkt.length}`);
  if (fold(sum16(pkt.subarray(0, 20))) !== 0) throw new Error("bad IPv4 checksum");
  const src = pkt.readUInt32BE(12);
  const dst = pkt.readUInt32BE(16);
  const t = pkt.subarray(20);
  const pseudo = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + t.length;
  if (fold(sum16(t, pseudo)) !== 0) throw new Error("bad TCP checksum");
  const doff = (t[12]! >> 4) * 4;
  const bits = t.readUInt16BE(12) & 0x3f;
  const flags = FLAG_BITS.filter(([, b]) => (bits & b) !== 0).map(([c]) => c).join("");
  const options = t.subarray(20, doff);
  const d: Decoded = {
    flags, seq: t.readUInt32BE(4), ack: t.readUInt32BE(8), win: t.readUInt16BE(14),
    srcAddr: src, dstAddr: dst, srcPort: t.readUInt16BE(0), dstPort: t.readUInt16BE(2),
    payload: Buffer.from(t.subarray(doff)), options: Buffer.from(options),
  };
  for (let i = 0; i < options.length;) {
    const kind = options[i]!;
    if (kind === 0) break;
    if (kind === 1) { i++; continue; }
    const len = options[i + 1]!;
    if (len < 2 || i + len > options.length) throw new Error("malformed options from the socket");
    if (kind === 2) d.mss = options.readUInt16BE(i + 2);
    if (kind === 3) d.ws = options[i + 2]!;
    if (kind === 4) d.sackPerm = true;
    if (kind === 8) d.ts = [options.readUInt32BE(i + 2), options.readUInt32BE(i + 6)];
    if (kind === 5) {
      d.sack = [];
      for (let j = i + 2; j < i + len; j += 8) d.sack.push([options.readUInt32BE(j), options.readUInt32BE(j + 4)]);
    }
    i += len;
  }
  return d;
}

/** "SA seq=.. ack=.. len=.." for failure messages. */
export function show(d: Decoded): string {
  return `${d.flags} seq=${d.seq} ack=${d.ack} win=${d.win} len=${d.payload.length}`;
}

// IPv4 + TCP on the wire: parsing a packet into a TcpSegment (with every
// check a malformed packet can fail, each rejection naming its reason) and
// building the headers of an outgoing segment with one `string.pack`. The
// payload is never copied here: output is a list of parts, (headers,
// payload), that the engine gathers when it sends.
import { buildOptions, parseOptions } from "./options";
import { payloadLength, type Payload, type TcpSegment } from "./segment";

const PROTO_TCP = 6;
const IP_HEADER_LEN = 20;
const TCP_HEADER_LEN = 20;

/** The one's-complement sum of the IPv4 pseudo-header (RFC 9293 §3.1). */
export function pseudoHeaderSum(src: number, dst: number, tcpLength: number): number {
  return shr(src, 16) + (src & 0xffff) + shr(dst, 16) + (dst & 0xffff) + PROTO_TCP + tcpLength;
}

function sumString(s: string, initial: number): number {
  return s.length === 0 ? initial : kmod.sum16(s, undefined, undefined, initial);
}

/**
 * `initial` plus the one's-complement sum of the payload, whichever pieces
 * it is in: a piece that starts at an odd offset has its bytes the other
 * way round in every 16-bit word, so its own sum is added byte-swapped
 * (RFC 1071 §2 (B)).
 */
function sumPayload(p: Payload, initial: number): number {
  if (typeof p === "string") return p.length === 0 ? initial : kmod.sum16(p, undefined, undefined, initial);
  if (type(p) !== "table") return payloadLength(p) === 0 ? initial : kmod.sum16(p as string | Bytes, undefined, undefined, initial);
  let sum = initial;
  let odd = false;
  for (const piece of p as (string | Bytes)[]) {
    const n = typeof piece === "string" ? piece.length : piece.len();
    if (n === 0) continue;
    if (odd) {
      const own = 0xffff - kmod.fold16(kmod.sum16(piece));
      sum += shl(own & 0xff, 8) | shr(own, 8);
    } else {
      sum = kmod.sum16(piece, undefined, undefined, sum);
    }
    if (n % 2 === 1) odd = !odd;
  }
  return sum;
}

/**
 * Parses an IPv4 packet carrying TCP. Returns the segment, or undefined and
 * the reason it was rejected: not IPv4/TCP, a fragment, a bad length, a bad
 * data offset, malformed options, or a bad checksum.
 */
export function parseIPv4Tcp(packet: string): LuaMultiReturn<[TcpSegment | undefined, string | undefined]> {
  const n = packet.length;
  if (n < IP_HEADER_LEN) return $multi(undefined, "short IPv4 header");
  const [vihl, , totalLen, , frag, , proto, , src, dst] = string.unpack(">BBHHHBBHI4I4", packet);
  if (shr(vihl as number, 4) !== 4) return $multi(undefined, "not IPv4");
  const ihl = ((vihl as number) & 0x0f) * 4;
  if (ihl < IP_HEADER_LEN || (totalLen as number) > n || (totalLen as number) < ihl) return $multi(undefined, "bad IPv4 length");
  if (proto !== PROTO_TCP) return $multi(undefined, "not TCP");
  if (((frag as number) & 0x3fff) !== 0) return $multi(undefined, "IPv4 fragment");
  const tcpLen = (totalLen as number) - ihl;
  if (tcpLen < TCP_HEADER_LEN) return $multi(undefined, "short TCP header");
  const [srcPort, dstPort, seq, ack, offFlags, window, , urgent] = string.unpack(">HHI4I4HHHH", packet, ihl + 1);
  const doff = shr(offFlags as number, 12) * 4;
  if (doff < TCP_HEADER_LEN || doff > tcpLen) return $multi(undefined, "bad data offset");
  // One checksum pass over the whole TCP segment (kmod.sum16 takes a 0-based offset).
  const sum = kmod.sum16(packet, ihl, tcpLen, shr(src as number, 16) + ((src as number) & 0xffff) + shr(dst as number, 16)
    + ((dst as number) & 0xffff) + PROTO_TCP + tcpLen);
  if (kmod.fold16(sum) !== 0) return $multi(undefined, "bad checksum");
  const payload = string.sub(packet, ihl + doff + 1, totalLen as number);
  const seg: TcpSegment = {
    srcAddr: src as number,
    dstAddr: dst as number,
    srcPort: srcPort as number,
    dstPort: dstPort as number,
    seq: seq as number,
    ack: ack as number,
    flags: (offFlags as number) & 0x3f,
    window: window as number,
    urgent: urgent as number,
    payload,
  };
  if (doff === TCP_HEADER_LEN + 12) {
    // Fast path: NOP NOP TS, the options of nearly every segment once timestamps are on.
    const [a, b, c, d, tsVal, tsEcr] = string.unpack(">BBBBI4I4", packet, ihl + TCP_HEADER_LEN + 1);
    if (a === 1 && b === 1 && c === 8 && d === 10) {
      seg.tsVal = tsVal as number;
      seg.tsEcr = tsEcr as number;
      return $multi(seg, undefined);
    }
  }
  if (doff > TCP_HEADER_LEN) {
    const bad = parseOptions(string.sub(packet, ihl + TCP_HEADER_LEN + 1, ihl + doff), seg);
    if (bad !== undefined) return $multi(undefined, bad);
  }
  return $multi(seg, undefined);
}

let ipIdentification = 0;

/**
 * The IPv4 and TCP headers of `seg` as one string, checksums filled in.
 * With `partialChecksum` the TCP checksum field holds only the folded
 * pseudo-header sum (not inverted), as virtio-net/GSO offload expects the
 * kernel to finish it (CHECKSUM_PARTIAL).
 */
export function encodeHeaders(seg: TcpSegment, partialChecksum?: boolean): string {
  if (seg.tsVal !== undefined && !partialChecksum && seg.mss === undefined && seg.sack === undefined
    && seg.wscale === undefined && !seg.sackPermitted) {
    return encodeTimestampHeaders(seg, seg.tsVal, seg.tsEcr ?? 0);
  }
  const options = buildOptions(seg);
  const tcpHeaderLen = TCP_HEADER_LEN + options.length;
  const payloadLen = payloadLength(seg.payload);
  const tcpLen = tcpHeaderLen + payloadLen;
  const totalLen = IP_HEADER_LEN + tcpLen;
  ipIdentification = (ipIdentification + 1) & 0xffff;
  const src = seg.srcAddr;
  const dst = seg.dstAddr;
  // IPv4 header checksum over the ten 16-bit words, computed from the values.
  const ipSum = 0x4500 + totalLen + ipIdentification + 0x4000 + (64 * 256 + PROTO_TCP)
    + shr(src, 16) + (src & 0xffff) + shr(dst, 16) + (dst & 0xffff);
  const ipChecksum = kmod.fold16(ipSum);
  const offFlags = shl(idiv(tcpHeaderLen, 4), 12) | seg.flags;
  const pseudo = pseudoHeaderSum(src, dst, tcpLen);
  let tcpChecksum: number;
  if (partialChecksum) {
    tcpChecksum = 0xffff - kmod.fold16(pseudo);
  } else {
    let sum = pseudo + seg.srcPort + seg.dstPort + shr(seg.seq, 16) + (seg.seq & 0xffff)
      + shr(seg.ack, 16) + (seg.ack & 0xffff) + offFlags + seg.window + seg.urgent;
    sum = sumString(options, sum);
    sum = sumPayload(seg.payload, sum);
    tcpChecksum = kmod.fold16(sum);
  }
  return string.pack(">BBHHHBBHI4I4HHI4I4HHHH", 0x45, 0, totalLen, ipIdentification, 0x4000, 64, PROTO_TCP, ipChecksum,
    src, dst, seg.srcPort, seg.dstPort, seg.seq, seg.ack, offFlags, seg.window, tcpChecksum, seg.urgent) + options;
}

/**
 * The per-segment fast path once timestamps are on (nearly every segment):
 * NOP NOP TS as the only options, packed with the headers in one call and
 * summed from the values instead of from the bytes.
 */
function encodeTimestampHeaders(seg: TcpSegment, tsVal: number, tsEcr: number): string {
  const payload = seg.payload;
  const payloadLen = typeof payload === "string" ? payload.length : payloadLength(payload);
  const tcpLen = 32 + payloadLen;
  const totalLen = IP_HEADER_LEN + tcpLen;
  ipIdentification = (ipIdentification + 1) & 0xffff;
  const src = seg.srcAddr;
  const dst = seg.dstAddr;
  const ipSum = 0x4500 + totalLen + ipIdentification + 0x4000 + (64 * 256 + PROTO_TCP)
    + shr(src, 16) + (src & 0xffff) + shr(dst, 16) + (dst & 0xffff);
  const offFlags = shl(8, 12) | seg.flags;
  let sum = shr(src, 16) + (src & 0xffff) + shr(dst, 16) + (dst & 0xffff) + PROTO_TCP + tcpLen
    + seg.srcPort + seg.dstPort + shr(seg.seq, 16) + (seg.seq & 0xffff) + shr(seg.ack, 16) + (seg.ack & 0xffff)
    + offFlags + seg.window + seg.urgent
    + 0x0101 + 0x080a + shr(tsVal, 16) + (tsVal & 0xffff) + shr(tsEcr, 16) + (tsEcr & 0xffff);
  if (payloadLen > 0) sum = typeof payload === "string" ? kmod.sum16(payload, undefined, undefined, sum) : sumPayload(payload, sum);
  return string.pack(">BBHHHBBHI4I4HHI4I4HHHHBBBBI4I4", 0x45, 0, totalLen, ipIdentification, 0x4000, 64, PROTO_TCP,
    kmod.fold16(ipSum), src, dst, seg.srcPort, seg.dstPort, seg.seq, seg.ack, offFlags, seg.window, kmod.fold16(sum),
    seg.urgent, 1, 1, 8, 10, tsVal, tsEcr);
}

/** `headers` and the payload's pieces, as parts for the engine to gather (`kmod.send`, `kmod.send_gso`). */
export function packetParts(headers: string, payload: Payload): (string | Bytes)[] {
  if (typeof payload === "string") return payload.length > 0 ? [headers, payload] : [headers];
  if (type(payload) === "table") return [headers, ...(payload as (string | Bytes)[])];
  return payloadLength(payload) > 0 ? [headers, payload as string | Bytes] : [headers];
}

/** The packet as parts for `kmod.send`: headers, then the payload when there is one. */
export function encodeIPv4Tcp(seg: TcpSegment): (string | Bytes)[] {
  return packetParts(encodeHeaders(seg), seg.payload);
}

/** The packet as one string (tests, the simulated link): the parts joined, byte arrays copied out. */
export function encodePacket(seg: TcpSegment): string {
  const parts = encodeIPv4Tcp(seg);
  const strings: string[] = [];
  for (const part of parts) strings.push(typeof part === "string" ? part : part.string());
  return table.concat(strings);
}

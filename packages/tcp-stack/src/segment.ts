// The segment representation shared by the socket and the wire codec: what a
// TCP segment says, already parsed (smoltcp's TcpRepr). The socket takes and
// returns these; `wire.ts` turns them into bytes and back.

/** TCP header flags (RFC 9293 §3.1). */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;

/**
 * A segment's data. Parsed (input) segments carry a string. Output segments
 * carry what the send buffer holds without copying it: a string, a view of
 * an engine byte array (what the application wrote as Bytes, e.g. from the
 * content store), or, when the data spans what was written in pieces, the
 * list of them, for the engine to gather.
 */
export type Payload = string | Bytes | (string | Bytes)[];

export interface TcpSegment {
  /** IPv4 addresses as unsigned 32-bit integers, ports as integers. */
  srcAddr: number;
  dstAddr: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  /** The window field as carried on the wire (before scaling). */
  window: number;
  urgent: number;
  /** Options (RFC 9293 §3.2, RFC 7323, RFC 2018); absent when not carried. */
  mss?: number;
  wscale?: number;
  sackPermitted?: boolean;
  tsVal?: number;
  tsEcr?: number;
  /** SACK blocks as flat pairs: [left1, right1, left2, right2, ...]. */
  sack?: number[];
  payload: Payload;
  /**
   * Output only: the MSS to cut this segment into when its payload is
   * larger than one segment (a GSO super-segment, for the engine's
   * AF_PACKET path). 0 or absent: send as one packet.
   */
  gsoSize?: number;
}

/** Bytes of a payload. */
export function payloadLength(p: Payload): number {
  if (typeof p === "string") return p.length;
  if (type(p) !== "table") return (p as Bytes).len();
  let n = 0;
  for (const piece of p as (string | Bytes)[]) n += typeof piece === "string" ? piece.length : piece.len();
  return n;
}

/** A payload as one string (a copy unless it is one already): for tests, logs and the rare fallback paths. */
export function payloadString(p: Payload): string {
  if (typeof p === "string") return p;
  if (type(p) !== "table") return (p as Bytes).string();
  const pieces: string[] = [];
  for (const piece of p as (string | Bytes)[]) pieces.push(typeof piece === "string" ? piece : piece.string());
  return table.concat(pieces);
}

/** Sequence space a segment occupies: its payload plus one for SYN and one for FIN. */
export function segmentLength(seg: TcpSegment): number {
  let n = payloadLength(seg.payload);
  if ((seg.flags & SYN) !== 0) n += 1;
  if ((seg.flags & FIN) !== 0) n += 1;
  return n;
}

/** A short description for logs and test failures, e.g. `SA seq=1 ack=2 win=64 len=0`. */
export function describeSegment(seg: TcpSegment): string {
  let f = "";
  if ((seg.flags & SYN) !== 0) f += "S";
  if ((seg.flags & FIN) !== 0) f += "F";
  if ((seg.flags & RST) !== 0) f += "R";
  if ((seg.flags & PSH) !== 0) f += "P";
  if ((seg.flags & ACK) !== 0) f += "A";
  return `${f} seq=${seg.seq} ack=${seg.ack} win=${seg.window} len=${payloadLength(seg.payload)}`;
}

// Blocks of a window (RFC 7440) as one UDP-GSO super-datagram for
// kmod.send_gso: the DATA messages laid back to back after one IP and UDP
// header, each exactly blksize + 4 bytes (the last may be shorter); the
// kernel cuts it into one datagram per message and computes their lengths,
// IP ids (the first one's + 1 each) and checksums. One native byte array per
// hit holds the layout; per block only its number and its bytes (copied from
// the store entry by the engine) are written.

import { copyFrom, setU16, slice } from "./bytes";
import { HEADERS_LENGTH, type UdpFlow } from "./packet";
import { OP_DATA } from "./tftp";

/** The engine's smallest segment size: smaller blocks are sent one by one. */
export const GSO_MIN_MSS = 64;
/** Datagrams per send at most (Linux allows a UDP socket 128 segments per send: UDP_MAX_SEGMENTS). */
const MAX_SEGMENTS = 64;
/** An IPv4 packet, super-datagrams included, is at most 65535 bytes. */
const MAX_TOTAL = 65535;

export class DataWindow {
  /** The datagrams' payload size: one DATA message of a full block. */
  readonly mss: number;
  /** Blocks one super-datagram holds at most. */
  readonly capacity: number;
  private readonly blksize: number;
  private readonly layout: Bytes;
  /** Views of the layout's first bytes for super-datagrams shorter than the layout, by length. */
  private readonly shorter = new LuaTable<number, Bytes>();

  constructor(flow: UdpFlow, blksize: number, windowsize: number) {
    this.blksize = blksize;
    this.mss = blksize + 4;
    this.capacity = math.min(windowsize, idiv(MAX_TOTAL - HEADERS_LENGTH, this.mss), MAX_SEGMENTS);
    this.layout = kmod.bytes(HEADERS_LENGTH + this.capacity * this.mss);
    copyFrom(this.layout, flow.headers, 0, 0, HEADERS_LENGTH);
    for (let k = 0; k < this.capacity; k++) setU16(this.layout, HEADERS_LENGTH + k * this.mss, OP_DATA);
  }

  /**
   * DATA `firstWire` .. `firstWire + count - 1` (wrapping at 65536), from
   * `offset` of `entry`, the last `lastLength` bytes long and the others
   * full: the super-datagram to send, valid until the next call. Raises when
   * the entry is gone.
   */
  fill(entry: ByteSource, firstWire: number, count: number, offset: number, lastLength: number): Bytes {
    const layout = this.layout;
    const mss = this.mss;
    const blksize = this.blksize;
    let at = HEADERS_LENGTH;
    let from = offset;
    let wire = firstWire;
    for (let k = 1; k < count; k++) {
      setU16(layout, at + 2, wire);
      copyFrom(layout, entry, at + 4, from, blksize);
      at += mss;
      from += blksize;
      wire = (wire + 1) & 0xFFFF;
    }
    setU16(layout, at + 2, wire);
    copyFrom(layout, entry, at + 4, from, lastLength);
    setU16(layout, 4, firstWire); // the IP id the kernel counts up from
    const total = at + 4 + lastLength;
    if (count === this.capacity && lastLength === blksize) return layout;
    let view = this.shorter.get(total);
    if (view === undefined) {
      view = slice(layout, 0, total);
      this.shorter.set(total, view);
    }
    return view;
  }
}

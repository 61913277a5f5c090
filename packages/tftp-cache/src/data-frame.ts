// One DATA packet of a hit (RFC 1350 §5: opcode 3, block number, bytes),
// kept in a native byte array and rewritten in place for each block sent on
// its own: the fixed fields (addresses, ports, TTL, DF, opcode) are written
// once; per block, its bytes are copied from the store entry by the engine
// (never through a Lua string), and its number, the IP id, the lengths and
// both checksums are set. Nothing is allocated per block but a view for a
// short last block.
//
// The IP id is the block number (RFC 6864: any value for a DF datagram), the
// id UDP segmentation gives the same block in a window (data-window.ts), so
// both ways of sending put the same bytes on the wire.

import { checksum, copyFrom, setU16, setU32, slice } from "./bytes";
import { checksumOf, HEADERS_LENGTH, type UdpFlow } from "./packet";
import { OP_DATA } from "./tftp";

/** Where a block's bytes start: after the IP, UDP and TFTP headers. */
const BODY = HEADERS_LENGTH + 4;

export class DataFrame {
  private readonly frame: Bytes;
  private readonly blksize: number;
  private readonly ipSum: number;
  private readonly udpSum: number;
  /** The frame's first bytes for a block shorter than blksize (the last one), and its length. */
  private short: Bytes | undefined;
  private shortLength = -1;

  constructor(flow: UdpFlow, blksize: number) {
    this.blksize = blksize;
    this.ipSum = flow.ipSum;
    this.udpSum = flow.udpSum;
    this.frame = kmod.bytes(BODY + blksize);
    copyFrom(this.frame, flow.headers, 0, 0, HEADERS_LENGTH);
    setU16(this.frame, HEADERS_LENGTH, OP_DATA);
  }

  /**
   * DATA `wireBlock` with the `length` bytes at `offset` of `entry`: the
   * complete IPv4 packet to send, valid until the next call. Raises when the
   * entry is gone.
   */
  fill(entry: ByteSource, wireBlock: number, offset: number, length: number): Bytes {
    const frame = this.frame;
    copyFrom(frame, entry, BODY, offset, length);
    const udpLength = 12 + length;
    const total = 20 + udpLength;
    setU32(frame, 2, (total << 16) | wireBlock); // total length, id
    setU16(frame, 10, checksumOf(this.ipSum + total + wireBlock));
    const udpCheck = checksum(frame, BODY, length, this.udpSum + udpLength + udpLength + OP_DATA + wireBlock);
    setU32(frame, 24, (udpLength << 16) | (udpCheck === 0 ? 0xFFFF : udpCheck)); // RFC 768: 0 is "no checksum"
    setU16(frame, HEADERS_LENGTH + 2, wireBlock);
    return length === this.blksize ? frame : this.shortFrame(length);
  }

  private shortFrame(length: number): Bytes {
    if (this.shortLength !== length) {
      this.short = slice(this.frame, 0, BODY + length);
      this.shortLength = length;
    }
    return this.short!;
  }
}

// What a hit sends, and how (the ServeOutput of server.ts):
// - several blocks of a window: one UDP-GSO super-datagram per up to
//   `capacity` blocks, to the client's link (kmod.send_gso): one call and one
//   system call for the lot, the datagrams' checksums the kernel's;
// - a block on its own (a lock-step client, a window's lone block): one
//   frame to the client's link (kmod.send_l2), built in place (data-frame.ts);
// - without the link (unknown, `link_layer_sends` off, or a link-layer send
//   that failed): each block through the router's IP output path (kmod.send).
// The OACK goes like a block; ERRORs through the IP output path.
// Nothing is allocated per block or per window in the steady state.

import { DataFrame } from "./data-frame";
import { DataWindow, GSO_MIN_MSS } from "./data-window";
import type { UdpFlow } from "./packet";
import { sendError, sendPacket } from "./send";
import type { ServeOutput } from "./server";
import { counters } from "./stats";

/** Where a hit's client is on the link: the interface and MAC its request came from. */
export interface Link {
  ifindex: number;
  mac: string;
}

const sendL2 = kmod.send_l2;
const sendGso = kmod.send_gso;

export class HitOutput implements ServeOutput {
  readonly flow: UdpFlow;
  link: Link | undefined;
  /** A view of the whole stored file (raises once the entry is evicted or replaced). */
  readonly entry: ByteSource;
  readonly size: number;
  readonly blksize: number;
  readonly frame: DataFrame;
  /** The GSO layout, while windows go out that way. */
  window: DataWindow | undefined;

  constructor(flow: UdpFlow, link: Link | undefined, entry: ByteSource, size: number, blksize: number, windowsize: number) {
    this.flow = flow;
    this.link = link;
    this.entry = entry;
    this.size = size;
    this.blksize = blksize;
    this.frame = new DataFrame(flow, blksize);
    if (link !== undefined && windowsize > 1 && blksize + 4 >= GSO_MIN_MSS) this.window = new DataWindow(flow, blksize, windowsize);
  }

  /** False when the stored file is gone: reading a view of an evicted or replaced entry raises. */
  blocks(first: number, last: number): boolean {
    return pcall(first === last ? sendBlock : sendBlocks, this, first, last)[0];
  }

  message(payload: string): void {
    sendOne(this, this.flow.datagram(payload));
  }

  error(code: number, text: string): void {
    sendError(this.flow, code, text);
  }
}

/** A packet to the client's link, or through the IP output path once that is not possible. */
function sendOne(out: HitOutput, packet: ByteSource): void {
  const link = out.link;
  if (link !== undefined) {
    if (sendL2(packet, link.ifindex, link.mac)) return;
    counters.link_layer_fallbacks++;
    out.link = undefined;
    out.window = undefined;
  }
  sendPacket(packet);
}

/** DATA `block` (an absolute number, from 1) on its own; raises when the entry is gone. */
function sendBlock(this: void, out: HitOutput, block: number): void {
  const offset = (block - 1) * out.blksize;
  const length = math.min(out.blksize, out.size - offset);
  sendOne(out, out.frame.fill(out.entry, block & 0xFFFF, offset, length));
  counters.data_sent++;
  counters.bytes_served += length;
}

/** DATA `first`..`last` (absolute block numbers); raises when the entry is gone. */
function sendBlocks(this: void, out: HitOutput, first: number, last: number): void {
  const blksize = out.blksize;
  let block = first;
  while (block <= last) {
    const window = out.window;
    const count = window === undefined ? 1 : math.min(window.capacity, last - block + 1);
    const offset = (block - 1) * blksize;
    const end = math.min(offset + count * blksize, out.size);
    if (count > 1) {
      const packet = window!.fill(out.entry, block & 0xFFFF, count, offset, end - offset - (count - 1) * blksize);
      if (sendGso(packet, window!.mss, out.link!.ifindex, out.link!.mac)) {
        counters.gso_sends++;
        counters.data_sent += count;
        counters.bytes_served += end - offset;
        block += count;
        continue;
      }
      // The kernel or the interface refused the super-datagram: one block at a time from now on.
      counters.gso_fallbacks++;
      out.window = undefined;
    }
    sendBlock(out, block);
    block++;
  }
}

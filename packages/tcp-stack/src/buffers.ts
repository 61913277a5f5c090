// The byte queues of a connection: the send buffer (bytes written and not yet
// acknowledged), the receive queue (in-order bytes not yet read) and the
// reassembler (out-of-order segments, bounded). They hand out slices; none
// copies more than the slice it returns, and the send buffer's slices of
// byte arrays and of whole chunks copy nothing. (What the sender has in
// flight is sent-queue.ts.)
import type { Payload } from "./segment";
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax } from "./seq";

/** `n` bytes of a chunk from 0-based `from`: the chunk itself, a substring, or a zero-copy view. */
function piece(chunk: string | Bytes, size: number, from: number, n: number): string | Bytes {
  if (from === 0 && n === size) return chunk;
  return typeof chunk === "string" ? string.sub(chunk, from + 1, from + n) : chunk.slice(from, n);
}

/**
 * Bytes written by the application and not yet acknowledged, as a chunk
 * queue. Chunks are kept as written, strings or engine byte arrays (no copy
 * into a string), and slices of them are handed out as such.
 */
export class SendBuffer {
  private readonly chunks = new LuaTable<number, string | Bytes>();
  private readonly sizes = new LuaTable<number, number>();
  private head = 1;
  private tail = 0;
  /** Bytes of chunks[head] already dropped. */
  private headSkip = 0;
  /** Total bytes held. */
  length = 0;
  // A cursor: slices move forward through the buffer, so remember where the last one ended.
  private cursorIndex = 1;
  private cursorStart = 0;

  push(data: string | Bytes): void {
    const size = typeof data === "string" ? data.length : data.len();
    if (size === 0) return;
    this.tail += 1;
    this.chunks.set(this.tail, data);
    this.sizes.set(this.tail, size);
    this.length += size;
  }

  /** Drops the first `n` bytes (acknowledged). */
  drop(n: number): void {
    n = Math.min(n, this.length);
    this.length -= n;
    this.cursorStart -= n;
    while (n > 0) {
      const left = this.sizes.get(this.head) - this.headSkip;
      if (n < left) {
        this.headSkip += n;
        break;
      }
      n -= left;
      this.chunks.delete(this.head);
      this.sizes.delete(this.head);
      this.head += 1;
      this.headSkip = 0;
    }
    if (this.cursorIndex < this.head || this.cursorStart < 0) {
      this.cursorIndex = this.head;
      this.cursorStart = 0;
    }
  }

  /**
   * `len` bytes starting `offset` bytes into the buffer (fewer if the buffer
   * ends first): a piece of one chunk, or the list of pieces when the range
   * spans chunks (nothing is concatenated).
   */
  slice(offset: number, len: number): Payload {
    len = Math.min(len, this.length - offset);
    if (len <= 0) return "";
    // Position the cursor on the chunk holding `offset`; cursorStart is the
    // buffer offset of the first live byte of chunk cursorIndex.
    if (offset < this.cursorStart || this.cursorStart < 0 || this.cursorIndex < this.head) {
      this.cursorIndex = this.head;
      this.cursorStart = 0;
    }
    let index = this.cursorIndex;
    let start = this.cursorStart;
    for (;;) {
      const skip = index === this.head ? this.headSkip : 0;
      const size = this.sizes.get(index) - skip;
      if (offset < start + size) break;
      start += size;
      index += 1;
    }
    this.cursorIndex = index;
    this.cursorStart = start;
    const skip = index === this.head ? this.headSkip : 0;
    const size = this.sizes.get(index);
    const from = skip + (offset - start);
    if (from + len <= size) {
      const chunk = this.chunks.get(index);
      // (The common case, a string chunk, without the call.)
      if (typeof chunk === "string") return from === 0 && len === size ? chunk : string.sub(chunk, from + 1, from + len);
      return piece(chunk, size, from, len);
    }
    const pieces: (string | Bytes)[] = [piece(this.chunks.get(index), size, from, size - from)];
    let got = size - from;
    while (got < len) {
      index += 1;
      const nextSize = this.sizes.get(index);
      const take = Math.min(nextSize, len - got);
      pieces.push(piece(this.chunks.get(index), nextSize, 0, take));
      got += take;
    }
    return pieces;
  }
}

/** In-order received bytes waiting for the application. */
export class ReceiveQueue {
  private readonly chunks = new LuaTable<number, string>();
  private head = 1;
  private tail = 0;
  private headSkip = 0;
  length = 0;

  push(data: string): void {
    if (data.length === 0) return;
    this.tail += 1;
    this.chunks.set(this.tail, data);
    this.length += data.length;
  }

  /** Removes and returns up to `max` bytes. */
  read(max: number): string {
    const pieces: string[] = [];
    let want = Math.min(max, this.length);
    this.length -= want;
    while (want > 0) {
      const chunk = this.chunks.get(this.head);
      const left = chunk.length - this.headSkip;
      if (want < left) {
        pieces.push(string.sub(chunk, this.headSkip + 1, this.headSkip + want));
        this.headSkip += want;
        break;
      }
      pieces.push(this.headSkip === 0 ? chunk : string.sub(chunk, this.headSkip + 1));
      want -= left;
      this.chunks.delete(this.head);
      this.head += 1;
      this.headSkip = 0;
    }
    return pieces.length === 1 ? pieces[0] : table.concat(pieces);
  }
}

/** A contiguous stretch of out-of-order data, kept as the segments' strings (joined only when delivered). */
interface Block {
  start: number;
  end: number;
  pieces: string[];
}

/**
 * Out-of-order data, in sorted, disjoint, coalesced blocks (RFC 9293
 * §3.10.7.4: segments beyond RCV.NXT are held for later processing). Bounded
 * by a number of blocks, that is of holes before them: the window already
 * bounds the bytes, and a hole followed by a whole window of segments is
 * one block.
 */
export class Reassembler {
  private blocks: Block[] = [];
  bytes = 0;
  /** Start of the most recently received segment, for the first SACK block (RFC 2018 §4). */
  private lastSeq = -1;

  isEmpty(): boolean {
    return this.blocks.length === 0;
  }

  /** Stores the parts of [seq, seq+len) not held yet. False when the block limit stopped it. */
  insert(seq: number, data: string, maxBlocks: number): boolean {
    this.lastSeq = seq;
    const len = data.length;
    const end = seqAdd(seq, len);
    const n = this.blocks.length;
    const last = n > 0 ? this.blocks[n - 1] : undefined;
    if (last !== undefined && last.end === seq) {
      // The common case after a hole: the next segment in order extends the last block.
      last.pieces.push(data);
      last.end = end;
      this.bytes += len;
      return true;
    }
    // The parts of [seq, end) that no block holds yet, as new blocks, then everything coalesced.
    const merged: Block[] = [];
    let cur = seq;
    let added = 0;
    const addPiece = (from: number, to: number): void => {
      const offset = seqDiff(from, seq);
      merged.push({ start: from, end: to, pieces: [string.sub(data, offset + 1, offset + seqDiff(to, from))] });
      added += seqDiff(to, from);
    };
    for (const b of this.blocks) {
      if (seqLt(cur, end) && seqGt(b.start, cur)) addPiece(cur, seqLt(b.start, end) ? b.start : end);
      if (seqGt(b.end, cur)) cur = seqMax(cur, b.end);
      merged.push(b);
    }
    if (seqLt(cur, end)) addPiece(cur, end);
    if (added === 0) return true;
    table.sort(merged, (a, b) => seqLt(a.start, b.start));
    const result: Block[] = [];
    for (const b of merged) {
      const prev = result.length > 0 ? result[result.length - 1] : undefined;
      if (prev !== undefined && prev.end === b.start) {
        // Touching: one block (copies of the old blocks, which stay intact if the limit refuses this).
        result[result.length - 1] = { start: prev.start, end: b.end, pieces: [...prev.pieces, ...b.pieces] };
      } else {
        result.push(b);
      }
    }
    if (result.length > maxBlocks && result.length > n) return false;
    this.blocks = result;
    this.bytes += added;
    return true;
  }

  /** Removes the bytes that now follow `rcvNxt` contiguously and returns them (or undefined). */
  pop(rcvNxt: number): string | undefined {
    let pieces: string[] | undefined;
    while (this.blocks.length > 0) {
      const b = this.blocks[0];
      if (seqGt(b.start, rcvNxt)) break;
      table.remove(this.blocks, 1);
      this.bytes -= seqDiff(b.end, b.start);
      if (seqLe(b.end, rcvNxt)) continue;
      const data = b.pieces.length === 1 ? b.pieces[0] : table.concat(b.pieces);
      const piece = b.start === rcvNxt ? data : string.sub(data, seqDiff(rcvNxt, b.start) + 1);
      if (pieces === undefined) pieces = [];
      pieces.push(piece);
      rcvNxt = b.end;
    }
    if (pieces === undefined) return undefined;
    return pieces.length === 1 ? pieces[0] : table.concat(pieces);
  }

  /**
   * Up to `max` SACK blocks (flat [left, right] pairs) over the held data,
   * the one holding the latest segment first (RFC 2018 §4).
   */
  sackBlocks(max: number): number[] {
    const out: number[] = [];
    let first: Block | undefined;
    for (const b of this.blocks) {
      if (this.lastSeq >= 0 && seqGe(this.lastSeq, b.start) && seqLt(this.lastSeq, b.end)) {
        first = b;
        out.push(b.start, b.end);
      }
    }
    for (const b of this.blocks) {
      if (out.length >= 2 * max) break;
      if (b !== first) out.push(b.start, b.end);
    }
    return out;
  }
}

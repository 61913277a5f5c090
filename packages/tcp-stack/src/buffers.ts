// The byte queues of a connection: the send buffer (bytes written and not yet
// acknowledged), the receive queue (in-order bytes not yet read), the
// reassembler (out-of-order segments, bounded) and the SACK scoreboard
// (ranges the peer reported holding, RFC 2018). All hold Lua strings and
// hand out slices; none copies more than the slice it returns.
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax } from "./seq";

/** Bytes written by the application and not yet acknowledged, as a chunk queue. */
export class SendBuffer {
  private readonly chunks = new LuaTable<number, string>();
  private head = 1;
  private tail = 0;
  /** Bytes of chunks[head] already dropped. */
  private headSkip = 0;
  /** Total bytes held. */
  length = 0;
  // A cursor: slices move forward through the buffer, so remember where the last one ended.
  private cursorIndex = 1;
  private cursorStart = 0;

  push(data: string): void {
    if (data.length === 0) return;
    this.tail += 1;
    this.chunks.set(this.tail, data);
    this.length += data.length;
  }

  /** Drops the first `n` bytes (acknowledged). */
  drop(n: number): void {
    n = Math.min(n, this.length);
    this.length -= n;
    this.cursorStart -= n;
    while (n > 0) {
      const chunk = this.chunks.get(this.head);
      const left = chunk.length - this.headSkip;
      if (n < left) {
        this.headSkip += n;
        break;
      }
      n -= left;
      this.chunks.delete(this.head);
      this.head += 1;
      this.headSkip = 0;
    }
    if (this.cursorIndex < this.head || this.cursorStart < 0) {
      this.cursorIndex = this.head;
      this.cursorStart = 0;
    }
  }

  /** `len` bytes starting `offset` bytes into the buffer (fewer if the buffer ends first). */
  slice(offset: number, len: number): string {
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
      const size = this.chunks.get(index).length - skip;
      if (offset < start + size) break;
      start += size;
      index += 1;
    }
    this.cursorIndex = index;
    this.cursorStart = start;
    const skip = index === this.head ? this.headSkip : 0;
    const chunk = this.chunks.get(index);
    const from = skip + (offset - start) + 1;
    if (from + len - 1 <= chunk.length) {
      return from === 1 && len === chunk.length ? chunk : string.sub(chunk, from, from + len - 1);
    }
    // The slice spans chunks: gather the pieces.
    const pieces: string[] = [string.sub(chunk, from)];
    let got = chunk.length - from + 1;
    while (got < len) {
      index += 1;
      const next = this.chunks.get(index);
      const take = Math.min(next.length, len - got);
      pieces.push(take === next.length ? next : string.sub(next, 1, take));
      got += take;
    }
    return table.concat(pieces);
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

interface Block {
  start: number;
  data: string;
}

/**
 * Out-of-order segments, kept sorted and non-overlapping (RFC 9293 §3.10.7.4:
 * segments beyond RCV.NXT are held for later processing). Bounded by a
 * number of blocks; the window already bounds the bytes.
 */
export class Reassembler {
  private blocks: Block[] = [];
  bytes = 0;
  /** Start of the most recently received block, for the first SACK block (RFC 2018 §4). */
  private lastSeq = -1;

  isEmpty(): boolean {
    return this.blocks.length === 0;
  }

  /** Stores the parts of [seq, seq+len) not held yet. False when the block limit stopped it. */
  insert(seq: number, data: string, maxBlocks: number): boolean {
    const end = seqAdd(seq, data.length);
    const result: Block[] = [];
    let cur = seq;
    let added = 0;
    let ok = true;
    const addPiece = (from: number, to: number): void => {
      if (this.blocks.length + added >= maxBlocks) {
        ok = false;
        return;
      }
      const offset = seqDiff(from, seq);
      result.push({ start: from, data: string.sub(data, offset + 1, offset + seqDiff(to, from)) });
      this.bytes += seqDiff(to, from);
      added += 1;
    };
    for (const b of this.blocks) {
      const bEnd = seqAdd(b.start, b.data.length);
      if (seqLt(cur, end) && seqGt(b.start, cur)) addPiece(cur, seqLt(b.start, end) ? b.start : end);
      if (seqGt(bEnd, cur)) cur = seqMax(cur, bEnd);
      result.push(b);
    }
    if (seqLt(cur, end)) addPiece(cur, end);
    if (added > 0) {
      table.sort(result, (a, b) => seqLt(a.start, b.start));
      this.blocks = result;
    }
    this.lastSeq = seq;
    return ok;
  }

  /** Removes the bytes that now follow `rcvNxt` contiguously and returns them (or undefined). */
  pop(rcvNxt: number): string | undefined {
    let pieces: string[] | undefined;
    while (this.blocks.length > 0) {
      const b = this.blocks[0];
      if (seqGt(b.start, rcvNxt)) break;
      table.remove(this.blocks, 1);
      this.bytes -= b.data.length;
      const end = seqAdd(b.start, b.data.length);
      if (seqLe(end, rcvNxt)) continue;
      const piece = string.sub(b.data, seqDiff(rcvNxt, b.start) + 1);
      if (pieces === undefined) pieces = [];
      pieces.push(piece);
      rcvNxt = end;
    }
    if (pieces === undefined) return undefined;
    return pieces.length === 1 ? pieces[0] : table.concat(pieces);
  }

  /**
   * Up to `max` SACK blocks (flat [left, right] pairs) over the held data,
   * contiguous blocks merged, the one holding the latest segment first
   * (RFC 2018 §4).
   */
  sackBlocks(max: number): number[] {
    const ranges: number[] = [];
    for (const b of this.blocks) {
      const end = seqAdd(b.start, b.data.length);
      const n = ranges.length;
      if (n > 0 && ranges[n - 1] === b.start) ranges[n - 1] = end;
      else ranges.push(b.start, end);
    }
    const out: number[] = [];
    let first = -1;
    for (let i = 0; i < ranges.length; i += 2) {
      if (this.lastSeq >= 0 && seqGe(this.lastSeq, ranges[i]) && seqLt(this.lastSeq, ranges[i + 1])) {
        first = i;
        out.push(ranges[i], ranges[i + 1]);
      }
    }
    for (let i = 0; i < ranges.length && out.length < 2 * max; i += 2) {
      if (i !== first) out.push(ranges[i], ranges[i + 1]);
    }
    return out;
  }
}

/**
 * The sender's record of SACKed ranges above SND.UNA (RFC 2018 §5, RFC 6675
 * §3): sorted, disjoint, merged. Bounded; the oldest information gives way.
 */
export class SackScoreboard {
  /** Flat [start, end) pairs, sorted. */
  private ranges: number[] = [];
  sackedBytes = 0;

  isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  clear(): void {
    this.ranges = [];
    this.sackedBytes = 0;
  }

  /** The highest SACKed sequence number (end of the last range), or undefined. */
  highest(): number | undefined {
    const n = this.ranges.length;
    return n > 0 ? this.ranges[n - 1] : undefined;
  }

  add(left: number, right: number): void {
    const next: number[] = [];
    let placed = false;
    for (let i = 0; i < this.ranges.length; i += 2) {
      const s = this.ranges[i];
      const e = this.ranges[i + 1];
      if (seqLt(e, left)) {
        next.push(s, e);
      } else if (seqLt(right, s)) {
        if (!placed) {
          next.push(left, right);
          placed = true;
        }
        next.push(s, e);
      } else {
        // Overlapping or touching: merge into [left, right).
        if (seqLt(s, left)) left = s;
        if (seqGt(e, right)) right = e;
      }
    }
    if (!placed) next.push(left, right);
    this.ranges = next;
    this.recount();
  }

  /** Forgets everything at or below `una` (acknowledged cumulatively). */
  trim(una: number): void {
    const next: number[] = [];
    for (let i = 0; i < this.ranges.length; i += 2) {
      const s = this.ranges[i];
      const e = this.ranges[i + 1];
      if (seqLe(e, una)) continue;
      next.push(seqLt(s, una) ? una : s, e);
    }
    this.ranges = next;
    this.recount();
  }

  /** True when `seq` lies in a SACKed range. */
  isSacked(seq: number): boolean {
    for (let i = 0; i < this.ranges.length; i += 2) {
      if (seqGe(seq, this.ranges[i]) && seqLt(seq, this.ranges[i + 1])) return true;
    }
    return false;
  }

  /**
   * The first hole at or after `from` and below the highest SACKed byte:
   * returns its start and length, or length 0 when there is none.
   */
  nextHole(from: number): LuaMultiReturn<[number, number]> {
    for (let i = 0; i < this.ranges.length; i += 2) {
      const s = this.ranges[i];
      const e = this.ranges[i + 1];
      if (seqLt(from, s)) return $multi(from, seqDiff(s, from));
      if (seqLt(from, e)) from = e;
    }
    return $multi(from, 0);
  }

  /** Bytes in holes between `from` and the highest SACKed byte (deemed lost, RFC 6675 IsLost simplified). */
  holeBytesFrom(from: number): number {
    let total = 0;
    for (let i = 0; i < this.ranges.length; i += 2) {
      const s = this.ranges[i];
      const e = this.ranges[i + 1];
      if (seqLt(from, s)) total += seqDiff(s, from);
      if (seqLt(from, e)) from = e;
    }
    return total;
  }

  private recount(): void {
    let total = 0;
    for (let i = 0; i < this.ranges.length; i += 2) total += seqDiff(this.ranges[i + 1], this.ranges[i]);
    this.sackedBytes = total;
    // Bound the scoreboard: keep the 32 highest ranges.
    if (this.ranges.length > 64) {
      this.ranges = this.ranges.slice(this.ranges.length - 64);
      this.recount();
    }
  }
}

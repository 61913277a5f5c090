// The miss path: a transfer the origin serves, watched from the router. The
// recorder appends the DATA blocks to a store entry in order and commits the
// entry on the short last block (RFC 1350 §6: a block shorter than the block
// size ends the transfer). It never commits a transfer that ended in ERROR,
// stalled, skipped a block, or agreed options it cannot follow. Sans-I/O:
// the hook hands it messages, it talks only to the Store.

import { BLKSIZE_MAX, BLKSIZE_MIN, DEFAULT_BLKSIZE } from "./options";
import { optionInteger } from "./tftp";
import type { Store } from "./store";

/** What a DATA message did to the recording. */
export const RECORD_CONTINUE = 0;
export const RECORD_COMMITTED = 1;
export const RECORD_ABORTED = 2;

export class Recording {
  readonly key: string;
  readonly originIp: number;
  readonly clientIp: number;
  readonly clientPort: number;
  /** The origin's port for this transfer (RFC 1350 §4 TID), 0 until its first answer. */
  originTid = 0;
  blksize = DEFAULT_BLKSIZE;
  /** File size the origin announced (tsize in its OACK), or undefined. */
  announcedSize: number | undefined;
  /** The next block to append, counted from 1 without wrapping (block numbers on the wire wrap at 65536). */
  expected = 1;
  bytes = 0;
  handle: number | undefined;
  lastActivityMs: number;
  /** Blocks seen ahead of `expected` (a block the router never saw): they are not appended. */
  gaps = 0;
  finished = false;
  /** Why it was not committed (when finished without commit). */
  reason: string | undefined;
  timer: number | undefined;
  private readonly store: Store;
  private readonly requested: LuaTable<string, string>;
  private readonly ttlMs: number;
  private readonly maxEntryBytes: number;
  /** Octet transfers must match the OACK's tsize; netascii ones may not (RFC 2349 §tsize). */
  private readonly strictSize: boolean;

  constructor(store: Store, key: string, originIp: number, clientIp: number, clientPort: number,
    requested: LuaTable<string, string>, strictSize: boolean, ttlMs: number, maxEntryBytes: number, nowMs: number) {
    this.strictSize = strictSize;
    this.store = store;
    this.key = key;
    this.originIp = originIp;
    this.clientIp = clientIp;
    this.clientPort = clientPort;
    this.requested = requested;
    this.ttlMs = ttlMs;
    this.maxEntryBytes = maxEntryBytes;
    this.lastActivityMs = nowMs;
  }

  /** Ends the recording without committing. */
  abort(reason: string): number {
    if (!this.finished) {
      this.finished = true;
      this.reason = reason;
      if (this.handle !== undefined) this.store.abort(this.handle);
      this.handle = undefined;
    }
    return RECORD_ABORTED;
  }

  /**
   * The origin's OACK (RFC 2347): the options it agreed. Only options the
   * client asked for, with values we can follow, are accepted; anything else
   * aborts the recording (the transfer itself goes on untouched).
   */
  onOack(options: LuaTable<string, string>): number {
    if (this.expected !== 1 || this.handle !== undefined) return this.abort("OACK after DATA");
    for (const [name, value] of options) {
      if (this.requested.get(name) === undefined) return this.abort("OACK with an option the client did not ask");
      const n = optionInteger(value);
      if (name === "blksize") {
        if (n === undefined || n < BLKSIZE_MIN || n > BLKSIZE_MAX) return this.abort("OACK blksize out of range");
        this.blksize = n;
      } else if (name === "tsize") {
        if (n === undefined) return this.abort("OACK tsize invalid");
        if (this.strictSize && n > this.maxEntryBytes) return this.abort("file larger than the maximum entry size");
        this.announcedSize = n;
      } else if (name === "timeout" || name === "windowsize") {
        if (n === undefined) return this.abort(`OACK ${name} invalid`);
      } else if (name === "rollover") {
        // tftp-hpa's extension (the npm tftp client asks "rollover 0"): 0 is
        // the wrap every TFTP peer does anyway; to 1 the recording cannot follow.
        if (n !== 0) return this.abort("OACK rollover other than 0");
      } else {
        return this.abort("OACK with an unknown option");
      }
    }
    return RECORD_CONTINUE;
  }

  /**
   * A DATA message from the origin: `block` as on the wire, `body` its bytes
   * (a packet view or a string, `length` bytes). In-order blocks are
   * appended; a retransmitted older block is ignored; a block ahead of the
   * next expected one is a gap and is not appended (a windowed sender rolls
   * back and sends the missing block again, RFC 7440 §4).
   */
  onData(block: number, body: ByteSource, length: number, nowMs: number): number {
    if (this.finished) return RECORD_ABORTED;
    this.lastActivityMs = nowMs;
    const diff = (block - this.expected) & 0xFFFF;
    if (diff !== 0) {
      if (diff < 0x8000) this.gaps++;
      return RECORD_CONTINUE;
    }
    if (length > this.blksize) return this.abort("DATA longer than the block size");
    if (this.bytes + length > this.maxEntryBytes) return this.abort("file larger than the maximum entry size");
    if (this.handle === undefined) {
      const [handle, why] = this.store.begin(this.key, this.announcedSize ?? 0);
      if (handle === undefined) return this.abort(`store refused the entry: ${why}`);
      this.handle = handle;
    }
    if (length > 0) {
      const [ok, why] = this.store.append(this.handle, body);
      if (!ok) return this.abort(`store refused the bytes: ${why}`);
    }
    this.bytes += length;
    this.expected++;
    if (length === this.blksize) return RECORD_CONTINUE;
    // The short block: the whole file was seen, in order.
    if (this.strictSize && this.announcedSize !== undefined && this.announcedSize !== this.bytes) {
      return this.abort("size differs from the OACK's tsize");
    }
    this.store.commit(this.handle, this.ttlMs);
    this.handle = undefined;
    this.finished = true;
    return RECORD_COMMITTED;
  }
}

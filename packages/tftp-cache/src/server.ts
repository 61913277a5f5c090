// The hit path: one transfer the cache serves itself from a stored file.
// Sans-I/O: the hook hands it the client's messages and the clock, it calls
// its ServeOutput to send and reports when it is finished.
//
// - Options were negotiated before (options.ts); with an OACK it waits for
//   ACK 0 (RFC 2347), without one it starts with DATA 1.
// - Windows of `windowsize` blocks (RFC 7440 §4): an ACK of block n within
//   what was sent moves the window to n+1 and sends it; an ACK inside the
//   window (the client saw a loss) rolls back to n+1.
// - A duplicate ACK is ignored: only the timer retransmits, so a delayed
//   packet cannot double every later block (the Sorcerer's Apprentice,
//   RFC 1123 §4.2.3.1).
// - Block numbers wrap to 0 after 65535 (what tftpd-hpa and most clients do);
//   the server counts blocks without wrapping and maps ACKs back.
// - An ACK for a block never sent ends the transfer with ERROR 4.

import { ERR_ILLEGAL_OPERATION, ERR_UNDEFINED } from "./tftp";

export interface ServeOutput {
  /** Sends DATA `first`..`last` (absolute block numbers, from 1); false when the stored file is gone. */
  blocks(first: number, last: number): boolean;
  /** Sends a payload given as a string (OACK). */
  message(payload: string): void;
  error(code: number, text: string): void;
}

export class Serving {
  readonly key: string;
  readonly size: number;
  readonly blksize: number;
  readonly windowsize: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** Blocks in the file: a file that is a multiple of the block size ends with an empty block. */
  readonly totalBlocks: number;
  readonly clientIp: number;
  readonly clientPort: number;
  readonly originIp: number;
  /** Our port (the TID the client answers to). */
  readonly port: number;
  /** The OACK to (re)send until ACK 0, or undefined. */
  private readonly oack: string | undefined;
  readonly out: ServeOutput;
  acked = 0;
  sent = 0;
  retries = 0;
  deadlineMs = 0;
  finished = false;
  timer: number | undefined;
  duplicateAcks = 0;
  retransmissions = 0;
  /** True when the transfer ended on an ACK it could not accept. */
  badAck = false;

  constructor(out: ServeOutput, key: string, size: number, blksize: number, windowsize: number, timeoutMs: number, maxRetries: number,
    oack: string | undefined, clientIp: number, clientPort: number, originIp: number, port: number) {
    this.out = out;
    this.key = key;
    this.size = size;
    this.blksize = blksize;
    this.windowsize = windowsize;
    this.timeoutMs = timeoutMs;
    this.maxRetries = maxRetries;
    this.totalBlocks = idiv(size, blksize) + 1;
    this.oack = oack;
    this.clientIp = clientIp;
    this.clientPort = clientPort;
    this.originIp = originIp;
    this.port = port;
  }

  start(nowMs: number): void {
    if (this.oack !== undefined) {
      this.out.message(this.oack);
      this.deadlineMs = nowMs + this.timeoutMs;
    } else {
      this.sendWindow(1, nowMs);
    }
  }

  private waitingForOackAck(): boolean {
    return this.oack !== undefined && this.sent === 0;
  }

  /** Sends blocks from..from+windowsize-1 (as far as the file goes). */
  private sendWindow(from: number, nowMs: number): void {
    const last = math.min(from + this.windowsize - 1, this.totalBlocks);
    if (!this.out.blocks(from, last)) {
      this.finish(ERR_UNDEFINED, "file no longer cached");
      return;
    }
    if (last > this.sent) this.sent = last;
    this.deadlineMs = nowMs + this.timeoutMs;
  }

  /** Ends the transfer, telling the client why when `code` is given. */
  finish(code?: number, text?: string): void {
    if (this.finished) return;
    this.finished = true;
    if (code !== undefined) this.out.error(code, text ?? "");
  }

  /** The client's ACK of `block` (as on the wire). */
  onAck(block: number, nowMs: number): void {
    if (this.finished) return;
    if (this.waitingForOackAck()) {
      // RFC 2347: the client acknowledges the OACK with ACK 0.
      if (block !== 0) {
        this.badAck = true;
        this.finish(ERR_ILLEGAL_OPERATION, "expected ACK 0 for the OACK");
        return;
      }
      this.retries = 0;
      this.sendWindow(1, nowMs);
      return;
    }
    const diff = (block - this.acked) & 0xFFFF;
    if (diff === 0) {
      this.duplicateAcks++;
      return;
    }
    if (diff <= this.sent - this.acked) {
      this.acked += diff;
      this.retries = 0;
      if (this.acked >= this.totalBlocks) {
        this.finished = true;
        return;
      }
      this.sendWindow(this.acked + 1, nowMs);
      return;
    }
    if (diff >= 0x8000) {
      // An ACK older than the last one (delayed on the way): nothing to do.
      this.duplicateAcks++;
      return;
    }
    this.badAck = true;
    this.finish(ERR_ILLEGAL_OPERATION, "ACK for a block not sent");
  }

  /** The retransmission timer expired at `nowMs` (deadline reached). */
  onTimeout(nowMs: number): void {
    if (this.finished) return;
    this.retries++;
    if (this.retries > this.maxRetries) {
      this.finish(ERR_UNDEFINED, "transfer timed out");
      return;
    }
    this.retransmissions++;
    if (this.waitingForOackAck()) {
      this.out.message(this.oack!);
      this.deadlineMs = nowMs + this.timeoutMs;
    } else {
      this.sendWindow(this.acked + 1, nowMs);
    }
  }
}

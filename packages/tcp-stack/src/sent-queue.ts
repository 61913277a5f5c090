// What the sender has in flight, run by run: the scoreboard of RFC 6675 §3
// and the per-segment state of RFC 8985 §6.1 (transmit time, SACKed, lost,
// retransmitted). A run is a stretch of sequence space sent at one time
// with the same state: a segment, an offload unit, or consecutive segments
// of one burst (merged, so a burst costs one record). Runs are split where a
// SACK block or a partial retransmission ends inside one. The byte counts
// give RFC 6675's pipe without a walk: in flight - SACKed - lost +
// retransmitted (Linux's tcp_packets_in_flight).
//
// Besides its time, each transmission gets a number in sending order: the
// clock has microseconds (and stands still in the simulator), so a
// retransmission and data sent just before it often share a time, and
// RACK's "sent after" must not confuse them (RFC 8985 breaks ties by
// sequence number, right only within one burst).
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from "./seq";

/** The receiver holds it (RFC 2018). */
export const SACKED = 1;
/** Deemed lost (RACK, RFC 6675 IsLost, NewReno, a timeout): to be retransmitted unless RETRANS is set too. */
export const LOST = 2;
/** A retransmission of it is in flight. */
export const RETRANS = 4;
/** Retransmitted at least once (RACK's Segment.retransmitted). */
export const EVER_RETRANSMITTED = 8;

export interface SentRun {
  start: number;
  end: number;
  /** When it was last sent, µs, and that transmission's number in sending order. */
  xmitUs: number;
  xmitOrder: number;
  flags: number;
  next: SentRun | undefined;
}

/** Told of every run newly delivered (acknowledged cumulatively or selectively). */
export interface DeliveryObserver {
  delivered(xmitUs: number, xmitOrder: number, end: number, flags: number): void;
}

export class SentQueue {
  head: SentRun | undefined;
  tail: SentRun | undefined;
  sackedBytes = 0;
  lostBytes = 0;
  retransBytes = 0;
  /** Bytes LOST and neither retransmitted since nor SACKed: what recovery must send. */
  pendingBytes = 0;
  /** The number of the last transmission. */
  private order = 0;

  /** Records new data [start, end) sent at `now`. */
  append(start: number, end: number, now: number): void {
    const tail = this.tail;
    if (tail !== undefined && tail.end === start && tail.xmitUs === now && tail.flags === 0 && tail.xmitOrder === this.order) {
      tail.end = end;
      return;
    }
    this.order += 1;
    const run: SentRun = { start, end, xmitUs: now, xmitOrder: this.order, flags: 0, next: undefined };
    if (tail === undefined) this.head = run;
    else tail.next = run;
    this.tail = run;
  }

  /** SND.UNA moved to `ack`: drops what it covers, telling `observer` of what had not been SACKed. */
  acknowledge(ack: number, observer: DeliveryObserver): void {
    let run = this.head;
    while (run !== undefined && seqLe(run.end, ack)) {
      if ((run.flags & SACKED) === 0) observer.delivered(run.xmitUs, run.xmitOrder, run.end, run.flags);
      if (run.flags !== 0) this.add(run.flags, -seqDiff(run.end, run.start));
      run = run.next;
    }
    this.head = run;
    if (run === undefined) {
      this.tail = undefined;
    } else if (seqLt(run.start, ack)) {
      // Part of a run: deliver and drop that part.
      if ((run.flags & SACKED) === 0) observer.delivered(run.xmitUs, run.xmitOrder, ack, run.flags);
      if (run.flags !== 0) this.add(run.flags, -seqDiff(ack, run.start));
      run.start = ack;
    }
  }

  /** RFC 2018: the receiver holds [left, right); marks it SACKED and tells `observer` of what is new. */
  sack(left: number, right: number, observer: DeliveryObserver): void {
    let run = this.head;
    while (run !== undefined && seqLe(run.end, left)) run = run.next;
    while (run !== undefined && seqLt(run.start, right)) {
      if ((run.flags & SACKED) === 0) {
        if (seqLt(run.start, left)) {
          this.split(run, left);
          run = run.next!;
        }
        if (seqGt(run.end, right)) this.split(run, right);
        this.setFlags(run, (run.flags | SACKED) & ~(LOST | RETRANS));
        observer.delivered(run.xmitUs, run.xmitOrder, run.end, run.flags);
      }
      run = run.next;
    }
  }

  /** Marks a run lost; a retransmission of it in flight is lost too (RFC 8985 §6.2). */
  markLost(run: SentRun): void {
    this.setFlags(run, (run.flags | LOST) & ~RETRANS);
  }

  /** The first `bytes` of the queue lost (NewReno and RFC 6675 step 4.3: the segment at SND.UNA), unless SACKed. */
  markHeadLost(bytes: number): void {
    const head = this.head;
    if (head === undefined || (head.flags & (SACKED | LOST)) !== 0) return;
    if (seqDiff(head.end, head.start) > bytes) this.split(head, seqAdd(head.start, bytes));
    this.markLost(head);
  }

  /**
   * RFC 6675 IsLost: every run with more than `threshold` bytes SACKed above
   * it (threshold = (DupThresh - 1) * SMSS) is lost.
   */
  markLostBySackedAbove(threshold: number): void {
    let above = this.sackedBytes;
    for (let run = this.head; run !== undefined && above > threshold; run = run.next) {
      if ((run.flags & SACKED) !== 0) above -= seqDiff(run.end, run.start);
      else if ((run.flags & LOST) === 0) this.markLost(run);
    }
  }

  /** A retransmission timeout: everything is lost, and SACK information is dropped (RFC 2018 §8). */
  markAllLost(): void {
    for (let run = this.head; run !== undefined; run = run.next) this.setFlags(run, (run.flags & EVER_RETRANSMITTED) | LOST);
  }

  /** The run was (re)sent at `now` as a retransmission. */
  retransmitted(run: SentRun, now: number): void {
    run.xmitUs = now;
    this.order += 1;
    run.xmitOrder = this.order;
    this.setFlags(run, run.flags | RETRANS | EVER_RETRANSMITTED);
  }

  /** The first run that is lost and not yet retransmitted, or undefined. */
  firstPending(): SentRun | undefined {
    if (this.pendingBytes === 0) return undefined;
    let run = this.head;
    while (run !== undefined && (run.flags & (SACKED | LOST | RETRANS)) !== LOST) run = run.next;
    return run;
  }

  /** Splits `run` at `seq` (inside it): `run` keeps [start, seq), a new run after it takes [seq, end). */
  split(run: SentRun, seq: number): void {
    const rest: SentRun = { start: seq, end: run.end, xmitUs: run.xmitUs, xmitOrder: run.xmitOrder, flags: run.flags, next: run.next };
    run.end = seq;
    run.next = rest;
    if (this.tail === run) this.tail = rest;
  }

  private setFlags(run: SentRun, flags: number): void {
    const len = seqDiff(run.end, run.start);
    this.add(run.flags, -len);
    run.flags = flags;
    this.add(flags, len);
  }

  private add(flags: number, n: number): void {
    if ((flags & SACKED) !== 0) this.sackedBytes += n;
    if ((flags & LOST) !== 0) this.lostBytes += n;
    if ((flags & RETRANS) !== 0) this.retransBytes += n;
    if ((flags & (SACKED | LOST | RETRANS)) === LOST) this.pendingBytes += n;
  }
}

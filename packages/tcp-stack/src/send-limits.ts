// What held the sender back, and for how long, like Linux's tcp_chrono
// (tcp_info's busy, rwnd-limited and sndbuf-limited times): after every
// round of sending the socket says what stopped it, and the time until the
// next change is charged to that. For debugging throughput: a transfer
// limited by cwnd is the network's (or the ACK clock's) doing, by the
// peer's window the receiver's, by the send buffer too small a buffer for
// the path, by the application that it did not write fast enough.

/** Nothing in flight, nothing to send. */
export const LIMIT_IDLE = 0;
/** Data waits, cwnd - pipe does not allow it. */
export const LIMIT_CWND = 1;
/** Data waits, the peer's window does not allow it. */
export const LIMIT_RWND = 2;
/** All written data is sent and the send buffer is full: the next write waits for ACKs. */
export const LIMIT_SNDBUF = 3;
/** All written data is sent and the buffer has room: the application has not written more. */
export const LIMIT_APP = 4;

export class SendLimits {
  /** µs spent limited by each cause. */
  cwndUs = 0;
  rwndUs = 0;
  sndbufUs = 0;
  appUs = 0;
  private state = LIMIT_IDLE;
  private since = 0;

  /** The sender is now held back by `state`. */
  enter(state: number, now: number): void {
    if (state === this.state) return;
    this.settle(now);
    this.state = state;
  }

  /** Charges the time since the last change to the current cause (for reading the totals). */
  settle(now: number): void {
    const elapsed = now - this.since;
    this.since = now;
    const state = this.state;
    if (state === LIMIT_CWND) this.cwndUs += elapsed;
    else if (state === LIMIT_RWND) this.rwndUs += elapsed;
    else if (state === LIMIT_SNDBUF) this.sndbufUs += elapsed;
    else if (state === LIMIT_APP) this.appUs += elapsed;
  }
}

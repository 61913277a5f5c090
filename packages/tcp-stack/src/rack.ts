// RACK (RFC 8985 §6): loss detection by time instead of by counting
// duplicate ACKs. A segment is lost when a segment sent after it has been
// delivered and it has had RACK.rtt plus a reordering window to arrive. That
// also finds lost retransmissions and losses at any position in a flight,
// which duplicate-ACK counting leaves to the retransmission timeout. The
// receiver's D-SACKs (RFC 2883) widen the reordering window when they show
// that a retransmission was spurious (§6.2 step 4).
import { EVER_RETRANSMITTED, LOST, RETRANS, SACKED, type DeliveryObserver, type SentQueue } from "./sent-queue";
import { seqGe, seqGt, seqLt } from "./seq";

const NONE = -1;
/** RFC 8985 §6.2 step 4: a D-SACK-widened window lasts 16 recoveries without D-SACKs. */
const REO_WND_PERSIST = 16;

/**
 * RACK_sent_after (RFC 8985 §6.2): was (o1, seq1) sent after (o2, seq2)? By
 * transmission number (sent-queue.ts), the sequence number within a burst.
 */
function sentAfter(o1: number, seq1: number, o2: number, seq2: number): boolean {
  return o1 > o2 || (o1 === o2 && seqGt(seq1, seq2));
}

export class Rack implements DeliveryObserver {
  /** The most recently sent segment delivered so far: its transmit time and number, and end (RACK.xmit_ts, RACK.end_seq). */
  xmitUs = NONE;
  private xmitOrder = 0;
  endSeq = 0;
  /** RACK.rtt: the RTT of that segment; RACK.min_RTT. */
  rtt = NONE;
  minRtt = NONE;
  /** The highest end delivered (RACK.fack), and whether a segment was ever delivered below it unretransmitted. */
  private fack = NONE;
  reorderingSeen = false;
  /** §6.2 step 4: D-SACK-driven growth of the reordering window. */
  reoWndMult = 1;
  private reoWndPersist = 0;
  private dsackRound = NONE;
  /** This ACK's RTT sample, from never-retransmitted data (Karn), or NONE. */
  ackRttUs = NONE;
  /** Retransmissions found lost (a segment sent after them was delivered first). */
  lostRetransmits = 0;
  private now = 0;

  /** Called before the deliveries of one ACK. */
  beginAck(now: number): void {
    this.now = now;
    this.ackRttUs = NONE;
  }

  /** §6.2 steps 1-3 for one newly delivered stretch (RACK_update, RACK_detect_reordering). */
  delivered(xmitUs: number, xmitOrder: number, end: number, flags: number): void {
    const rtt = this.now - xmitUs;
    const retransmitted = (flags & EVER_RETRANSMITTED) !== 0;
    if (this.fack === NONE || seqGt(end, this.fack)) this.fack = end;
    else if (seqLt(end, this.fack) && !retransmitted) this.reorderingSeen = true;
    if (retransmitted) {
      // The delivery may be of the original transmission: an RTT below the minimum says so
      // (§6.2 step 2). Not the timestamp echo: for a segment out of order, a receiver echoes
      // an older TSval (RFC 7323 §4.3), so a SACKed retransmission would always look like its
      // original (Linux's tcp_rack_advance uses the minimum RTT alone too).
      if (this.minRtt !== NONE && rtt < this.minRtt) return;
    } else if (this.ackRttUs === NONE || rtt < this.ackRttUs) {
      this.ackRttUs = rtt;
    }
    if (this.minRtt === NONE || rtt < this.minRtt) this.minRtt = rtt;
    if (this.xmitUs === NONE || sentAfter(xmitOrder, end, this.xmitOrder, this.endSeq)) {
      this.xmitUs = xmitUs;
      this.xmitOrder = xmitOrder;
      this.endSeq = end;
      this.rtt = rtt;
    }
  }

  /** §6.2 step 4: a D-SACK arrived (a spurious retransmission): widen the window, once per round. */
  onDsack(sndMax: number): void {
    if (this.dsackRound !== NONE) return;
    this.dsackRound = sndMax;
    this.reoWndMult += 1;
    this.reoWndPersist = REO_WND_PERSIST;
  }

  /** SND.UNA moved: a D-SACK round ends when the data sent before it is acknowledged. */
  onAcknowledged(sndUna: number): void {
    if (this.dsackRound !== NONE && seqGe(sndUna, this.dsackRound)) this.dsackRound = NONE;
  }

  /** Fast or RTO recovery ended: sixteen recoveries without D-SACK bring the window back to one step. */
  onRecoveryEnd(): void {
    if (this.reoWndPersist > 0) {
      this.reoWndPersist -= 1;
      if (this.reoWndPersist === 0) this.reoWndMult = 1;
    }
  }

  /** RACK_update_reo_wnd (§6.2 step 4), µs. */
  reoWnd(inRecovery: boolean, sackedSegments: number, srtt: number): number {
    if (!this.reorderingSeen && (inRecovery || sackedSegments >= 3)) return 0;
    const wnd = this.reoWndMult * idiv(Math.max(this.minRtt, 0), 4);
    return srtt >= 0 ? Math.min(wnd, srtt) : wnd;
  }

  /**
   * RACK_detect_loss (§6.2 step 5): marks lost every run sent before the
   * most recently delivered one that has waited RACK.rtt + reo_wnd; returns
   * how long until the next such run is due (0: none), for the RACK timer.
   */
  detectLoss(queue: SentQueue, now: number, reoWnd: number): number {
    if (this.xmitUs === NONE) return 0;
    let timeout = 0;
    for (let run = queue.head; run !== undefined; run = run.next) {
      const flags = run.flags;
      // SACKed, or already lost and waiting for its retransmission.
      if ((flags & SACKED) !== 0 || (flags & (LOST | RETRANS)) === LOST) continue;
      if (sentAfter(this.xmitOrder, this.endSeq, run.xmitOrder, run.end)) {
        const remaining = run.xmitUs + this.rtt + reoWnd - now;
        if (remaining <= 0) {
          if ((flags & RETRANS) !== 0) this.lostRetransmits += 1;
          queue.markLost(run);
        } else if (remaining > timeout) timeout = remaining;
      } else if ((flags & EVER_RETRANSMITTED) === 0) {
        // First transmissions go out in sequence order: everything after this one was sent later.
        break;
      }
    }
    return timeout;
  }
}

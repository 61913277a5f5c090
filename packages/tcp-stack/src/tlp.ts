// TLP, the tail loss probe (RFC 8985 §7): when a flight's last segments are
// lost no later segment is delivered, so neither RACK nor duplicate ACKs can
// see the loss and only the retransmission timeout would. Instead, about two
// RTTs after the last transmission the sender sends one probe (new data if
// it may, else the last segment again) whose ACK, with SACK, lets RACK find
// the losses. A probe that repaired a loss still counts as a congestion
// event (§7.4.2), unless a D-SACK shows that it was spurious.
import { seqAdd, seqDiff, seqGe, seqGt, seqInWindow } from "./seq";

const NONE = -1;
/** WCDelAckT (RFC 8985 §7.2): the longest a receiver may delay the ACK of a lone segment. */
const WORST_CASE_DELAYED_ACK_US = 200_000;
/** Added to 2*SRTT, as Linux's TCP_TIMEOUT_MIN: on a LAN, scheduling jitter exceeds 2*SRTT. */
const MIN_EXTRA_US = 2_000;

export class TailLossProbe {
  /** TLP.end_seq: SND.MAX when the probe went out, NONE when no probe is outstanding. */
  endSeq = NONE;
  /** TLP.is_retrans: the probe was a retransmission. */
  isRetrans = false;

  /**
   * The probe timeout (§7.2): 2*SRTT, plus WCDelAckT when the receiver may be
   * waiting for a second segment before acknowledging (less than two full
   * segments in flight), never later than the retransmission timeout.
   */
  timeout(srtt: number, flight: number, smss: number, untilRto: number): number {
    let pto = srtt < 0 ? 1_000_000 : 2 * srtt + MIN_EXTRA_US;
    if (flight < 2 * smss) pto += WORST_CASE_DELAYED_ACK_US;
    return Math.min(pto, untilRto);
  }

  sent(endSeq: number, isRetrans: boolean): void {
    this.endSeq = endSeq;
    this.isRetrans = isRetrans;
  }

  /** Recovery or a timeout took over: the probe's outcome no longer matters. */
  cancel(): void {
    this.endSeq = NONE;
  }

  /**
   * §7.4.2 TLP_process_ack. Returns true when the probe repaired a loss:
   * the caller reduces cwnd as for any congestion event. [dsackLeft,
   * dsackRight) is the ACK's D-SACK block (dsackLeft undefined: none);
   * `advanced` says SND.UNA moved.
   */
  onAck(ack: number, advanced: boolean, dsackLeft: number | undefined, dsackRight: number): boolean {
    if (this.endSeq === NONE || !seqGe(ack, this.endSeq)) return false;
    if (!this.isRetrans) {
      // A probe of new data: its delivery says nothing about a loss.
      this.endSeq = NONE;
      return false;
    }
    if (dsackLeft !== undefined && seqInWindow(seqAdd(this.endSeq, -1), dsackLeft, seqDiff(dsackRight, dsackLeft))) {
      // The receiver had the segment twice: the original arrived, nothing was lost.
      this.endSeq = NONE;
      return false;
    }
    if (seqGt(ack, this.endSeq)) {
      // Acknowledged beyond the probe with no D-SACK for it: the probe repaired a loss.
      this.endSeq = NONE;
      return true;
    }
    if (!advanced) {
      // A duplicate ACK at the probe's end: the probe arrived as a duplicate.
      this.endSeq = NONE;
    }
    return false;
  }
}

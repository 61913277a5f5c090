// HyStart++ (RFC 9406): leaves the initial slow start when the round-trip
// time grows (a queue is building) instead of when the queue overflows. It
// watches the smallest RTT of each round; a rise of RttThresh moves to
// Conservative Slow Start (CSS, a quarter of the growth), which either ends
// after CSS_ROUNDS rounds in congestion avoidance or, when the RTT falls
// back, proves the exit spurious and resumes slow start.
import type { AckSample } from "./congestion";
import { seqGe } from "./seq";

// RFC 9406 §4.3 constants (times in µs).
const MIN_RTT_THRESH = 4_000;
const MAX_RTT_THRESH = 16_000;
const MIN_RTT_DIVISOR = 8;
const N_RTT_SAMPLE = 8;
const CSS_GROWTH_DIVISOR = 4;
const CSS_ROUNDS = 5;
/** L, the most one ACK may grow cwnd by, in SMSS: 8 for a sender that does not pace (RFC 9406 §4.3). */
const L = 8;

const NONE = -1;

/** The window HyStart++ adjusts: the congestion controller itself. */
interface Window {
  cwnd: number;
  ssthresh: number;
}

export class HyStart {
  /** SND.MAX when the current round began; the round ends when it is acknowledged. */
  private windowEnd = NONE;
  private lastRoundMinRtt = NONE;
  private currentRoundMinRtt = NONE;
  private rttSampleCount = 0;
  /** The round minimum that started CSS, NONE outside CSS. */
  private cssBaselineMinRtt = NONE;
  private cssRounds = 0;
  /** Past the initial slow start (a loss, a timeout, or CSS done): HyStart++ is only for the first one (RFC 9406 §4). */
  private stopped = false;

  /** RFC 9406 §4.2: the cwnd increase for this ACK in slow start (or CSS); may end slow start by setting ssthresh. */
  onSlowStartAck(s: AckSample, w: Window): number {
    const growth = Math.min(s.acked, L * s.smss);
    if (this.stopped) return growth;
    if (this.windowEnd === NONE || seqGe(s.ack, this.windowEnd)) {
      // A new round.
      this.windowEnd = s.sndMax;
      this.lastRoundMinRtt = this.currentRoundMinRtt;
      this.currentRoundMinRtt = NONE;
      this.rttSampleCount = 0;
      if (this.cssBaselineMinRtt !== NONE) {
        this.cssRounds += 1;
        if (this.cssRounds > CSS_ROUNDS) {
          // CSS_ROUNDS rounds of CSS are complete: congestion avoidance from here.
          w.ssthresh = w.cwnd;
          this.stopped = true;
          return 0;
        }
      }
    }
    if (s.rttUs >= 0) {
      if (this.currentRoundMinRtt === NONE || s.rttUs < this.currentRoundMinRtt) this.currentRoundMinRtt = s.rttUs;
      this.rttSampleCount += 1;
    }
    if (this.cssBaselineMinRtt === NONE) {
      if (this.rttSampleCount >= N_RTT_SAMPLE && this.currentRoundMinRtt !== NONE && this.lastRoundMinRtt !== NONE) {
        const thresh = Math.max(MIN_RTT_THRESH, Math.min(idiv(this.lastRoundMinRtt, MIN_RTT_DIVISOR), MAX_RTT_THRESH));
        if (this.currentRoundMinRtt >= this.lastRoundMinRtt + thresh) {
          // The delay grew: Conservative Slow Start; this partial round counts as the first.
          this.cssBaselineMinRtt = this.currentRoundMinRtt;
          this.cssRounds = 1;
          return idiv(growth, CSS_GROWTH_DIVISOR);
        }
      }
      return growth;
    }
    if (this.rttSampleCount >= N_RTT_SAMPLE && this.currentRoundMinRtt < this.cssBaselineMinRtt) {
      // The delay fell back below the baseline: the exit was spurious, resume slow start.
      this.cssBaselineMinRtt = NONE;
      this.cssRounds = 0;
      return growth;
    }
    return idiv(growth, CSS_GROWTH_DIVISOR);
  }

  /** A loss or a timeout ends slow start; HyStart++ does not run in later ones (RFC 9406 §4). */
  stop(): void {
    this.stopped = true;
  }

  /** "ss", "css" or "done", for statistics and tests. */
  phase(): string {
    if (this.stopped) return "done";
    return this.cssBaselineMinRtt === NONE ? "ss" : "css";
  }
}

// CUBIC (RFC 9438) in integers, as Linux's tcp_cubic.c computes it: windows
// in segments, time in 1/1024 s, C = 0.4 and β = 0.7 as fixed-point
// constants, the cube root by a table and one Newton-Raphson step. cwnd is
// kept in bytes like every algorithm here; CUBIC's target is computed in
// segments and reached by adding one SMSS per `cnt` segments acknowledged.
import type { AckSample, CongestionControl, CongestionOptions } from "./congestion";
import { HyStart } from "./hystart";

/** β = 717/1024 ≈ 0.7 (RFC 9438 §4.6), in Linux's BICTCP_BETA_SCALE. */
const BETA = 717;
const BETA_SCALE = 1024;
/** C/RTT scaled: C = 0.4 is 41/1024 per a nominal 100 ms, times 10 (Linux's cube_rtt_scale). */
const CUBE_RTT_SCALE = 410;
/** 2^40 / CUBE_RTT_SCALE: K = cbrt(CUBE_FACTOR * (W_max - cwnd)) in 1/1024 s (Linux's cube_factor). */
const CUBE_FACTOR = idiv(shl(1, 40), CUBE_RTT_SCALE);
/**
 * Segments acknowledged per segment of W_est growth, times 8: α_cubic =
 * 3(1-β)/(1+β) per RTT (RFC 9438 §4.3) is one segment per 8*cwnd/15 acknowledged.
 */
const FRIENDLY_SCALE = idiv(idiv(8 * (BETA_SCALE + BETA), 3), BETA_SCALE - BETA);
/** |t - K| is capped at 2^18/1024 s (256 s) so that 410 * offs^3 stays below 2^63. */
const MAX_OFFSET = shl(1, 18) - 1;
const NONE = -1;

/** cbrt(x) MSB values for x in [0, 63] (Linux's table): v = cbrt(x << 18) - 1, cbrt(x) = (v[x] + 10) >> 6. */
const CBRT_TABLE = [
  0, 54, 54, 54, 118, 118, 118, 118, 123, 129, 134, 138, 143, 147, 151, 156,
  157, 161, 164, 168, 170, 173, 176, 179, 181, 185, 187, 190, 192, 194, 197, 199,
  200, 202, 204, 206, 209, 211, 213, 215, 217, 219, 221, 222, 224, 225, 227, 229,
  231, 232, 234, 236, 237, 239, 240, 242, 244, 245, 246, 248, 250, 251, 252, 254,
];

/** Number of significant bits of a non-negative integer (fls64). */
function bitLength(a: number): number {
  let b = 0;
  while (a !== 0) {
    a = shr(a, 1);
    b += 1;
  }
  return b;
}

/** The integer cube root of `a` (0 <= a < 2^63): a table lookup, then one Newton-Raphson step (~0.2 % error). */
export function cubicRoot(a: number): number {
  let b = bitLength(a);
  if (b < 7) return shr(CBRT_TABLE[a] + 35, 6);
  b = shr(b * 84, 8) - 1;
  const shift = shr(a, b * 3);
  let x = shr(shl(CBRT_TABLE[shift] + 10, b), 6);
  // x' = (2x + a / x^2) / 3, with x(x-1) for x^2 and 341/1024 for 1/3, as Linux.
  x = 2 * x + idiv(a, x * (x - 1));
  return shr(x * 341, 10);
}

export class Cubic implements CongestionControl {
  readonly name: string = "cubic";
  cwnd: number;
  ssthresh = 0x7fffffff;
  /** W_max (segments): the window before the last reduction (RFC 9438 §4.1), 0 before any. */
  wMax = 0;
  /** K (1/1024 s): when W_cubic reaches W_max again (RFC 9438 §4.2). */
  k = 0;
  /** W_cubic's plateau (segments): W_max, or cwnd when starting above it. */
  private originPoint = 0;
  /** Start of the current congestion avoidance epoch (µs), NONE when none is running. */
  private epochStart = NONE;
  /** W_est (segments), the Reno-friendly estimate (RFC 9438 §4.3). */
  wEst = 0;
  /** Bytes acknowledged towards W_est's next segment. */
  private estAcked = 0;
  /** Segments to acknowledge per segment of cwnd growth. */
  cnt = 0;
  /** Bytes acknowledged towards cwnd's next SMSS. */
  private cwndAcked = 0;
  readonly hystart: HyStart | undefined;

  constructor(initialCwnd: number, options: CongestionOptions) {
    this.cwnd = initialCwnd;
    if (options.hystart) this.hystart = new HyStart();
  }

  onAck(s: AckSample): void {
    const smss = s.smss;
    let acked = s.acked;
    if (this.cwnd < this.ssthresh) {
      // RFC 9438 §4.10: slow start (RFC 5681) or HyStart++. Without HyStart++, byte counting
      // without a per-ACK limit, as Linux's tcp_slow_start: one ACK may cover a 64 KiB offload unit.
      const before = this.cwnd;
      const grown = this.hystart !== undefined ? before + this.hystart.onSlowStartAck(s, this) : before + acked;
      this.cwnd = Math.min(grown, Math.max(this.ssthresh, before));
      if (this.cwnd < this.ssthresh) return;
      // What slow start did not use continues in congestion avoidance.
      acked = Math.max(acked - (this.cwnd - before), 0);
      if (acked === 0) return;
    }
    const segments = Math.max(idiv(this.cwnd, smss), 1);
    this.update(segments, acked, smss, s.nowUs, s.minRttUs);
    // cwnd += SMSS per cnt segments acknowledged (Linux's tcp_cong_avoid_ai, in bytes). What was
    // counted towards a larger cnt gives one SMSS when cnt shrinks, not a burst of them.
    const step = this.cnt * smss;
    if (this.cwndAcked >= step) {
      this.cwndAcked = 0;
      this.cwnd += smss;
    }
    this.cwndAcked += acked;
    if (this.cwndAcked >= step) {
      const n = idiv(this.cwndAcked, step);
      this.cwndAcked -= n * step;
      this.cwnd += n * smss;
    }
  }

  /**
   * RFC 9438 §4.2-§4.5 (Linux's bictcp_update): `cnt` from the cubic target
   * and the Reno-friendly estimate, on every ACK. (Linux recomputes at most
   * every 1/32 s while cwnd stays put, which on a LAN freezes cwnd for
   * hundreds of RTTs after each reduction.)
   */
  private update(cwnd: number, acked: number, smss: number, now: number, minRtt: number): void {
    this.estAcked += acked;
    if (this.epochStart === NONE) {
      // A new congestion avoidance epoch (RFC 9438 §4.2): K from how far cwnd is below W_max.
      this.epochStart = now;
      this.estAcked = acked;
      this.wEst = cwnd;
      if (this.wMax <= cwnd) {
        this.k = 0;
        this.originPoint = cwnd;
      } else {
        this.k = cubicRoot(CUBE_FACTOR * (this.wMax - cwnd));
        this.originPoint = this.wMax;
      }
    }
    // t + RTT in 1/1024 s (RFC 9438 §4.2 uses W_cubic(t + RTT); Linux takes the minimum RTT).
    const t = idiv(shl(now - this.epochStart + Math.max(minRtt, 0), 10), 1_000_000);
    const offset = Math.min(t < this.k ? this.k - t : t - this.k, MAX_OFFSET);
    const delta = shr(CUBE_RTT_SCALE * offset * offset * offset, 40);
    // Below K the curve is concave, approaching W_max (§4.4); beyond it convex, probing (§4.5).
    const target = t < this.k ? this.originPoint - delta : this.originPoint + delta;
    this.cnt = target > cwnd ? idiv(cwnd, target - cwnd) : 100 * cwnd;
    // Before any loss, grow at least 5 % per RTT (Linux: the curve is too cautious while W_max is unknown).
    if (this.wMax === 0 && this.cnt > 20) this.cnt = 20;
    // §4.3 Reno-friendly region: W_est grows by α_cubic per RTT, α_cubic = 1 once W_est reaches W_max.
    const perSegment = (this.wEst >= this.wMax ? cwnd : shr(cwnd * FRIENDLY_SCALE, 3)) * smss;
    if (perSegment > 0) {
      while (this.estAcked > perSegment) {
        this.estAcked -= perSegment;
        this.wEst += 1;
      }
    }
    if (this.wEst > cwnd) {
      const maxCnt = idiv(cwnd, this.wEst - cwnd);
      if (this.cnt > maxCnt) this.cnt = maxCnt;
    }
    // At most one segment per two acknowledged: cwnd grows by 1.5x per RTT at most (§4.2's clamp of the target).
    this.cnt = Math.max(this.cnt, 2);
  }

  onLoss(_flightSize: number, smss: number): number {
    const segments = idiv(this.cwnd, smss);
    this.epochStart = NONE;
    // §4.7 fast convergence: a flow whose window shrank since the last loss releases bandwidth.
    this.wMax = segments < this.wMax ? idiv(segments * (BETA_SCALE + BETA), 2 * BETA_SCALE) : segments;
    // §4.6 multiplicative decrease: ssthresh = cwnd * β.
    this.ssthresh = Math.max(idiv(this.cwnd * BETA, BETA_SCALE), 2 * smss);
    this.cwndAcked = 0;
    this.hystart?.stop();
    return this.ssthresh;
  }

  onRto(flightSize: number, smss: number): void {
    // §4.8: ssthresh as on loss; cwnd to the loss window; the next epoch starts afresh
    // with K = 0 and W_max (and W_est) at the window it starts with.
    this.onLoss(flightSize, smss);
    this.cwnd = smss;
    this.wMax = 0;
  }
}

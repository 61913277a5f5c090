// The retransmission timeout (RFC 6298), in integer microseconds. Samples
// come from one timed segment at a time, never from a retransmitted one
// (Karn's rule, RFC 6298 §3); the backed-off RTO is kept until a new sample
// (RFC 6298 §5.7).

export interface RttConfig {
  /** RTO before the first sample (RFC 6298 §2.1: 1 s). */
  initialRtoUs: number;
  /** Lower bound (RFC 6298 §2.4 says 1 s; Linux uses 200 ms). */
  minRtoUs: number;
  /** Upper bound (RFC 6298 §2.5: at least 60 s). */
  maxRtoUs: number;
  /** Clock granularity G (RFC 6298 §2). */
  granularityUs: number;
}

export class RttEstimator {
  /** Smoothed RTT and its variation, µs; srtt is -1 before the first sample. */
  srtt = -1;
  rttvar = 0;
  rto: number;
  /** The last sample, µs (for statistics). */
  lastSample = -1;
  samples = 0;

  constructor(private readonly config: RttConfig) {
    this.rto = config.initialRtoUs;
  }

  /** RFC 6298 §2.2 (first sample) and §2.3 (later samples). */
  sample(r: number): void {
    if (r < 0) return;
    this.lastSample = r;
    this.samples += 1;
    if (this.srtt < 0) {
      this.srtt = r;
      this.rttvar = idiv(r, 2);
    } else {
      const delta = Math.abs(this.srtt - r);
      // RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'| ; SRTT <- 7/8 SRTT + 1/8 R'
      this.rttvar = this.rttvar - idiv(this.rttvar, 4) + idiv(delta, 4);
      this.srtt = this.srtt - idiv(this.srtt, 8) + idiv(r, 8);
    }
    this.rto = this.clamp(this.srtt + Math.max(this.config.granularityUs, 4 * this.rttvar));
  }

  /** RFC 6298 §5.5: double the RTO on a retransmission timeout. */
  backOff(): void {
    this.rto = this.clamp(this.rto * 2);
  }

  private clamp(rto: number): number {
    return Math.min(Math.max(rto, this.config.minRtoUs), this.config.maxRtoUs);
  }
}

// Congestion control, pluggable (RFC 5681 gives the frame; an algorithm only
// decides how cwnd grows and what ssthresh becomes on loss). Loss recovery
// itself (fast retransmit, NewReno's inflation and partial ACKs, SACK-based
// recovery) stays in the socket, as in Linux where tcp_cong_ops only supply
// ssthresh/cong_avoid. CUBIC (RFC 9438) will implement the same interface.

export interface CongestionControl {
  readonly name: string;
  /** Congestion window and slow-start threshold, bytes. */
  cwnd: number;
  ssthresh: number;
  /** New data `acked` bytes was acknowledged outside loss recovery. */
  onAck(acked: number, smss: number, nowUs: number): void;
  /** Loss detected (three duplicate ACKs): returns the new ssthresh (RFC 5681 §3.2 step 2). */
  onLoss(flightSize: number, smss: number, nowUs: number): number;
  /** Retransmission timeout (RFC 5681 §3.1: ssthresh as on loss, cwnd to the loss window). */
  onRto(flightSize: number, smss: number, nowUs: number): void;
}

/** RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)). */
export function initialWindow(smss: number, segments: number): number {
  return Math.min(segments * smss, Math.max(2 * smss, 14600));
}

/** Reno (RFC 5681): slow start, then one SMSS per window of data acknowledged. */
export class Reno implements CongestionControl {
  readonly name: string = "reno";
  cwnd: number;
  ssthresh = 0x7fffffff;
  /** Bytes acknowledged in congestion avoidance since cwnd last grew (RFC 5681 §3.1, byte counting). */
  private acked = 0;

  constructor(initialCwnd: number) {
    this.cwnd = initialCwnd;
  }

  onAck(acked: number, smss: number): void {
    if (this.cwnd < this.ssthresh) {
      // RFC 5681 §3.1 slow start: cwnd += min(N, SMSS) (RFC 3465 allows L = 2*SMSS).
      this.cwnd += Math.min(acked, 2 * smss);
    } else {
      // Congestion avoidance: cwnd += SMSS once per cwnd of acknowledged bytes.
      this.acked += acked;
      if (this.acked >= this.cwnd) {
        this.acked -= this.cwnd;
        this.cwnd += smss;
      }
    }
  }

  onLoss(flightSize: number, smss: number): number {
    // RFC 5681 §3.2 equation (4): ssthresh = max(FlightSize / 2, 2*SMSS).
    this.ssthresh = Math.max(idiv(flightSize, 2), 2 * smss);
    this.acked = 0;
    return this.ssthresh;
  }

  onRto(flightSize: number, smss: number): void {
    this.ssthresh = Math.max(idiv(flightSize, 2), 2 * smss);
    this.cwnd = smss; // the loss window, RFC 5681 §3.1
    this.acked = 0;
  }
}

export type CongestionFactory = (initialCwnd: number) => CongestionControl;

const algorithms = new LuaTable<string, CongestionFactory>();
algorithms.set("reno", (iw) => new Reno(iw));

/** Makes another algorithm available by name (config `congestion`). */
export function registerCongestionControl(name: string, factory: CongestionFactory): void {
  algorithms.set(name, factory);
}

export function createCongestionControl(name: string, initialCwnd: number): CongestionControl {
  const factory = algorithms.get(name);
  if (factory === undefined) error(`unknown congestion control: ${name}`);
  return factory(initialCwnd);
}

// Congestion control, pluggable (RFC 5681 gives the frame; an algorithm only
// decides how cwnd grows and what ssthresh becomes on loss). Loss detection
// and recovery (fast retransmit, NewReno's inflation and partial ACKs,
// SACK-based recovery, RACK-TLP) stay in the socket, as in Linux where
// tcp_cong_ops only supply ssthresh/cong_avoid. Reno is here, CUBIC (RFC 9438)
// in cubic.ts; both may use HyStart++ (RFC 9406, hystart.ts) in slow start.
import { Cubic } from "./cubic";
import { HyStart } from "./hystart";

/** What one ACK tells the congestion controller (one object per socket, refilled for every ACK). */
export interface AckSample {
  /** Bytes this ACK newly acknowledged cumulatively. */
  acked: number;
  smss: number;
  nowUs: number;
  /** The round-trip time this ACK measured (µs), or -1. */
  rttUs: number;
  /** The smallest round-trip time seen so far (µs), or -1. */
  minRttUs: number;
  /** SEG.ACK, and SND.MAX when it arrived: a round ends when SEG.ACK passes the SND.MAX of its start. */
  ack: number;
  sndMax: number;
}

export interface CongestionControl {
  readonly name: string;
  /** Congestion window and slow-start threshold, bytes. */
  cwnd: number;
  ssthresh: number;
  /** HyStart++, when the algorithm runs it in slow start. */
  readonly hystart?: HyStart;
  /** New data was acknowledged outside loss recovery, while cwnd limited the sender. */
  onAck(sample: AckSample): void;
  /** Loss detected (fast retransmit, RACK, a repaired tail loss): returns the new ssthresh (RFC 5681 §3.2 step 2). */
  onLoss(flightSize: number, smss: number, nowUs: number): number;
  /** Retransmission timeout (RFC 5681 §3.1: ssthresh as on loss, cwnd to the loss window). */
  onRto(flightSize: number, smss: number, nowUs: number): void;
}

/** Settings every algorithm receives. */
export interface CongestionOptions {
  /** RFC 9406 HyStart++ in the initial slow start. */
  hystart: boolean;
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
  readonly hystart: HyStart | undefined;

  constructor(initialCwnd: number, options: CongestionOptions) {
    this.cwnd = initialCwnd;
    if (options.hystart) this.hystart = new HyStart();
  }

  onAck(s: AckSample): void {
    if (this.cwnd < this.ssthresh) {
      // RFC 5681 §3.1 slow start: cwnd += min(N, SMSS) (RFC 3465 allows L = 2*SMSS).
      this.cwnd += this.hystart !== undefined ? this.hystart.onSlowStartAck(s, this) : Math.min(s.acked, 2 * s.smss);
    } else {
      // Congestion avoidance: cwnd += SMSS once per cwnd of acknowledged bytes.
      this.acked += s.acked;
      if (this.acked >= this.cwnd) {
        this.acked -= this.cwnd;
        this.cwnd += s.smss;
      }
    }
  }

  onLoss(flightSize: number, smss: number): number {
    // RFC 5681 §3.2 equation (4): ssthresh = max(FlightSize / 2, 2*SMSS).
    this.ssthresh = Math.max(idiv(flightSize, 2), 2 * smss);
    this.acked = 0;
    this.hystart?.stop();
    return this.ssthresh;
  }

  onRto(flightSize: number, smss: number): void {
    this.ssthresh = Math.max(idiv(flightSize, 2), 2 * smss);
    this.cwnd = smss; // the loss window, RFC 5681 §3.1
    this.acked = 0;
    this.hystart?.stop();
  }
}

export type CongestionFactory = (initialCwnd: number, options: CongestionOptions) => CongestionControl;

const algorithms = new LuaTable<string, CongestionFactory>();
algorithms.set("reno", (iw, options) => new Reno(iw, options));
algorithms.set("cubic", (iw, options) => new Cubic(iw, options));

/** Makes another algorithm available by name (config `congestion`). */
export function registerCongestionControl(name: string, factory: CongestionFactory): void {
  algorithms.set(name, factory);
}

export function createCongestionControl(name: string, initialCwnd: number, options: CongestionOptions): CongestionControl {
  const factory = algorithms.get(name);
  if (factory === undefined) error(`unknown congestion control: ${name}`);
  return factory(initialCwnd, options);
}

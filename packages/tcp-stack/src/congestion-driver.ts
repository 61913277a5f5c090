// Congestion controllers by handle, for the tests (through the engine's sim
// backend): each RFC 9438 / RFC 9406 behaviour is checked on the algorithm
// alone, fed ACKs and losses at chosen (virtual) times.
import { createCongestionControl, type AckSample, type CongestionControl } from "./congestion";
import { Cubic, cubicRoot } from "./cubic";

const controllers = new LuaTable<number, CongestionControl>();
let nextId = 0;

/** A new controller (`name` as in the `congestion` setting); returns its id. */
export function cc_new(name: string, initialCwnd: number, hystart?: boolean): number {
  nextId += 1;
  controllers.set(nextId, createCongestionControl(name, initialCwnd, { hystart: hystart === true }));
  return nextId;
}

function get(id: number): CongestionControl {
  const cc = controllers.get(id);
  if (cc === undefined) error(`no congestion controller ${id}`);
  return cc;
}

/** One ACK of `acked` new bytes at `nowUs`, with its RTT sample (-1: none) and the minimum RTT; returns cwnd. */
export function cc_ack(id: number, sample: AckSample): number {
  const cc = get(id);
  cc.onAck(sample);
  return cc.cwnd;
}

/** A loss (fast retransmit): returns the new ssthresh; cwnd becomes it, as with SACK recovery. */
export function cc_loss(id: number, flightSize: number, smss: number, nowUs: number): number {
  const cc = get(id);
  cc.cwnd = cc.onLoss(flightSize, smss, nowUs);
  return cc.cwnd;
}

export function cc_rto(id: number, flightSize: number, smss: number, nowUs: number): void {
  get(id).onRto(flightSize, smss, nowUs);
}

/** cwnd, ssthresh and, for CUBIC, W_max, K (1/1024 s), W_est and cnt; HyStart++'s phase. */
export function cc_info(id: number): LuaTable<string, unknown> {
  const cc = get(id);
  const info = new LuaTable<string, unknown>();
  info.set("name", cc.name);
  info.set("cwnd", cc.cwnd);
  info.set("ssthresh", cc.ssthresh);
  if (cc instanceof Cubic) {
    info.set("w_max", cc.wMax);
    info.set("k", cc.k);
    info.set("w_est", cc.wEst);
    info.set("cnt", cc.cnt);
  }
  if (cc.hystart !== undefined) info.set("hystart", cc.hystart.phase());
  return info;
}

/**
 * A cwnd-limited sender for `rounds` round trips of `rttUs` from `startUs`:
 * every round, one ACK per segment of cwnd (one SMSS each, spread over the
 * round), each measuring `rttUs`. Returns cwnd in segments at the end of
 * each round (and leaves the controller there).
 */
export function cc_rounds(id: number, rounds: number, rttUs: number, smss: number, startUs: number): number[] {
  const cc = get(id);
  const sample: AckSample = { acked: smss, smss, nowUs: startUs, rttUs, minRttUs: rttUs, ack: 0, sndMax: 0 };
  const out: number[] = [];
  let seq = 0;
  for (let r = 0; r < rounds; r++) {
    const segments = Math.max(idiv(cc.cwnd, smss), 1);
    const roundEnd = seq + segments * smss;
    for (let i = 0; i < segments; i++) {
      seq += smss;
      sample.nowUs = startUs + r * rttUs + idiv((i + 1) * rttUs, segments);
      sample.ack = seq & 0xffffffff;
      sample.sndMax = (roundEnd + cc.cwnd) & 0xffffffff;
      cc.onAck(sample);
    }
    out.push(idiv(cc.cwnd, smss));
  }
  return out;
}

/** The integer cube root CUBIC uses. */
export function cc_cubic_root(x: number): number {
  return cubicRoot(x);
}

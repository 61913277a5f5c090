// The figures of the experiment from NetPIPE's points: throughput at large
// blocks (where the thesis compares its two NATs) and the round-trip time of
// small blocks (the latency of its signature graph).
import type { NetpipePoint } from "./netpipe.ts";

/** A link rate in Mbit/s, or 0 for an unshaped veth. */
export type LinkRate = number;

export function linkLabel(mbit: LinkRate): string {
  if (mbit === 0) return "unshaped";
  return mbit >= 1000 && mbit % 1000 === 0 ? `${mbit / 1000} Gbit/s` : `${mbit} Mbit/s`;
}

/** Blocks of at least a sixteenth of the largest are "large" (64 KiB..1 MiB for NPtcp -u 1048576). */
export function largeBlockMbps(points: readonly NetpipePoint[]): number {
  const largest = Math.max(...points.map((p) => p.bytes));
  return mean(points.filter((p) => p.bytes * 16 >= largest).map((p) => p.mbps));
}

/** Round trips of blocks up to 64 bytes, in µs (NetPIPE's time is half a round trip); the median. */
export function smallBlockRttUs(points: readonly NetpipePoint[]): number {
  const rtts = points.filter((p) => p.bytes <= 64).map((p) => 2 * p.oneWayUs).sort((a, b) => a - b);
  if (rtts.length === 0) throw new Error("no NetPIPE points of 64 bytes or less");
  return rtts[Math.floor(rtts.length / 2)]!;
}

function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("no points");
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** kcache's large-block throughput within 10 % of Linux NAT's: the target on shaped links. */
export const TARGET_RATIO = 0.9;

// TCP options (RFC 9293 §3.2): MSS, window scale and timestamps (RFC 7323),
// SACK-permitted and SACK blocks (RFC 2018). Parsing fills a TcpSegment;
// building returns the option bytes, padded to a multiple of four.
import type { TcpSegment } from "./segment";

export const OPT_EOL = 0;
export const OPT_NOP = 1;
export const OPT_MSS = 2;
export const OPT_WSCALE = 3;
export const OPT_SACK_PERMITTED = 4;
export const OPT_SACK = 5;
export const OPT_TIMESTAMPS = 8;

/** RFC 7323 §2.3: a shift above 14 is treated as 14. */
export const MAX_WSCALE = 14;

/** The smallest window scale that lets a receive buffer of `bytes` be advertised (RFC 7323 §2.3). */
export function windowScaleFor(bytes: number): number {
  let shift = 0;
  while (shift < MAX_WSCALE && shr(bytes, shift) > 65535) shift += 1;
  return shift;
}

/**
 * Parses the options area `opts` into `seg`. Returns undefined when well
 * formed, or the reason for dropping the segment. An option of a known kind
 * with the wrong length is ignored (as Linux does); an option running past
 * the end of the header, or a length below 2, makes the segment malformed.
 */
export function parseOptions(opts: string, seg: TcpSegment): string | undefined {
  const n = opts.length;
  // Fast path: the options of nearly every data segment, NOP NOP TS (RFC 7323 Appendix A layout).
  if (n === 12) {
    const [a, b, c, d, tsVal, tsEcr] = string.unpack(">BBBBI4I4", opts);
    if (a === 1 && b === 1 && c === 8 && d === 10) {
      seg.tsVal = tsVal as number;
      seg.tsEcr = tsEcr as number;
      return undefined;
    }
  }
  let i = 1;
  while (i <= n) {
    const kind = string.byte(opts, i);
    if (kind === OPT_EOL) break;
    if (kind === OPT_NOP) {
      i += 1;
      continue;
    }
    if (i + 1 > n) return "truncated options";
    const len = string.byte(opts, i + 1);
    if (len < 2) return "bad option length";
    if (i + len - 1 > n) return "truncated options";
    if (kind === OPT_MSS) {
      if (len === 4) seg.mss = (string.byte(opts, i + 2) << 8) | string.byte(opts, i + 3);
    } else if (kind === OPT_WSCALE) {
      if (len === 3) seg.wscale = Math.min(string.byte(opts, i + 2), MAX_WSCALE);
    } else if (kind === OPT_SACK_PERMITTED) {
      if (len === 2) seg.sackPermitted = true;
    } else if (kind === OPT_TIMESTAMPS) {
      if (len === 10) {
        const [tsVal, tsEcr] = string.unpack(">I4I4", opts, i + 2);
        seg.tsVal = tsVal as number;
        seg.tsEcr = tsEcr as number;
      }
    } else if (kind === OPT_SACK) {
      const blocks = idiv(len - 2, 8);
      if (len === 2 + blocks * 8 && blocks > 0) {
        const sack: number[] = [];
        for (let b = 0; b < blocks; b++) {
          const [left, right] = string.unpack(">I4I4", opts, i + 2 + b * 8);
          sack.push(left as number, right as number);
        }
        seg.sack = sack;
      }
    }
    i += len;
  }
  return undefined;
}

/**
 * The option bytes for `seg`, laid out as Linux does (NOPs so that the
 * 32-bit fields are aligned) and padded to a multiple of four bytes.
 */
export function buildOptions(seg: TcpSegment): string {
  // Fast path: timestamps only (every data segment once negotiated).
  if (seg.tsVal !== undefined && seg.mss === undefined && seg.sack === undefined && seg.wscale === undefined && !seg.sackPermitted) {
    return string.pack(">BBBBI4I4", 1, 1, 8, 10, seg.tsVal, seg.tsEcr ?? 0); // NOP NOP TS
  }
  if (seg.tsVal === undefined && seg.mss === undefined && seg.sack === undefined && seg.wscale === undefined && !seg.sackPermitted) {
    return "";
  }
  const parts: string[] = [];
  if (seg.mss !== undefined) parts.push(string.pack(">BBH", OPT_MSS, 4, seg.mss));
  if (seg.tsVal !== undefined) {
    if (seg.sackPermitted) parts.push(string.pack("BB", OPT_SACK_PERMITTED, 2));
    else parts.push(string.pack("BB", OPT_NOP, OPT_NOP));
    parts.push(string.pack(">BBI4I4", OPT_TIMESTAMPS, 10, seg.tsVal, seg.tsEcr ?? 0));
  } else if (seg.sackPermitted) {
    parts.push(string.pack("BBBB", OPT_NOP, OPT_NOP, OPT_SACK_PERMITTED, 2));
  }
  if (seg.wscale !== undefined) parts.push(string.pack("BBBB", OPT_NOP, OPT_WSCALE, 3, seg.wscale));
  const sack = seg.sack;
  if (sack !== undefined && sack.length > 0) {
    const blocks = idiv(sack.length, 2);
    parts.push(string.pack("BBBB", OPT_NOP, OPT_NOP, OPT_SACK, 2 + 8 * blocks));
    for (let b = 0; b < blocks; b++) parts.push(string.pack(">I4I4", sack[2 * b], sack[2 * b + 1]));
  }
  return table.concat(parts);
}

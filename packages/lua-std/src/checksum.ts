// Checksum upkeep for setters (RFC 1624): a setter notes the sum of the
// 16-bit words its field touches, writes, and adjusts the checksum covering
// the field by the change of that sum, so a packet never keeps a wrong
// checksum. Two native sums per write, no allocation.

import type { Field, ProtocolSegment } from "./core";
import { checksumAdjust } from "./util";

/** Where the checksum covering a protocol segment lives, as `checksumSite` returns it. */
export interface ChecksumSite {
  /** Byte array and offset where the covered data starts (16-bit words are aligned to it). */
  buf: Bytes;
  start: number;
  /** Offset of the 16-bit checksum in `buf`. */
  at: number;
  /** UDP style: 0 means "no checksum" and a computed 0 is sent as 0xFFFF. */
  udp: boolean;
}

/** The checksum site of `seg`, whose checksum is `at` bytes into it: one table per segment object, refilled. */
export function siteOf(seg: ProtocolSegment, at: number, udp: boolean): ChecksumSite {
  const site = seg.site;
  if (site === undefined) {
    const made = { buf: seg.buf, start: seg.off, at: seg.off + at, udp };
    seg.site = made;
    return made;
  }
  site.buf = seg.buf;
  site.start = seg.off;
  site.at = seg.off + at;
  site.udp = udp;
  return site;
}

function wordAt(buf: Bytes, at: number, end: number): number {
  if (at + 1 < end) return buf.u16(at);
  return buf.u8(at) << 8;
}

/** First byte of the word holding `off`, words aligned to the start of the covered data. */
function firstWord(site: ChecksumSite, off: number): number {
  return off - ((off - site.start) & 1);
}

/** Unfolded sum of the words of [first, end) (an odd end padded with zero), the checksum itself left out. */
function wordsSum(site: ChecksumSite, buf: Bytes, first: number, end: number): number {
  const sum = kmod.sum16(buf, first, end - first);
  if (buf === site.buf && site.at >= first && site.at < end) return sum - wordAt(buf, site.at, end);
  return sum;
}

/** Folds a sum to 16 bits (end-around carry), not inverted. */
function fold(sum: number): number {
  let s = sum;
  while (s > 0xFFFF) s = (s & 0xFFFF) + shr(s, 16);
  return s;
}

/** Before writing field `f`: the checksum covering it (if any) and the sum of the words the write may change. */
export function checksumBefore(f: Field<unknown>): LuaMultiReturn<[ChecksumSite | undefined, number]> {
  const site = f.owner.checksumSite();
  if (site === undefined) return $multi(undefined, 0);
  return $multi(site, wordsSum(site, f.buf, firstWord(site, f.off), f.off + f.len));
}

/** After writing field `f`: adjusts the checksum at `site` by the change of the words' sum since `before`. */
export function checksumAfter(f: Field<unknown>, site: ChecksumSite | undefined, before: number): void {
  if (site === undefined) return;
  const after = wordsSum(site, f.buf, firstWord(site, f.off), f.off + f.len);
  let check = site.buf.u16(site.at);
  if (site.udp && check === 0) return;
  check = checksumAdjust(check, fold(before), fold(after));
  if (site.udp && check === 0) check = 0xFFFF;
  site.buf.set_u16(site.at, check);
}

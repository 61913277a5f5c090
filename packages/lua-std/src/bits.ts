// Fields as unsigned integers of any bit width up to 32 (PacketScript's
// bit offsets and lengths): whole bytes through the native big-endian
// accessors, the rest by shifting the bytes the field spans.

import type { Field } from "./core";
import { checksumAfter, checksumBefore } from "./checksum";
import { checkInteger } from "./util";

/** Reads a field as an unsigned integer of `bits` bits. */
export function readBits(f: Field<unknown>): number {
  const bits = f.bits;
  if (f.bitShift === 0) {
    if (bits === 8) return f.buf.u8(f.off);
    if (bits === 16) return f.buf.u16(f.off);
    if (bits === 32) return f.buf.u32(f.off);
  }
  if (bits <= 0 || bits > 32) error(`${f.spec.name}: a ${bits}-bit field has no integer value`, 3);
  let v = 0;
  for (let i = 0; i < f.len; i++) v = (v << 8) | f.buf.u8(f.off + i);
  return shr(v, f.len * 8 - f.bitShift - bits) & ((1 << bits) - 1);
}

/** Writes an unsigned integer into a field of `bits` bits, keeping the owner's checksum valid. */
export function writeBits(f: Field<unknown>, value: number): void {
  const bits = f.bits;
  if (bits <= 0 || bits > 32) error(`${f.spec.name}: a ${bits}-bit field has no integer value`, 3);
  checkInteger(value, 0, (1 << bits) - 1, f.spec.name, ": value");
  const [site, before] = checksumBefore(f);
  if (f.bitShift === 0 && bits === 8) f.buf.set_u8(f.off, value);
  else if (f.bitShift === 0 && bits === 16) f.buf.set_u16(f.off, value);
  else if (f.bitShift === 0 && bits === 32) f.buf.set_u32(f.off, value);
  else {
    let v = 0;
    for (let i = 0; i < f.len; i++) v = (v << 8) | f.buf.u8(f.off + i);
    const shift = f.len * 8 - f.bitShift - bits;
    const mask = ((1 << bits) - 1) << shift;
    v = (v & ~mask) | (value << shift);
    for (let i = f.len - 1; i >= 0; i--) {
      f.buf.set_u8(f.off + i, v & 0xFF);
      v = shr(v, 8);
    }
  }
  checksumAfter(f, site, before);
}

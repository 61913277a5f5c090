// Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4), integers only.
// Lua integers are 64-bit, so every result is masked back to 32 bits, and
// comparisons go through the signed 32-bit difference (written out in each
// function: they are on the per-segment path and a Lua call costs) (valid while the two
// numbers are less than 2^31 apart, which the window sizes guarantee).

export const SEQ_MASK = 0xffffffff;
// (The functions below write the mask out: an exported constant is a table lookup in Lua.)

/** `a + n` modulo 2^32. */
export function seqAdd(a: number, n: number): number {
  return (a + n) & 0xffffffff;
}

/** The signed distance `a - b` in (-2^31, 2^31]. */
export function seqDiff(a: number, b: number): number {
  return ((a - b + 0x80000000) & 0xffffffff) - 0x80000000;
}

export function seqLt(a: number, b: number): boolean {
  return ((a - b + 0x80000000) & 0xffffffff) - 0x80000000 < 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b + 0x80000000) & 0xffffffff) - 0x80000000 <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return ((a - b + 0x80000000) & 0xffffffff) - 0x80000000 > 0;
}

export function seqGe(a: number, b: number): boolean {
  return ((a - b + 0x80000000) & 0xffffffff) - 0x80000000 >= 0;
}

/** The later of two sequence numbers. */
export function seqMax(a: number, b: number): number {
  return ((a - b + 0x80000000) & 0xffffffff) - 0x80000000 >= 0 ? a : b;
}

/** The earlier of two sequence numbers. */
export function seqMin(a: number, b: number): number {
  return ((a - b + 0x80000000) & 0xffffffff) - 0x80000000 <= 0 ? a : b;
}

/** True when `start <= x < start + length` in sequence space. */
export function seqInWindow(x: number, start: number, length: number): boolean {
  const d = ((x - start + 0x80000000) & 0xffffffff) - 0x80000000;
  return d >= 0 && d < length;
}

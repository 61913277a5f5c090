// The byte-array methods the per-block path calls, as plain functions. A
// method call on a byte array (`b.set_u16(...)`) first looks the name up
// through the array's C __index (arrays are indexed by number too): one C
// call more per use, which the per-block path does without.

type Method<A extends unknown[], R> = (this: void, b: Bytes, ...args: A) => R;

const methods = kmod.Bytes;

export const setU16 = methods.get("set_u16") as Method<[offset: number, value: number], void>;
export const setU32 = methods.get("set_u32") as Method<[offset: number, value: number], void>;
/** Copies `length` bytes at `sourceOffset` of `source` to `offset` (a memmove in the engine). */
export const copyFrom = methods.get("copy_from") as Method<[source: ByteSource, offset: number, sourceOffset: number, length: number], void>;
/** RFC 1071 checksum of a range (folded and inverted), from an initial partial sum. */
export const checksum = methods.get("checksum") as Method<[offset: number, length: number, initial: number], number>;
export const slice = methods.get("slice") as Method<[offset: number, length: number], Bytes>;

// PacketScript's bytes library (thesis §3.6.2) over the engine's native
// byte arrays.

import { type ProtocolBuffer, type ProtocolSegment, View, checkProtocol } from "./core";
import { stale } from "./lifetime";
import { checkInteger, luaType } from "./util";

/** What many_to_one and nf.create_packet accept: byte arrays, strings, segments. */
export type ByteLike = Bytes | string | View;

function lengthOf(part: ByteLike, i: number): number {
  const t = luaType(part);
  if (t === "string") return (part as string).length;
  if (t === "userdata") return (part as Bytes).len();
  if (t === "table" && (part as View).buf !== undefined) return (part as View).len;
  return error(`bytes.many_to_one: element ${i} is a ${t}, expected a byte array, string or segment`, 3);
}

function copyInto(target: Bytes, at: number, part: ByteLike): void {
  const t = luaType(part);
  if (t === "table") {
    const seg = part as View;
    if (seg.gen !== seg.root.gen) stale(seg);
    if (seg.len > 0) target.copy_from(seg.buf, at, seg.off, seg.len);
  } else if (lengthOf(part, 0) > 0) {
    target.copy_from(part as Bytes | string, at);
  }
}

/** The parts gathered into one new byte array: one allocation, order kept. */
export function concatBytes(parts: ByteLike[]): Bytes {
  let total = 0;
  parts.forEach((part, i) => {
    total += lengthOf(part, i + 1);
  });
  const out = kmod.bytes(total);
  let at = 0;
  for (const part of parts) {
    copyInto(out, at, part);
    at += lengthOf(part, 0);
  }
  return out;
}

export const bytes = {
  /** A new zeroed byte array of `length` bytes. */
  new: (length: number): Bytes => kmod.bytes(checkInteger(length, 0, 0x7FFFFFFF, "bytes.new: length")),
  /** A byte array holding `s` and, as the thesis says, its terminating NUL (#s + 1 bytes). */
  new_from_string: (s: string): Bytes => {
    if (luaType(s) !== "string") error("bytes.new_from_string: expected a string", 2);
    return kmod.bytes(s + "\0");
  },
  /** A byte array holding exactly the bytes of `s` (kcache addition: no NUL). */
  from_string: (s: string): Bytes => kmod.bytes(s),
  /** Aggregates byte arrays (or strings, segments) into one new byte array, order kept, one allocation. */
  many_to_one: (parts: ByteLike[]): Bytes => {
    if (luaType(parts) !== "table") error("bytes.many_to_one: expected a table of byte arrays", 2);
    return concatBytes(parts);
  },
  /** The bytes of a segment of any protocol, without copying. */
  to_bytes: (segment: View, _proto?: ProtocolBuffer<ProtocolSegment>): Bytes => {
    if (luaType(segment) !== "table" || (segment as View).buf === undefined) error("bytes.to_bytes: expected a packet segment", 2);
    return segment.to_bytes();
  },
  /** A byte array seen as a packet of protocol `proto`: no policy, the layout hook runs; false when malformed. */
  to_packet: <T extends ProtocolSegment>(array: Bytes | string, proto: ProtocolBuffer<T>): T | false => {
    checkProtocol(proto);
    const b = luaType(array) === "string" ? kmod.bytes(array as string) : (array as Bytes);
    return proto.instantiate(b, 0, b.len(), 0);
  },
};

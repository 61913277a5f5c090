// How long a segment is valid. The per-packet path allocates nothing:
// segment objects are reused for later packets (core.ts keeps each derived
// segment in its parent's `kids`), and the root of a packet is rebound to the
// next packet once the old one is released (packet.ts). Every segment
// carries the generation its root had when the segment was bound; a root
// gets a new generation for each packet, so a segment kept past its packet
// raises an error when used, instead of reading the new packet's bytes —
// until the script derives the same segment again, which rebinds it.

import type { View } from "./core";

/** What a segment's validity hangs on: the root of its packet, or FREE_ROOT for segments of byte arrays. */
export interface PacketRoot {
  /** The generation of the packet the root is bound to (0 for FREE_ROOT, never rebound). */
  gen: number;
  /** The presented link-layer header, reused for the root's next packets. */
  header?: Bytes;
  /** True when a byte array of `header` was handed out: the next packet gets a new header. */
  headerEscaped?: boolean;
}

/** The root of segments made from byte arrays (bytes.to_packet, deferred packets, copies): always valid. */
export const FREE_ROOT: PacketRoot = { gen: 0 };

/** Generation of segments that are not bound to anything (a derivation that failed): never valid. */
export const UNBOUND = -1;

/** Raises the error of a segment used after its packet: called by segment methods when `seg.gen` is not its root's. */
export function stale(seg: View): never {
  return error(
    `${tostring(seg)}: segment used after its packet was released (segments are valid during their packet's hook; keep values, not segments)`,
    3,
  );
}

/**
 * The segment's bytes as a byte array (zero copy). A byte array of a
 * presented header may be kept by the script: its root then takes a new
 * header for the next packet instead of refilling this one.
 */
export function sliceOf(seg: View): Bytes {
  const root = seg.root;
  if (seg.buf === root.header) root.headerEscaped = true;
  return seg.buf.slice(seg.off, seg.len);
}

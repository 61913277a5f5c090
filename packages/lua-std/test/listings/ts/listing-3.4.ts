// Listing 3.4 in TypeScript: setting single bytes through 1-byte segments.
/* eslint-disable @typescript-eslint/no-unused-vars -- its results are globals, read by the tests */
import type { RawSegment } from "../../../src/index";

declare let dmac: RawSegment;
declare let byte1: RawSegment, byte2: RawSegment, byte3: RawSegment, byte4: RawSegment, byte5: RawSegment, byte6: RawSegment;

export function process_packet(p: Packet): Verdict {
  const segment = p.raw(0, 6);
  if (!segment) return NF_DROP;
  dmac = segment;
  dmac.set(0xff);
  // Inside a 6-byte segment, 1-byte segments at 0-5 always exist.
  byte1 = dmac.raw(0, 1) as RawSegment;
  byte2 = dmac.raw(1, 1) as RawSegment;
  byte3 = dmac.raw(2, 1) as RawSegment;
  byte4 = dmac.raw(3, 1) as RawSegment;
  byte5 = dmac.raw(4, 1) as RawSegment;
  byte6 = dmac.raw(5, 1) as RawSegment;

  byte1.set(0xff);
  byte2.set(0x00);
  return NF_ACCEPT;
}

// Listing 3.1 in TypeScript: segmenting the Ethernet header with raw.
/* eslint-disable @typescript-eslint/no-unused-vars -- its results are globals, read by the tests */
import type { RawSegment } from "../../../src/index";

declare let dmac: RawSegment | false;
declare let smac: RawSegment | false;
declare let type: RawSegment | false;

export function process_packet(p: Packet): Verdict {
  dmac = p.raw(0, 6);
  smac = p.raw(6, 6);
  type = p.raw(12, 2);
  return NF_ACCEPT;
}

// Listing 3.3 in TypeScript: set(byte) fills a segment.
import type { RawSegment } from "../../../src/index";

declare let dmac: RawSegment | false;

export function process_packet(p: Packet): Verdict {
  dmac = p.raw(0, 6);
  if (dmac) dmac.set(0xff);
  return NF_ACCEPT;
}

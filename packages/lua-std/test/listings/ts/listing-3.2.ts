// Listing 3.2 in TypeScript: get() gives a 0-indexed byte array.
/* eslint-disable @typescript-eslint/no-unused-vars -- its results are globals, read by the tests */
import type { RawSegment } from "../../../src/index";

declare let dmac: RawSegment;
declare let val: Bytes;
declare let byte1: number, byte2: number, byte3: number, byte4: number, byte5: number, byte6: number;

export function process_packet(p: Packet): Verdict {
  const segment = p.raw(0, 6);
  if (!segment) return NF_DROP;
  dmac = segment;
  val = dmac.get();
  byte1 = val[0];
  byte2 = val[1];
  byte3 = val[2];
  byte4 = val[3];
  byte5 = val[4];
  byte6 = val[5];
  return NF_ACCEPT;
}

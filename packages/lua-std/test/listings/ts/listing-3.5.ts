// Listing 3.5 in TypeScript: the raw factory makes an Ethernet object.
/* eslint-disable @typescript-eslint/no-unused-vars -- its results are globals, read by the tests */
import type { EthernetHeader } from "../../../src/index";

declare let eth: EthernetHeader | false;

export function process_packet(p: Packet): Verdict {
  eth = p.data(packet_eth);
  return NF_ACCEPT;
}

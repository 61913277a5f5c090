// Listing 3.7 in TypeScript: the IP header of an Ethernet frame.
/* eslint-disable @typescript-eslint/no-unused-vars -- its results are globals, read by the tests */
import type { EthernetHeader, IpHeader } from "../../../src/index";

declare let eth: EthernetHeader | false;
declare let ip: IpHeader | false;
declare let saddr: string;
declare let daddr: string;

export function process_packet(p: Packet): Verdict {
  eth = p.data(packet_eth);
  ip = eth && eth.data(packet_ip);
  // The Lua listing indexes `false` here (an error: the rule's fail verdict); TypeScript makes us say so.
  if (!ip) return error("not an IPv4 packet");

  saddr = ip.saddr().get();
  daddr = ip.daddr().get();
  return NF_ACCEPT;
}

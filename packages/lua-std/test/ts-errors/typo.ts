// Not compiled with the listings: test/ts-listings.test.ts checks that each
// line marked "compile error" is one, and no other line is.
import type { IpHeader } from "../../src/index";

export type Ip = IpHeader;

export function process_packet(p: Packet): Verdict {
  const eth = p.data(packet_eth);
  const ip = eth && eth.data(packet_ip);
  if (!ip) return NF_DROP;
  ip.sadr().set("198.18.0.1"); // compile error: misspelt field
  ip.saddr().set(true); // compile error: wrong value type
  ip.ttl().set("64"); // compile error: a TTL is a number
  const tcp = ip.data(packet_tcp);
  if (tcp) tcp.flags().get("SYN"); // compile error: a flag is a bit number
  ip.data(packet_ipp); // compile error: misspelt protocol buffer
  if (tcp) tcp.saddr(); // compile error: TCP has no saddr
  return NF_ACCEPT;
}

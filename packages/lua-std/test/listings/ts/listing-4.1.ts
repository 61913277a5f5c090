// Listing 4.1 in TypeScript: the NAT.

// Translating the source address for outgoing packets
export function process_packet_snat(p: Packet): Verdict {
  const eth = p.data(packet_eth);
  const ip = eth && eth.data(packet_ip);
  if (!ip) return NF_DROP;

  ip.saddr().set("10.0.0.1");

  return XT_CONTINUE;
}

// Translating destination address for incoming packets
export function process_packet_dnat(p: Packet): Verdict {
  const eth = p.data(packet_eth);
  const ip = eth && eth.data(packet_ip);
  if (!ip) return NF_DROP;

  ip.daddr().set("192.168.0.2");

  return XT_CONTINUE;
}

// The demo's rules, written in TypeScript and run as Lua in the engine.
// Packets start at the IPv4 header; IHL is 5 in this demo's packets.
const UDP_PAYLOAD = 28;

let rewritten = 0;

/** TFTP requests: lower the TTL to 1 and fix the IP checksum incrementally (RFC 1624). */
export function mark_tftp(p: Packet): Verdict {
  const b = p.bytes();
  const before = b.u16(8);
  b.set_u8(8, 1);
  b.set_u16(10, kmod.checksum_adjust(b.u16(10), before, b.u16(8)));
  rewritten += 1;
  return NF_ACCEPT;
}

/** Telnet: refused. */
export function drop_telnet(_p: Packet): Verdict {
  return NF_DROP;
}

/** ICMP: held for 20 ms, then let through (engine-made delay). */
export function delay_icmp(p: Packet): Verdict {
  kmod.timer(20, (handle: number) => kmod.release(handle, NF_ACCEPT), p.hold());
  return NF_STOLEN;
}

/** UDP echo (port 7): answered by the router itself, the request never goes on. */
export function answer_echo(p: Packet): Verdict {
  const ip = p.string(0, 20);
  const sport = p.u16(20);
  const dport = p.u16(22);
  const payload = p.string(UDP_PAYLOAD);
  // Swap addresses and ports; a UDP checksum of 0 means "none" (RFC 768).
  const header = string.pack(">I4I4", p.u32(16), p.u32(12));
  const ipHeader = kmod.bytes(string.sub(ip, 1, 12) + header);
  ipHeader.set_u16(10, 0);
  ipHeader.set_u16(10, ipHeader.checksum());
  const udp = string.pack(">I2I2I2I2", dport, sport, 8 + payload.length, 0);
  kmod.send([ipHeader, udp, payload]);
  return NF_STOLEN;
}

export function stats(): number {
  return rewritten;
}

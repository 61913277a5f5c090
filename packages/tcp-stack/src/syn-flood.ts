// A SYN flood for the real-path tests (apps/tcp-bench): SYNs from an address
// nobody answers for, sent by a kmod in the client's namespace, to fill the
// half-open table of the stack in the router (RFC 4987's attack), so that
// a real client has to get in with a SYN cookie.
import { SYN } from "./segment";
import { encodeIPv4Tcp } from "./wire";

export interface SynFloodOptions {
  /** The spoofed source ("a.b.c.d", an address no host has), the target address and port. */
  from: string;
  to: string;
  port: number;
  count: number;
}

function addr(text: string): number {
  const [a, b, c, d] = string.match(text, "^(%d+)%.(%d+)%.(%d+)%.(%d+)$");
  if (d === undefined) error(`syn flood: bad address ${text}`);
  return shl(tonumber(a)!, 24) | shl(tonumber(b)!, 16) | shl(tonumber(c)!, 8) | tonumber(d)!;
}

/** Sends `count` SYNs from `from`, source ports 1024 up; returns how many the engine sent. */
export function tcp_bench_syn_flood(options: SynFloodOptions): number {
  const src = addr(options.from);
  const dst = addr(options.to);
  let sent = 0;
  for (let i = 0; i < options.count; i++) {
    const syn = {
      srcAddr: src, dstAddr: dst, srcPort: 1024 + (i % 64000), dstPort: options.port, seq: kmod.random32(), ack: 0,
      flags: SYN, window: 65535, urgent: 0, payload: "", mss: 1460,
    };
    if (kmod.send(encodeIPv4Tcp(syn))) sent += 1;
  }
  return sent;
}

// Hook functions for the engine's tests, one behaviour each. Packets are
// IPv4/UDP built by the tests: the payload starts at byte 28.
const PAYLOAD = 28;

/** The verdict is the payload's first byte (5 means XT_CONTINUE). */
export function verdict_from_payload(p: Packet): Verdict {
  const code = p.u8(PAYLOAD);
  return code === 5 ? XT_CONTINUE : (code as Verdict);
}

export function read_past_end(p: Packet): Verdict {
  const b = p.bytes();
  return b[b.len()] === 0 ? NF_ACCEPT : NF_DROP;
}

export function write_past_end(p: Packet): Verdict {
  p.bytes().set_u16(p.len() - 1, 0xffff);
  return NF_ACCEPT;
}

export function read_negative(p: Packet): Verdict {
  return p.bytes().slice(4, 4)[-1] === 0 ? NF_ACCEPT : NF_DROP;
}

let kept: Bytes | undefined;
let keptPacket: Packet | undefined;

/** Keeps a view of the packet past its verdict. */
export function keep_view(p: Packet): Verdict {
  kept = p.bytes();
  keptPacket = p;
  return NF_ACCEPT;
}

/** Touches the view kept by keep_view: the engine must raise, not read freed memory. */
export function use_kept_view(_p: Packet): Verdict {
  return kept !== undefined && kept[0] === 0x45 ? NF_ACCEPT : NF_QUEUE;
}

export function use_kept_packet(_p: Packet): Verdict {
  return keptPacket !== undefined && keptPacket.u8(0) === 0x45 ? NF_ACCEPT : NF_QUEUE;
}

export function kept_alive(): LuaMultiReturn<[boolean, boolean]> {
  return $multi(kept!.alive(), keptPacket!.alive());
}

export function raise_error(_p: Packet): Verdict {
  error("boom from the script");
}

export function return_non_verdict(_p: Packet): Verdict {
  return "accept" as unknown as Verdict;
}

export function return_bad_number(_p: Packet): Verdict {
  return 7 as Verdict;
}

export function spin(_p: Packet): Verdict {
  let n = 0;
  while (n >= 0) n += 1;
  return NF_ACCEPT;
}

/** Grows a table of strings without bound: the memory budget must stop it. */
export function hog(_p: Packet): Verdict {
  const hoard = new LuaTable<number, string>();
  for (let i = 1; i < 100000000; i++) hoard.set(i, string.rep("x", 64) + tostring(i));
  return NF_ACCEPT;
}

// ---- deferral and timers -----------------------------------------------

const deferredCalls: string[] = [];

/** Defers work to the process context, 100 ms later, with a copy of the payload. */
export function defer(p: Packet): Verdict {
  kmod.schedule("deferred", 7, 100, p.string(PAYLOAD));
  return NF_ACCEPT;
}

export function deferred(id: number, data: Bytes): void {
  deferredCalls.push(`${id}:${data.string()}:${IS_INTERRUPT ? "interrupt" : "process"}:${kmod.now_ms()}`);
}

export function deferred_log(): string[] {
  return deferredCalls;
}

const timerLog: string[] = [];

export function timers(_p: Packet): Verdict {
  const cancelled = kmod.timer(50, (what: string) => timerLog.push(what), "cancelled");
  kmod.timer(60, (what: string) => timerLog.push(`${what}@${kmod.now_ms()}`), "kept");
  timerLog.push(`cancel=${kmod.cancel(cancelled)}`);
  timerLog.push(`cancel again=${kmod.cancel(cancelled)}`);
  return NF_ACCEPT;
}

export function timer_log(): string[] {
  return timerLog;
}

/** Holds each packet and releases it 30 ms later with the verdict in its payload. */
export function hold_and_release(p: Packet): Verdict {
  const handle = p.hold();
  const verdict = p.u8(PAYLOAD) as Verdict;
  kmod.timer(30, (h: number) => kmod.release(h, verdict), handle);
  return NF_STOLEN;
}

// ---- shared state ------------------------------------------------------

export function count(_p: Packet): Verdict {
  const g = _G as unknown as { counter?: number };
  g.counter = (g.counter ?? 0) + 1;
  return NF_ACCEPT;
}

export function counter(): number {
  return (_G as unknown as { counter?: number }).counter ?? 0;
}

// ---- changing and making packets ----------------------------------------

/** Sets the TTL to 1 and fixes the IP checksum incrementally (RFC 1624). */
export function rewrite_ttl(p: Packet): Verdict {
  const b = p.bytes();
  const old = b.u16(8);
  b.set_u8(8, 1);
  b.set_u16(10, kmod.checksum_adjust(b.u16(10), old, b.u16(8)));
  return NF_ACCEPT;
}

/** Replaces the packet by the bytes returned with the verdict. */
export function replace_packet(p: Packet): LuaMultiReturn<[Verdict, string]> {
  const b = kmod.bytes(p.string());
  b.fill(0x61, PAYLOAD);
  return $multi(NF_ACCEPT, b.string());
}

/** Sends the packet back as parts: header string, payload view. */
export function send_parts(p: Packet): Verdict {
  kmod.send([p.string(0, PAYLOAD), p.bytes().slice(PAYLOAD)]);
  return NF_DROP;
}

export function checksums(data: string): LuaMultiReturn<[number, number, number]> {
  const b = kmod.bytes(data);
  return $multi(b.checksum(), kmod.fold16(kmod.sum16(data)), kmod.fold16(kmod.sum16(data, 2, 4, kmod.sum16(data, 0, 2))));
}

/** Reads two header fields (protocol, destination port) and accepts: the benchmark's trivial hook. */
export function read_two_fields(p: Packet): Verdict {
  return p.u8(9) === 17 && p.u16(22) !== 0 ? NF_ACCEPT : NF_DROP;
}

/** Reports what the kernel told about the packet: devices and link-layer source. */
export function report_meta(p: Packet): Verdict {
  const hw = p.hwaddr();
  const text = `${p.indev()}/${p.outdev()}/${hw === undefined ? "none" : string.format("%02x:%02x", string.byte(hw, 1), string.byte(hw, 6))}`;
  kmod.log(text);
  return NF_ACCEPT;
}

/** Sends a TCP super-segment of `length` bytes back to the sender, cut at `mss` (GSO). */
export function send_super_segment(p: Packet): Verdict {
  const length = 2500;
  const ip = string.pack(">BBI2I2I2BBI2I4I4", 0x45, 0, 40 + length, 7, 0x4000, 64, 6, 0, p.u32(16), p.u32(12));
  const tcp = string.pack(">I2I2I4I4BBI2I2I2", 80, 5555, 1000, 0, 0x50, 0x19, 65535, 0, 0); // ACK, PSH, FIN
  kmod.send_gso([ip + tcp, string.rep("x", length)], 1000, p.indev(), p.hwaddr() ?? "\0\0\0\0\0\0");
  return NF_STOLEN;
}

/** A 256-bit set of the bytes of `members`, as kmod.span wants it. */
function byteSet(members: string): string {
  const bits: number[] = [];
  for (let i = 0; i < 32; i++) bits.push(0);
  for (let i = 1; i <= members.length; i++) {
    const b = string.byte(members, i);
    bits[b >>> 3] = bits[b >>> 3]! | (1 << (b & 7));
  }
  return string.char(...bits);
}

const DIGITS = byteSet("0123456789");

export function span_digits(s: string, init: number): number {
  return kmod.span(s, init, DIGITS);
}

export function span_bad_set(s: string): number {
  return kmod.span(s, 1, "short");
}

/** kmod.field_lines over a whole string: [count, next, first, second, listed], each line as "name=value", and out[1..4]. */
export function field_lines_of(s: string, names?: string): [number[], string[], number[]] {
  const seen: string[] = [];
  const out = new LuaTable<number, number>();
  const [count, next, first, second, listed] = kmod.field_lines(s, 1, s.length, (text, nf, nl, vf, vl) => {
    seen.push(`${string.sub(text, nf, nl)}=${string.sub(text, vf, vl)}`);
  }, out, names);
  return [[count, next, first ?? -1, second ?? -1, listed ?? 0], seen, [out.get(1) ?? 0, out.get(2) ?? 0, out.get(3) ?? 0, out.get(4) ?? 0]];
}

/** Sends three TFTP-like datagrams of 100 payload bytes as one UDP super-datagram (the last one short). */
export function send_udp_super_datagram(p: Packet): Verdict {
  const payload = string.rep("A", 100) + string.rep("B", 100) + string.rep("C", 50);
  const ip = string.pack(">BBI2I2I2BBI2I4I4", 0x45, 0, 28 + payload.length, 9, 0x4000, 64, 17, 0, p.u32(16), p.u32(12));
  const udpHeader = string.pack(">I2I2I2I2", 69, 40000, 0, 0);
  kmod.send_gso([ip + udpHeader, payload], 100, p.indev(), p.hwaddr() ?? "\0\0\0\0\0\0");
  return NF_STOLEN;
}

/** Logs the UDP checksum field as the script sees it. */
export function report_udp_checksum(p: Packet): Verdict {
  kmod.log(string.format("%04x", p.u16(26)));
  return NF_ACCEPT;
}

/** Rewrites the UDP source port, keeping the checksum valid incrementally (a NAT's step). */
export function rewrite_udp_source_port(p: Packet): Verdict {
  const view = p.bytes();
  const old = p.u16(20);
  view.set_u16(20, 41000);
  view.set_u16(26, kmod.checksum_adjust(p.u16(26), old, 41000));
  return NF_ACCEPT;
}

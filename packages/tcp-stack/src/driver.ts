// A handle-based facade over sockets for callers outside Lua: the vitest
// tests (through the engine's sim backend) and, later, the engine adapter.
// Sockets are named by integer ids; packets go in and out as whole IPv4
// packets (strings); time is the engine's clock (kmod.now_us, virtual in the
// sim backend).
import type { TcpConfig } from "./config";
import { describeSegment, type TcpSegment } from "./segment";
import { defaultIsnGenerator, STATE_NAMES, TcpSocket } from "./socket";
import { TcpStack, type StackConfig } from "./stack";
import { siphash24 } from "./isn";
import { seqDiff } from "./seq";
import { encodePacket, parseIPv4Tcp } from "./wire";

const sockets = new LuaTable<number, TcpSocket>();
let nextId = 0;

const ids = new LuaTable<TcpSocket, number>();

/** The id of a socket, registering it on first sight. */
function idOf(sock: TcpSocket): number {
  let id = ids.get(sock);
  if (id === undefined) {
    nextId += 1;
    id = nextId;
    sockets.set(id, sock);
    ids.set(sock, id);
  }
  return id;
}

function get(id: number): TcpSocket {
  const sock = sockets.get(id);
  if (sock === undefined) error(`no tcp socket ${id}`);
  return sock;
}

function packets(segs: TcpSegment[]): string[] {
  const out: string[] = [];
  for (const seg of segs) out.push(encodePacket(seg));
  return out;
}

/** A new socket with `config` overriding the defaults; returns its id. */
export function tcp_socket(config?: Partial<TcpConfig>): number {
  return idOf(new TcpSocket(config));
}

export function tcp_free(id: number): void {
  sockets.delete(id);
}

export function tcp_listen(id: number, localAddr: number, localPort: number): void {
  get(id).listen(localAddr, localPort);
}

/** Active open; returns the SYN. */
export function tcp_connect(id: number, localAddr: number, localPort: number, remoteAddr: number, remotePort: number): string[] {
  const sock = get(id);
  sock.connect(localAddr, localPort, remoteAddr, remotePort, kmod.now_us());
  return packets(sock.dispatch(kmod.now_us()));
}

/** Feeds one IPv4 packet; returns the packets to send in answer. */
export function tcp_input(id: number, packet: string): string[] {
  const sock = get(id);
  const [seg, reason] = parseIPv4Tcp(packet);
  const now = kmod.now_us();
  if (seg === undefined) {
    sock.noteMalformed(reason!);
    return [];
  }
  sock.process(seg, now);
  return packets(sock.dispatch(now));
}

/** The engine clock, µs. */
export function tcp_now(): number {
  return kmod.now_us();
}

/** Runs due timers and pending output. */
export function tcp_poll(id: number): string[] {
  return packets(get(id).dispatch(kmod.now_us()));
}

/** When the socket next needs `tcp_poll` (µs on the engine clock), or -1. */
export function tcp_poll_at(id: number): number {
  return get(id).pollAt();
}

export function tcp_write(id: number, data: string): number {
  return get(id).write(data);
}

/** Writes `data` as an engine byte array (kmod.bytes), as a cache writes stored bytes. */
export function tcp_write_bytes(id: number, data: string): number {
  return get(id).write(kmod.bytes(data));
}

export function tcp_read(id: number, max?: number): string {
  return get(id).read(max ?? 0x7fffffff);
}

export function tcp_close(id: number): string[] {
  const sock = get(id);
  sock.close();
  return packets(sock.dispatch(kmod.now_us()));
}

export function tcp_abort(id: number): string[] {
  const sock = get(id);
  sock.abort();
  return packets(sock.dispatch(kmod.now_us()));
}

export function tcp_events(id: number): number {
  return get(id).takeEvents();
}

/** The connection's state, sequence variables, timers and statistics, for tests and debugging. */
export function tcp_info(id: number): LuaTable<string, unknown> {
  const s = get(id);
  const info = new LuaTable<string, unknown>();
  info.set("state", STATE_NAMES[s.state]);
  info.set("iss", s.iss);
  info.set("irs", s.irs);
  info.set("snd_una", s.sndUna);
  info.set("snd_nxt", s.sndNxt);
  info.set("snd_max", s.sndMax);
  info.set("snd_wnd", s.sndWnd);
  info.set("snd_wscale", s.sndWscale);
  info.set("rcv_nxt", s.rcvNxt);
  info.set("rcv_wscale", s.rcvWscale);
  info.set("rcv_wnd", seqDiff(s.rcvAdvEdge, s.rcvNxt));
  info.set("smss", s.smss);
  info.set("ws", s.wsEnabled);
  info.set("ts", s.tsEnabled);
  info.set("sack", s.sackEnabled);
  info.set("ts_recent", s.tsRecent);
  info.set("cwnd", s.cc.cwnd);
  info.set("ssthresh", s.cc.ssthresh);
  info.set("congestion", s.cc.name);
  info.set("in_recovery", s.inRecovery);
  info.set("rto_recovery", s.rtoRecovery);
  info.set("sacked_bytes", s.sent.sackedBytes);
  info.set("lost_bytes", s.sent.lostBytes);
  info.set("retrans_bytes", s.sent.retransBytes);
  info.set("rack_rtt", s.rack.rtt);
  info.set("min_rtt", s.rack.minRtt);
  info.set("reordering_seen", s.rack.reorderingSeen);
  s.limits.settle(kmod.now_us());
  info.set("cwnd_limited_us", s.limits.cwndUs);
  info.set("rwnd_limited_us", s.limits.rwndUs);
  info.set("sndbuf_limited_us", s.limits.sndbufUs);
  info.set("app_limited_us", s.limits.appUs);
  info.set("dup_acks", s.dupAcks);
  info.set("srtt", s.rtt.srtt);
  info.set("rttvar", s.rtt.rttvar);
  info.set("rto", s.rtt.rto);
  info.set("rto_at", s.rtoAt);
  info.set("persist_at", s.persistAt);
  info.set("probe_at", s.probeAt);
  info.set("reorder_at", s.reorderAt);
  info.set("delack_at", s.delackAt);
  info.set("time_wait_at", s.timeWaitAt);
  info.set("readable", s.readable());
  info.set("send_queued", s.sendQueued());
  info.set("send_buffer", s.sendBufferLimit);
  info.set("error", s.error);
  info.set("last_drop", s.lastDrop);
  for (const [k, v] of pairs(s.stats as unknown as LuaTable<string, number>)) info.set(k, v);
  return info;
}

/** Parses a packet into a one-line description (debugging). */
export function tcp_describe(packet: string): string {
  const [seg, reason] = parseIPv4Tcp(packet);
  return seg === undefined ? `malformed: ${reason}` : describeSegment(seg);
}

// ---- The connection table --------------------------------------------------

let stack: TcpStack | undefined;

function theStack(): TcpStack {
  if (stack === undefined) error("no stack: call stack_new first");
  return stack;
}

/** A new connection table (replacing the previous one). */
export function stack_new(config?: Partial<StackConfig>): void {
  stack = new TcpStack(config);
}

export function stack_listen(addr: number, port: number, config?: Partial<TcpConfig>): void {
  theStack().listen(addr, port, config);
}

/** Opens a connection through the table; returns its socket id (or -1) and the packets to send. */
export function stack_connect(localAddr: number, localPort: number, remoteAddr: number, remotePort: number,
  config?: Partial<TcpConfig>): LuaMultiReturn<[number, string[]]> {
  const s = theStack();
  const sock = s.connect(localAddr, localPort, remoteAddr, remotePort, kmod.now_us(), config);
  return $multi(sock === undefined ? -1 : idOf(sock), packets(s.poll(kmod.now_us())));
}

/** One IPv4 packet in; returns the packets to send. */
export function stack_input(packet: string): string[] {
  const s = theStack();
  const [seg] = parseIPv4Tcp(packet);
  if (seg !== undefined) s.input(seg, kmod.now_us());
  return packets(s.poll(kmod.now_us()));
}

export function stack_poll(): string[] {
  return packets(theStack().poll(kmod.now_us()));
}

export function stack_poll_at(): number {
  return theStack().pollAt();
}

/** Ids of the connections accepted since the last call. */
export function stack_accept(): number[] {
  const out: number[] = [];
  for (const sock of theStack().accept()) out.push(idOf(sock));
  return out;
}

/** Whether the table claims the packet (a middlebox passes the others on). */
export function stack_owns(packet: string): boolean {
  const [seg] = parseIPv4Tcp(packet);
  return seg !== undefined && theStack().owns(seg, kmod.now_us());
}

export function stack_stats(): LuaTable<string, number> {
  const t = new LuaTable<string, number>();
  for (const [k, v] of pairs(theStack().stats as unknown as LuaTable<string, number>)) t.set(k, v);
  return t;
}

// ---- ISNs (RFC 6528), exposed for tests ------------------------------------

/** SipHash-2-4 of a 16-byte message; 64-bit values cross as 32-bit halves (JS numbers cannot hold them). */
export function tcp_siphash(k0hi: number, k0lo: number, k1hi: number, k1lo: number,
  m0hi: number, m0lo: number, m1hi: number, m1lo: number): LuaMultiReturn<[number, number]> {
  const h = siphash24(shl(k0hi, 32) | k0lo, shl(k1hi, 32) | k1lo, shl(m0hi, 32) | m0lo, shl(m1hi, 32) | m1lo);
  return $multi(shr(h, 32), h & 0xffffffff);
}

/** The ISN the sockets' default generator (key from kmod.random32) gives a 4-tuple now. */
export function tcp_isn(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): number {
  return defaultIsnGenerator().isn(localAddr, localPort, remoteAddr, remotePort, kmod.now_us());
}

// PacketScript's nf library (thesis §3.7) over the engine: random values,
// time, deferral to the process context, sending packets. Plus the sending
// helpers kcache adds (build.ts).

import { type ProtocolBuffer, type ProtocolSegment, type View, checkProtocol, protocols } from "./core";
import { type ByteLike, concatBytes } from "./bytes";
import { type Payload, ipv4_header, reply_tcp, reply_udp, swap_endpoints, tcp_packet, udp_packet } from "./build";
import { stale } from "./lifetime";
import { checkInteger, luaType } from "./util";

/** Name of the global that unpacks deferred packets (nf.schedule with a packet). */
export const DELIVER = "lua_std_deliver";

/** A byte array, string or segment as something kmod.send takes. */
function toSendable(data: ByteLike | Payload[]): Parts {
  if (luaType(data) === "table") {
    const seg = data as View;
    if (seg.buf !== undefined) {
      if (seg.gen !== seg.root.gen) stale(seg);
      return seg.buf.slice(seg.off, seg.len);
    }
    return data as Parts;
  }
  return data as Bytes | string;
}

export const nf = {
  /** 32 random bits (get_random_bytes in the thesis; deterministic per seed in the sim backend). */
  get_random: (): number => kmod.random32(),
  /** Milliseconds of a monotonic clock. */
  get_time: (): number => kmod.now_ms(),

  /**
   * Calls the global `callback(id[, packet])` after `delay` ms in the process
   * context. `skb` is accepted for compatibility and ignored (the engine
   * copies what it needs). With `packet` and `proto`, the callback receives a
   * copy of the packet's bytes as a segment of `proto`.
   */
  schedule: (
    _skb: unknown,
    callback: string,
    id: number,
    delay: number,
    packet?: View,
    proto?: ProtocolBuffer<ProtocolSegment>,
  ): number => {
    if (luaType(callback) !== "string") error("nf.schedule: the callback must be given by its global name", 2);
    checkInteger(id, -0x7FFFFFFF, 0x7FFFFFFF, "nf.schedule: id");
    checkInteger(delay, 0, 0x7FFFFFFF, "nf.schedule: delay");
    if (packet === undefined) return kmod.schedule(callback, id, delay, undefined, "process");
    if (proto !== undefined) checkProtocol(proto);
    if (packet.gen !== packet.root.gen) stale(packet);
    const bytes = packet.buf.string(packet.off, packet.len);
    const header = string.pack(">s1s1", callback, proto === undefined ? "" : proto.name);
    return kmod.schedule(DELIVER, id, delay, header + bytes, "process");
  },

  /** Sends a complete IPv4 packet (a byte array, string, segment, or list of parts). `skb` is ignored. */
  create_packet: (_skb: unknown, data: ByteLike | Payload[]): boolean => kmod.send(toSendable(data)),

  /** Sends a packet given as parts (kcache addition; see build.ts for builders). */
  send: (parts: Payload[] | Payload): boolean => kmod.send(parts as Parts),
  /** Sends a UDP datagram answering `ip` (addresses and ports swapped). */
  reply_udp: (ip: ProtocolSegment, payload?: Payload): boolean => kmod.send(reply_udp(ip as never, payload) as Parts),
  /** Sends a TCP segment answering `ip` with `flags` (see TCP_FLAGS), acknowledging what it carried. */
  reply_tcp: (ip: ProtocolSegment, flags: number, payload?: Payload, seq?: number, ack?: number): boolean =>
    kmod.send(reply_tcp(ip as never, flags, payload, seq, ack) as Parts),
  /** Swaps addresses and ports of the packet in place. */
  swap_endpoints: (ip: ProtocolSegment): void => swap_endpoints(ip as never),
  /** Builders (see build.ts): complete packets as parts with valid checksums. */
  udp_packet,
  tcp_packet,
  ipv4_header,
  /** Copies the parts into one byte array. */
  gather: (parts: ByteLike[]): Bytes => concatBytes(parts),
};

/** Unpacks a deferred packet and calls the script's callback with it (runs in the process context). */
export function lua_std_deliver(this: void, id: number, data: Bytes): void {
  const s = data.string();
  const [callback, protoName, rest] = string.unpack(">s1s1", s);
  const copy = kmod.bytes(string.sub(s, rest as number));
  let packet: unknown = copy;
  if (protoName !== "") {
    const proto = protocols.get(protoName as string);
    if (proto === undefined) error(`nf.schedule: protocol buffer '${protoName}' is not registered in this context`);
    packet = proto.instantiate(copy, 0, copy.len(), 0);
  }
  const fn = (_G as unknown as LuaTable<string, unknown>).get(callback as string);
  if (luaType(fn) !== "function") error(`nf.schedule: global function '${callback}' is not defined in the process context`);
  (fn as (this: void, id: number, packet: unknown) => void)(id, packet);
}

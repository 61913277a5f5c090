// Per-segment cost of the stack, measured from outside (the caller times
// `tcp_bench_run`; Lua here has no float clock). Two paths:
// - "send": a connection in ESTABLISHED sends `segments` full segments
//   (counted in MSS-sized packets, also when offload makes super-segments):
//   write, dispatch, headers and checksums built as the engine adapter builds
//   them (offload units without the payload sum, which the kernel does), and
//   one ACK processed per two segments (the ACKs enter as parsed segments).
// - "receive": `segments` data packets, encoded beforehand, are parsed
//   (checksum verified), processed, read, and answered with (delayed) ACKs,
//   which are encoded.
import type { TcpConfig } from "./config";
import { ACK, payloadLength, SYN, type TcpSegment } from "./segment";
import { TcpSocket } from "./socket";
import { encodeHeaders, encodeIPv4Tcp, encodePacket, packetParts, parseIPv4Tcp } from "./wire";

const LOCAL_ADDR = 0xc6120102;
const PEER_ADDR = 0xc6120001;
const PEER_ISS = 5000;

interface BenchState {
  kind: string;
  segments: number;
  sock: TcpSocket;
  packets: string[];
  data: string;
}

let bench: BenchState | undefined;

function peerSegment(flags: number, seq: number, ack: number, tsVal: number, tsEcr: number): TcpSegment {
  return {
    srcAddr: PEER_ADDR, dstAddr: LOCAL_ADDR, srcPort: 40000, dstPort: 80, seq, ack, flags,
    window: 65535, urgent: 0, payload: "", tsVal, tsEcr,
  };
}

function establish(sock: TcpSocket): void {
  sock.listen(LOCAL_ADDR, 80);
  const syn = peerSegment(SYN, PEER_ISS, 0, 1, 0);
  syn.mss = 1460;
  syn.wscale = 7;
  syn.sackPermitted = true;
  sock.process(syn, 0);
  sock.dispatch(0);
  sock.process(peerSegment(ACK, PEER_ISS + 1, sock.iss + 1, 2, 0), 0);
}

/** Sets up a benchmark of `segments` segments on the "send" or "receive" path. */
export function tcp_bench_prepare(kind: string, segments: number, config?: Partial<TcpConfig>): void {
  const sock = new TcpSocket({ iss: 1000, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20, ...config });
  establish(sock);
  const smss = sock.smss;
  const data = string.rep("kcache-tcp-stack", idiv(65536, 16));
  const packets: string[] = [];
  if (kind === "receive") {
    let seq = PEER_ISS + 1;
    for (let i = 0; i < segments; i++) {
      const seg = peerSegment(ACK, seq, sock.iss + 1, 3 + i, 0);
      const offset = (i * smss) % (data.length - smss);
      seg.payload = string.sub(data, offset + 1, offset + smss);
      packets.push(encodePacket(seg));
      seq = (seq + smss) & 0xffffffff;
    }
  }
  bench = { kind, segments, sock, packets, data };
}

/** Runs the prepared benchmark; returns the segments and bytes handled. */
export function tcp_bench_run(): LuaMultiReturn<[number, number]> {
  const b = bench!;
  const sock = b.sock;
  let now = 1000;
  let handled = 0;
  let bytes = 0;
  if (b.kind === "receive") {
    for (const packet of b.packets) {
      const [seg] = parseIPv4Tcp(packet);
      sock.process(seg!, now);
      for (const out of sock.dispatch(now)) encodeIPv4Tcp(out);
      bytes += sock.read(0x7fffffff).length;
      handled += 1;
      now += 10;
    }
    return $multi(handled, bytes);
  }
  const data = b.data;
  let tsVal = 10;
  let pendingAck = -1;
  let unacked = 0;
  while (handled < b.segments) {
    while (sock.sendCapacity() >= data.length) sock.write(data);
    const out = sock.dispatch(now);
    for (const seg of out) {
      // As the engine adapter: an offload unit's headers leave the payload sum to the kernel.
      if (seg.gsoSize !== undefined) packetParts(encodeHeaders(seg, true), seg.payload);
      else encodeIPv4Tcp(seg);
      const len = payloadLength(seg.payload);
      if (len > 0) {
        handled += seg.gsoSize !== undefined ? idiv(len + seg.gsoSize - 1, seg.gsoSize) : 1;
        bytes += len;
        unacked += 1;
        pendingAck = (seg.seq + len) & 0xffffffff;
        // The peer acknowledges every second segment.
        if (unacked >= 2) {
          tsVal += 1;
          sock.process(peerSegment(ACK, PEER_ISS + 1, pendingAck, tsVal, seg.tsVal ?? 0), now);
          unacked = 0;
        }
      }
    }
    if (out.length === 0 && pendingAck >= 0) {
      tsVal += 1;
      sock.process(peerSegment(ACK, PEER_ISS + 1, pendingAck, tsVal, 0), now);
      unacked = 0;
    }
    now += 10;
  }
  return $multi(handled, bytes);
}

// Two sockets of this stack joined by a simulated link inside Lua: a server
// that sends a known byte stream and a client that reads and checks every
// byte. Virtual time, one-way delay, seeded random loss. Every segment goes
// through the wire codec (headers built, checksums computed and verified),
// so one call measures the whole per-segment cost of the stack without any
// crossing into JavaScript. Used by the tests and the benchmark.
import type { TcpConfig } from "./config";
import type { TcpSegment } from "./segment";
import { TcpSocket, TcpState } from "./socket";
import { payloadLength } from "./segment";
import { encodePacket, parseIPv4Tcp } from "./wire";

export interface LoopbackOptions {
  bytes: number;
  /** Loss probability per packet, in parts per million (10000 = 1 %). */
  lossPpm?: number;
  /** One-way delay, µs. */
  delayUs?: number;
  /** Link rate in Mbit/s (= bits per µs), each direction; packets are serialised (default 1000). */
  rateMbps?: number;
  seed?: number;
  /** Stop after this much virtual time, µs (default 600 s). */
  maxTimeUs?: number;
  client?: Partial<TcpConfig>;
  server?: Partial<TcpConfig>;
}

/** The byte stream: a period of 65521 bytes (prime, so misplaced chunks show). */
const PERIOD = 65521;
let periodic: string | undefined;

function stream(): string {
  if (periodic === undefined) {
    const bytes: number[] = [];
    for (let i = 0; i < PERIOD; i++) bytes.push((i * 7 + shr(i, 8)) & 0xff);
    const pieces: string[] = [];
    for (let i = 0; i < PERIOD; i += 4096) {
      pieces.push(string.char(...bytes.slice(i, Math.min(i + 4096, PERIOD))));
    }
    const one = table.concat(pieces);
    periodic = one + one;
  }
  return periodic;
}

/** `n` (<= PERIOD) bytes of the stream from offset `offset`. */
function streamSlice(offset: number, n: number): string {
  const start = offset % PERIOD;
  return string.sub(stream(), start + 1, start + n);
}

interface InFlight {
  at: number;
  toServer: boolean;
  packet: string;
}

const CLIENT_ADDR = 0xc6120001; // 198.18.0.1
const SERVER_ADDR = 0xc6120102; // 198.18.1.2

/**
 * Transfers `bytes` from server to client and closes. Returns the outcome:
 * ok (every byte arrived, in order, and both sides closed), virtual time,
 * segments and retransmissions.
 */
export function tcp_loopback_transfer(options: LoopbackOptions): LuaTable<string, unknown> {
  const total = options.bytes;
  const loss = options.lossPpm ?? 0;
  const delay = options.delayUs ?? 100;
  const rate = options.rateMbps ?? 1000;
  let serverLinkFree = 0;
  let clientLinkFree = 0;
  const maxTime = options.maxTimeUs ?? 600_000_000;
  let seed = options.seed ?? 1;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return shr(seed, 8) % 1_000_000;
  };
  const client = new TcpSocket({ iss: 1000, ...options.client });
  const server = new TcpSocket({ iss: 900000, ...options.server });
  server.listen(SERVER_ADDR, 80);
  let now = 0;
  client.connect(CLIENT_ADDR, 40000, SERVER_ADDR, 80, now);

  // The link: one FIFO per direction (arrival times only grow in each).
  const toServerQ = new LuaTable<number, InFlight>();
  const toClientQ = new LuaTable<number, InFlight>();
  let sHead = 1;
  let sTail = 0;
  let cHead = 1;
  let cTail = 0;
  const insert = (p: InFlight): void => {
    if (p.toServer) {
      sTail += 1;
      toServerQ.set(sTail, p);
    } else {
      cTail += 1;
      toClientQ.set(cTail, p);
    }
  };
  /** The earliest packet on either direction, or undefined. */
  const peek = (): InFlight | undefined => {
    const a = sHead <= sTail ? toServerQ.get(sHead) : undefined;
    const b = cHead <= cTail ? toClientQ.get(cHead) : undefined;
    if (a === undefined) return b;
    if (b === undefined) return a;
    return a.at <= b.at ? a : b;
  };
  const pop = (p: InFlight): void => {
    if (p.toServer) {
      toServerQ.delete(sHead);
      sHead += 1;
    } else {
      toClientQ.delete(cHead);
      cHead += 1;
    }
  };
  let packets = 0;
  let lost = 0;
  let payloadSegments = 0;
  const transmit = (segs: TcpSegment[], toServer: boolean): void => {
    for (const seg of segs) {
      packets += 1;
      if (payloadLength(seg.payload) > 0) payloadSegments += 1;
      if (loss > 0 && random() < loss) {
        lost += 1;
        continue;
      }
      const packet = encodePacket(seg);
      // Serialisation at the link rate, then the propagation delay.
      let start = toServer ? clientLinkFree : serverLinkFree;
      if (start < now) start = now;
      const done = start + idiv(packet.length * 8, rate);
      if (toServer) clientLinkFree = done;
      else serverLinkFree = done;
      insert({ at: done + delay, toServer, packet });
    }
  };

  let sent = 0;
  let received = 0;
  let corrupt = false;
  let serverClosed = false;
  let clientClosed = false;
  transmit(client.dispatch(now), true);
  while (now <= maxTime) {
    // Applications: the server writes while it has room, closes when all is written; the client reads and checks.
    if (server.state === TcpState.Established || server.state === TcpState.CloseWait) {
      while (sent < total) {
        const room = Math.min(server.sendCapacity(), total - sent, PERIOD);
        if (room <= 0) break;
        sent += server.write(streamSlice(sent, room));
      }
      if (sent >= total && !serverClosed) {
        server.close();
        serverClosed = true;
      }
    }
    for (;;) {
      const data = client.read(PERIOD);
      if (data.length === 0) break;
      if (data !== streamSlice(received, data.length)) corrupt = true;
      received += data.length;
    }
    if (!clientClosed && client.state === TcpState.CloseWait) {
      client.close();
      clientClosed = true;
    }
    transmit(server.dispatch(now), false);
    transmit(client.dispatch(now), true);
    if (client.state === TcpState.Closed && (server.state === TcpState.Closed || server.state === TcpState.TimeWait)) break;
    // Next event: a packet arriving or a socket timer.
    let next = -1;
    const first = peek();
    if (first !== undefined) next = first.at;
    for (const t of [client.pollAt(), server.pollAt()]) {
      if (t >= 0 && (next < 0 || t < next)) next = t;
    }
    if (next < 0) break;
    if (next > now) now = next;
    // One arrival at a time, each answered before the next (as a real receiver would).
    if (first !== undefined && first.at <= now) {
      const p = first;
      pop(p);
      const [seg] = parseIPv4Tcp(p.packet);
      if (seg !== undefined) (p.toServer ? server : client).process(seg, now);
    }
  }
  const result = new LuaTable<string, unknown>();
  result.set("ok", !corrupt && received === total && client.state === TcpState.Closed);
  result.set("received", received);
  result.set("corrupt", corrupt);
  result.set("time_us", now);
  result.set("packets", packets);
  result.set("payload_segments", payloadSegments);
  result.set("lost", lost);
  result.set("retransmits", server.stats.retransmits);
  result.set("fast_retransmits", server.stats.fastRetransmits);
  result.set("rtos", server.stats.rtos);
  result.set("loss_probes", server.stats.lossProbes);
  result.set("lost_retransmits", server.stats.lostRetransmits);
  result.set("client_state", client.state);
  result.set("server_state", server.state);
  result.set("server_cwnd", server.cc.cwnd);
  result.set("server_srtt", server.rtt.srtt);
  return result;
}

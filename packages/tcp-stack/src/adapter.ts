// Binds a TcpStack to the engine: a hook function feeds it the packets it
// owns (others pass on untouched), a single engine timer runs it when
// `pollAt` says, and its segments leave as parts (headers, payload pieces),
// gathered by the engine without a concatenation copy. The interface and
// next-hop MAC towards a peer are learnt from the peer's own packets; with
// them a segment goes straight to the device as a frame (kmod.send_l2: no
// routing, no neighbour lookup), and data segments larger than one MSS
// (sockets with `segmentOffloadBytes`) through kmod.send_gso, which the
// kernel cuts into MSS-sized segments. Without them, kmod.send (a raw IP
// socket) and units cut here. The application sees its sockets through
// `onSocket` after every step.
import { FIN, payloadLength, payloadString, PSH, type TcpSegment } from "./segment";
import { TcpStack } from "./stack";
import type { TcpSocket } from "./socket";
import { seqAdd } from "./seq";
import { encodeHeaders, encodeIPv4Tcp, packetParts, parseIPv4Tcp } from "./wire";

export type SocketHandler = (sock: TcpSocket, events: number, accepted: boolean) => void;

/** Where a peer's packets came from: the way back for frames and GSO super-segments. */
interface Link {
  ifindex: number;
  mac: string;
}

export class EngineAdapter {
  private timer = -1;
  private timerAt = -1;
  private readonly links = new LuaTable<number, Link>();
  packetsIn = 0;
  packetsOut = 0;
  passed = 0;
  /** Super-segments handed to kmod.send_gso, and those it refused (then cut here and sent one by one). */
  gsoSends = 0;
  gsoFailures = 0;
  /** Packets the engine could not send (kmod.send refused them: e.g. its socket's buffer full). */
  sendFailures = 0;
  /** µs spent inside kmod.send/send_gso (the system call and what the kernel does in it), to tell it from the stack's own Lua time. */
  sendUs = 0;

  constructor(readonly stack: TcpStack, private readonly onSocket: SocketHandler) {}

  /** The hook: NF_DROP for packets the stack took (it answers them itself), NF_ACCEPT for the rest. */
  hook(p: Packet): Verdict {
    const [seg] = parseIPv4Tcp(p.string());
    const now = kmod.now_us();
    if (seg === undefined || !this.stack.owns(seg, now)) {
      this.passed += 1;
      return NF_ACCEPT;
    }
    this.packetsIn += 1;
    if (!this.links.has(seg.srcAddr)) this.learnLink(p, seg.srcAddr);
    const sock = this.stack.input(seg, now);
    if (sock !== undefined) this.notify(sock, false);
    this.flush();
    return NF_DROP;
  }

  /**
   * Sends what the stack has to send, then gives the application the news of
   * every socket that ran (accepted, data, writable, closed); what it writes
   * goes out in a second round.
   */
  flush(): void {
    const now = kmod.now_us();
    for (let round = 0; round < 2; round++) {
      const segments = this.stack.poll(now);
      if (segments.length > 0) {
        const start = kmod.now_us();
        for (const seg of segments) this.send(seg);
        this.sendUs += kmod.now_us() - start;
      }
      let acted = false;
      for (const sock of this.stack.accept()) acted = this.notify(sock, true) || acted;
      for (const sock of this.stack.lastPolled()) acted = this.notify(sock, false) || acted;
      if (!acted) break;
    }
    this.arm(now);
  }

  /** Gives the application a socket's events, if it has any; true when it did. */
  notify(sock: TcpSocket, accepted: boolean): boolean {
    const events = sock.takeEvents();
    if (events === 0 && !accepted) return false;
    this.onSocket(sock, events, accepted);
    return true;
  }

  private send(seg: TcpSegment): void {
    const mss = seg.gsoSize;
    const link = this.links.get(seg.dstAddr);
    if (mss === undefined || payloadLength(seg.payload) <= mss) {
      this.sendOne(encodeIPv4Tcp(seg), link);
      return;
    }
    if (link !== undefined) {
      // The engine writes the lengths and checksums of the segments the kernel cuts: no payload sum here.
      this.gsoSends += 1;
      if (kmod.send_gso(packetParts(encodeHeaders(seg, true), seg.payload), mss, link.ifindex, link.mac)) {
        this.packetsOut += 1;
        return;
      }
      this.gsoFailures += 1;
    }
    this.sendCut(seg, mss, link);
  }

  /**
   * One packet: as a frame to the peer's link when it is known, else through
   * the raw IP socket. (The frame also keeps a SYN flood from spoofed
   * addresses from stalling the raw socket: its SYN-ACKs would sit in the
   * kernel waiting for neighbours that never answer, filling the socket's
   * buffer, and the SYN-ACKs of real clients would be refused.)
   */
  private sendOne(parts: (string | Bytes)[], link: Link | undefined): void {
    this.packetsOut += 1;
    if (link !== undefined && kmod.send_l2(parts, link.ifindex, link.mac)) return;
    if (!kmod.send(parts)) this.sendFailures += 1;
  }

  /** Cuts a super-segment into MSS-sized segments here (no way back known, or send_gso refused it). */
  private sendCut(seg: TcpSegment, mss: number, link: Link | undefined): void {
    const payload = payloadString(seg.payload);
    const length = payload.length;
    for (let offset = 0; offset < length; offset += mss) {
      const last = offset + mss >= length;
      const piece: TcpSegment = {
        ...seg, seq: seqAdd(seg.seq, offset), payload: string.sub(payload, offset + 1, offset + mss),
        flags: last ? seg.flags : seg.flags & ~(FIN | PSH), gsoSize: undefined,
      };
      this.sendOne(encodeIPv4Tcp(piece), link);
    }
  }

  private learnLink(p: Packet, addr: number): void {
    const mac = p.hwaddr();
    if (mac !== undefined && p.indev() > 0) this.links.set(addr, { ifindex: p.indev(), mac });
  }

  private arm(now: number): void {
    const at = this.stack.pollAt();
    if (at < 0) return;
    if (this.timer >= 0 && this.timerAt <= at) return;
    if (this.timer >= 0) kmod.cancel(this.timer);
    this.timerAt = at;
    this.timer = kmod.timer_us(Math.max(at - now, 0), () => {
      this.timer = -1;
      this.timerAt = -1;
      this.flush();
    });
  }
}

// One TCP connection as a sans-I/O state machine (RFC 9293), both roles.
// `process(segment, now)` takes what arrived, `dispatch(now)` returns what to
// send, `pollAt()` says when it next needs to run. It never does I/O and
// never reads a clock: time is an argument, in integer microseconds.
//
// Branches cite the RFC section they implement. Sequence numbers are 32-bit
// and compared through `seq.ts`.
import { SendBuffer, ReceiveQueue, Reassembler, SackScoreboard } from "./buffers";
import { resolveConfig, type TcpConfig } from "./config";
import { createCongestionControl, initialWindow, type CongestionControl } from "./congestion";
import { IsnGenerator } from "./isn";
import { MAX_WSCALE } from "./options";
import { RttEstimator } from "./rtt";
import { ACK, FIN, PSH, RST, SYN, type TcpSegment } from "./segment";
import { seqAdd, seqDiff, seqGe, seqGt, seqInWindow, seqLe, seqLt, seqMax } from "./seq";

export const enum TcpState {
  Closed = 0,
  Listen = 1,
  SynSent = 2,
  SynReceived = 3,
  Established = 4,
  FinWait1 = 5,
  FinWait2 = 6,
  CloseWait = 7,
  Closing = 8,
  LastAck = 9,
  TimeWait = 10,
}

export const STATE_NAMES = [
  "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
  "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
];

/** Event bits, accumulated until `takeEvents()`. */
export const EV_CONNECTED = 1;
export const EV_READABLE = 2;
export const EV_WRITABLE = 4;
/** The peer sent FIN: no more data will arrive (end of stream). */
export const EV_PEER_CLOSED = 8;
/** The connection is gone (normal close, reset, timeout or abort). */
export const EV_CLOSED = 16;
export const EV_RESET = 32;
export const EV_TIMEOUT = 64;

export interface TcpStats {
  segsIn: number;
  segsOut: number;
  bytesIn: number;
  bytesOut: number;
  retransmits: number;
  retransmittedBytes: number;
  fastRetransmits: number;
  rtos: number;
  dupAcksIn: number;
  challengeAcks: number;
  windowProbes: number;
  outOfOrderSegments: number;
  outOfOrderDropped: number;
  drops: number;
}

function newStats(): TcpStats {
  return {
    segsIn: 0, segsOut: 0, bytesIn: 0, bytesOut: 0, retransmits: 0, retransmittedBytes: 0,
    fastRetransmits: 0, rtos: 0, dupAcksIn: 0, challengeAcks: 0, windowProbes: 0,
    outOfOrderSegments: 0, outOfOrderDropped: 0, drops: 0,
  };
}

/** RFC 9293 §3.7.1: the MSS to assume when the peer sends none. */
const DEFAULT_PEER_MSS = 536;
/** Bytes the timestamps option takes in every segment (NOP, NOP, TS). */
const TS_OPTION_BYTES = 12;

/**
 * The reset to answer a segment for no connection (RFC 9293 §3.10.7.1):
 * <SEQ=SEG.ACK><CTL=RST> if it carried an ACK, else
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. Undefined for a RST.
 */
export function resetFor(seg: TcpSegment): TcpSegment | undefined {
  if ((seg.flags & RST) !== 0) return undefined;
  const reply: TcpSegment = {
    srcAddr: seg.dstAddr, dstAddr: seg.srcAddr, srcPort: seg.dstPort, dstPort: seg.srcPort,
    seq: 0, ack: 0, flags: RST, window: 0, urgent: 0, payload: "",
  };
  if ((seg.flags & ACK) !== 0) {
    reply.seq = seg.ack;
  } else {
    let len = seg.payload.length;
    if ((seg.flags & SYN) !== 0) len += 1;
    if ((seg.flags & FIN) !== 0) len += 1;
    reply.ack = seqAdd(seg.seq, len);
    reply.flags = RST | ACK;
  }
  return reply;
}

let defaultIsn: IsnGenerator | undefined;

/** The generator sockets use when no `iss` is configured (one key per Lua state). */
export function defaultIsnGenerator(): IsnGenerator {
  if (defaultIsn === undefined) defaultIsn = IsnGenerator.fromRandom(() => kmod.random32());
  return defaultIsn;
}

export class TcpSocket {
  readonly config: TcpConfig;
  state = TcpState.Closed;
  localAddr = 0;
  localPort = 0;
  remoteAddr = 0;
  remotePort = 0;

  // Send sequence space (RFC 9293 §3.3.1). sndMax: highest sequence sent
  // (sndNxt goes back to sndUna after a timeout; go-back-N).
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  sndMax = 0;
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  maxSndWnd = 0;
  sndWscale = 0;
  /** Effective send MSS: payload bytes per segment, options deducted. */
  smss = DEFAULT_PEER_MSS;

  // Receive sequence space. rcvAdvEdge: right edge of the window last advertised.
  irs = 0;
  rcvNxt = 0;
  rcvAdvEdge = 0;
  rcvWscale = 0;

  // Negotiated options.
  wsEnabled = false;
  tsEnabled = false;
  sackEnabled = false;
  tsRecent = 0;
  lastAckSent = 0;
  private readonly tsOffset: number;

  // Data.
  private readonly sendBuffer = new SendBuffer();
  /** Sequence number of the first byte in the send buffer. */
  private sendStartSeq = 0;
  private finQueued = false;
  private finSeq = 0;
  private finAcked = false;
  private readonly rx = new ReceiveQueue();
  private readonly ooo = new Reassembler();
  /** A FIN that arrived beyond RCV.NXT (after a hole), or -1. */
  private peerFinSeq = -1;
  private finReceived = false;

  // Timers: absolute µs, -1 when off.
  rtoAt = -1;
  persistAt = -1;
  delackAt = -1;
  timeWaitAt = -1;
  keepAliveAt = -1;
  private keepAliveProbesSent = 0;
  private persistBackoff = 0;
  private retries = 0;

  readonly rtt: RttEstimator;
  private rttActive = false;
  private rttSeq = 0;
  private rttStart = 0;
  cc: CongestionControl;

  // Loss recovery (RFC 5681 §3.2, RFC 6582, RFC 6675).
  dupAcks = 0;
  inRecovery = false;
  recover = 0;
  private rexmitHigh = 0;
  private fastRexmitPending = false;
  /** End of the last segment sent shorter than SMSS (Nagle, Minshall's variant). */
  private smallSentEnd = 0;
  readonly scoreboard = new SackScoreboard();

  // ACK generation.
  private ackNow = false;
  /** The application wrote or closed since the last dispatch. */
  private dirty = false;
  private bytesSinceAck = 0;
  private outbox: TcpSegment[] = [];
  private now = 0;

  events = 0;
  /** Why the connection ended abnormally ("reset", "timeout", "refused"). */
  error: string | undefined;
  /** The reason the last segment was dropped (malformed, out of window, PAWS...). */
  lastDrop: string | undefined;
  readonly stats: TcpStats = newStats();

  constructor(config?: Partial<TcpConfig>, private readonly isnSource?: IsnGenerator) {
    this.config = resolveConfig(config);
    this.rtt = new RttEstimator(this.config);
    this.cc = createCongestionControl(this.config.congestion, initialWindow(this.smss, this.config.initialWindowSegments));
    this.tsOffset = this.config.iss !== undefined ? 0 : kmod.random32();
  }

  // ---- User calls (RFC 9293 §3.10.1-§3.10.5) ------------------------------

  /** Passive open: answer a SYN to `localPort` (and `localAddr`, 0 for any). */
  listen(localAddr: number, localPort: number): void {
    this.localAddr = localAddr;
    this.localPort = localPort;
    this.state = TcpState.Listen;
  }

  /** Active open: the SYN goes out at the next dispatch. */
  connect(localAddr: number, localPort: number, remoteAddr: number, remotePort: number, nowUs: number): void {
    this.dirty = true;
    this.localAddr = localAddr;
    this.localPort = localPort;
    this.remoteAddr = remoteAddr;
    this.remotePort = remotePort;
    this.now = nowUs;
    this.rcvWscale = this.config.windowScaling ? this.wantedWscale() : 0;
    this.chooseIss(nowUs);
    this.state = TcpState.SynSent;
  }

  /**
   * Queues bytes to send; returns how many were accepted (the send buffer is
   * bounded), -1 once closed. A byte array (e.g. from the content store) is
   * copied into a string once.
   */
  write(data: string | Bytes): number {
    if (typeof data !== "string") data = data.string();
    const st = this.state;
    if (this.finQueued || !(st === TcpState.SynSent || st === TcpState.SynReceived
      || st === TcpState.Established || st === TcpState.CloseWait)) return -1;
    const room = this.config.sendBufferSize - this.sendBuffer.length;
    if (room <= 0) return 0;
    if (data.length > room) data = string.sub(data, 1, room);
    this.sendBuffer.push(data);
    this.dirty = true;
    return data.length;
  }

  /** Room left in the send buffer. */
  sendCapacity(): number {
    return this.config.sendBufferSize - this.sendBuffer.length;
  }

  /** Bytes queued and not yet acknowledged. */
  sendQueued(): number {
    return this.sendBuffer.length;
  }

  /** Removes and returns up to `max` received bytes. */
  read(max: number): string {
    const data = this.rx.read(max);
    if (data.length > 0 && this.synchronized()) {
      // RFC 9293 §3.8.6.2.2: announce the reopened window once it grew by
      // enough to matter (two segments, or half the buffer).
      const free = this.config.recvBufferSize - this.rx.length;
      const grow = seqDiff(seqAdd(this.rcvNxt, free), this.rcvAdvEdge);
      if (grow >= Math.min(2 * this.config.mss, idiv(this.config.recvBufferSize, 2))) this.ackNow = true;
    }
    return data;
  }

  /** Bytes ready for `read`. */
  readable(): number {
    return this.rx.length;
  }

  /** RFC 9293 §3.10.4 CLOSE: no more data from us; the FIN follows the queued data. */
  close(): void {
    this.dirty = true;
    switch (this.state) {
      case TcpState.Listen:
      case TcpState.SynSent:
        this.terminate(undefined);
        return;
      case TcpState.SynReceived:
        // §3.10.4: queue the FIN until ESTABLISHED is reached.
        this.queueFin();
        return;
      case TcpState.Established:
        this.queueFin();
        this.state = TcpState.FinWait1;
        return;
      case TcpState.CloseWait:
        this.queueFin();
        this.state = TcpState.LastAck;
        return;
      default:
        return;
    }
  }

  /** RFC 9293 §3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST> in a synchronized state, then CLOSED. */
  abort(): void {
    if (this.synchronized() || this.state === TcpState.SynReceived) {
      const seg = this.segment(RST, this.sndNxt, "");
      this.outbox.push(seg);
    }
    this.terminate(undefined);
  }

  /** Returns and clears the accumulated event bits. */
  takeEvents(): number {
    const ev = this.events;
    this.events = 0;
    return ev;
  }

  /** The earliest time `dispatch` has work to do, or -1 (nothing scheduled). */
  pollAt(): number {
    if (this.ackNow || this.dirty || this.outbox.length > 0) return this.now;
    let t = this.rtoAt;
    const p = this.persistAt;
    if (p >= 0 && (t < 0 || p < t)) t = p;
    const d = this.delackAt;
    if (d >= 0 && (t < 0 || d < t)) t = d;
    const w = this.timeWaitAt;
    if (w >= 0 && (t < 0 || w < t)) t = w;
    const k = this.keepAliveAt;
    if (k >= 0 && (t < 0 || k < t)) t = k;
    return t;
  }

  /** True in the states where both sides' sequence numbers are known (after SYN-RECEIVED). */
  synchronized(): boolean {
    return this.state >= TcpState.Established;
  }

  // ---- Segment arrives (RFC 9293 §3.10.7) ---------------------------------

  process(seg: TcpSegment, nowUs: number): void {
    this.now = nowUs;
    this.stats.segsIn += 1;
    const st = this.state;
    if (seg.dstPort !== this.localPort
      || (st !== TcpState.Listen && st !== TcpState.Closed
        && (seg.srcPort !== this.remotePort || seg.srcAddr !== this.remoteAddr))) {
      this.drop("not this connection");
      return;
    }
    if (st === TcpState.Closed) {
      // §3.10.7.1: a reset for anything but a reset.
      const reply = resetFor(seg);
      if (reply !== undefined) this.outbox.push(reply);
      this.drop("closed");
      return;
    }
    if (st === TcpState.Listen) {
      this.processListen(seg);
      return;
    }
    if (st === TcpState.SynSent) {
      this.processSynSent(seg);
      return;
    }
    this.processSynchronized(seg);
  }

  /** §3.10.7.2 LISTEN. */
  private processListen(seg: TcpSegment): void {
    const flags = seg.flags;
    if ((flags & RST) !== 0) return this.drop("RST in LISTEN");
    if ((flags & ACK) !== 0) {
      const reply = resetFor(seg);
      if (reply !== undefined) this.outbox.push(reply);
      return this.drop("ACK in LISTEN");
    }
    if ((flags & SYN) === 0) return this.drop("no SYN in LISTEN");
    if (this.localAddr !== 0 && seg.dstAddr !== this.localAddr) return this.drop("not this address");
    this.localAddr = seg.dstAddr;
    this.remoteAddr = seg.srcAddr;
    this.remotePort = seg.srcPort;
    this.irs = seg.seq;
    this.rcvNxt = seqAdd(seg.seq, 1);
    this.rcvAdvEdge = this.rcvNxt;
    this.rcvWscale = this.config.windowScaling && seg.wscale !== undefined ? this.wantedWscale() : 0;
    this.negotiate(seg);
    this.chooseIss(this.now);
    // RFC 7323 §2.2: the window of a SYN is never scaled.
    this.sndWnd = seg.window;
    this.maxSndWnd = seg.window;
    this.sndWl1 = seg.seq;
    this.sndWl2 = this.iss;
    this.state = TcpState.SynReceived;
  }

  /** §3.10.7.3 SYN-SENT. */
  private processSynSent(seg: TcpSegment): void {
    const flags = seg.flags;
    const hasAck = (flags & ACK) !== 0;
    if (hasAck && (seqLe(seg.ack, this.iss) || seqGt(seg.ack, this.sndMax))) {
      if ((flags & RST) === 0) this.outbox.push(resetFor(seg)!);
      return this.drop("unacceptable ACK in SYN-SENT");
    }
    if ((flags & RST) !== 0) {
      // RFC 5961 §3.2 / RFC 9293: a RST is only believed with an acceptable ACK.
      if (hasAck) this.terminate("refused");
      else this.drop("RST without ACK in SYN-SENT");
      return;
    }
    if ((flags & SYN) === 0) return this.drop("no SYN in SYN-SENT");
    this.irs = seg.seq;
    this.rcvNxt = seqAdd(seg.seq, 1);
    this.rcvAdvEdge = this.rcvNxt;
    if (seg.wscale === undefined) this.rcvWscale = 0; // RFC 7323 §2.2: both or neither
    this.negotiate(seg);
    this.sndWnd = seg.window;
    this.maxSndWnd = seg.window;
    this.sndWl1 = seg.seq;
    this.sndWl2 = seg.ack;
    if (hasAck) {
      this.sndUna = seg.ack;
      this.sndNxt = seqMax(this.sndNxt, seg.ack);
      if (this.rttActive && seqGe(seg.ack, this.rttSeq)) {
        this.rtt.sample(this.now - this.rttStart);
        this.rttActive = false;
      }
      this.rtoAt = -1;
      this.retries = 0;
      this.state = TcpState.Established;
      this.events |= EV_CONNECTED | EV_WRITABLE;
      this.ackNow = true;
      if (this.config.keepAliveUs > 0) this.keepAliveAt = this.now + this.config.keepAliveUs;
    } else {
      // Simultaneous open: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
      this.state = TcpState.SynReceived;
      this.sndNxt = this.iss;
    }
  }

  /** §3.10.7.4: every state after SYN-SENT. */
  private processSynchronized(seg: TcpSegment): void {
    let flags = seg.flags;
    const isRst = (flags & RST) !== 0;
    const now = this.now;
    let payload = seg.payload;
    let seq = seg.seq;
    let hasFin = (flags & FIN) !== 0;

    // A retransmitted SYN while our SYN-ACK is unacknowledged: answer it again.
    if (this.state === TcpState.SynReceived && (flags & (SYN | ACK | RST)) === SYN && seq === this.irs) {
      this.sndNxt = this.iss;
      return;
    }
    // Simultaneous open: the peer's SYN-ACK repeats its SYN; its ACK completes our handshake.
    if (this.state === TcpState.SynReceived && (flags & (SYN | ACK | RST)) === (SYN | ACK) && seq === this.irs) {
      seq = this.rcvNxt;
      flags = flags & ~SYN;
      seg = { ...seg, seq, flags };
    }
    if (this.tsEnabled && !isRst) {
      // RFC 7323 §3.2: once negotiated, a segment without TSopt is dropped.
      if (seg.tsVal === undefined) return this.drop("missing timestamp");
      // RFC 7323 §5.3 R1 (PAWS): an older TSval than TS.Recent is a duplicate; ACK it, drop it.
      if (seqLt(seg.tsVal, this.tsRecent)) {
        this.ackNow = true;
        return this.drop("PAWS");
      }
    }

    // First check: sequence number acceptability (the four cases of §3.10.7.4).
    let segLen = payload.length;
    if ((flags & SYN) !== 0) segLen += 1;
    if (hasFin) segLen += 1;
    const wnd = Math.max(seqDiff(this.rcvAdvEdge, this.rcvNxt), 0);
    let acceptable: boolean;
    if (segLen === 0) acceptable = wnd === 0 ? seq === this.rcvNxt : seqInWindow(seq, this.rcvNxt, wnd);
    else if (wnd === 0) acceptable = false;
    else acceptable = seqInWindow(seq, this.rcvNxt, wnd) || seqInWindow(seqAdd(seq, segLen - 1), this.rcvNxt, wnd);
    if (!acceptable && wnd === 0 && seq === this.rcvNxt && !isRst) {
      // "special allowance should be made to accept valid ACKs, URGs, and RSTs" with a zero window: keep the ACK, drop the text.
      payload = "";
      hasFin = false;
      this.ackNow = true;
      acceptable = true;
    }
    if (!acceptable) {
      if (!isRst) {
        this.ackNow = true;
        // TIME-WAIT: a retransmitted FIN is acknowledged and restarts the 2 MSL timer.
        if (this.state === TcpState.TimeWait && hasFin) this.timeWaitAt = now + this.config.timeWaitUs;
      }
      return this.drop("out of window");
    }

    // An acceptable segment: the peer is alive (keep-alive restarts).
    if (this.config.keepAliveUs > 0) {
      this.keepAliveProbesSent = 0;
      this.keepAliveAt = now + this.config.keepAliveUs;
    }

    // Second check: RST (RFC 5961 §3.2): exact match resets, in-window gets a challenge ACK.
    if (isRst) {
      if (seq === this.rcvNxt) {
        const st = this.state;
        const quiet = st === TcpState.Closing || st === TcpState.LastAck || st === TcpState.TimeWait;
        this.terminate(quiet ? undefined : "reset");
      } else {
        this.challengeAck();
        this.drop("RST not at RCV.NXT");
      }
      return;
    }

    // Fourth check: SYN in a synchronized state (RFC 5961 §4.2): challenge ACK.
    if ((flags & SYN) !== 0) {
      this.challengeAck();
      return this.drop("SYN in synchronized state");
    }

    // Fifth check: the ACK field.
    if ((flags & ACK) === 0) return this.drop("no ACK");

    // Trim the text to the window: bytes before RCV.NXT were received already,
    // bytes past the right edge do not fit.
    const finAt = seqAdd(seg.seq, seg.payload.length);
    if (seqLt(seq, this.rcvNxt)) {
      const skip = seqDiff(this.rcvNxt, seq);
      payload = skip >= payload.length ? "" : string.sub(payload, skip + 1);
      seq = this.rcvNxt;
    }
    const room = seqDiff(seqAdd(this.rcvNxt, wnd), seq);
    if (payload.length > room) {
      payload = string.sub(payload, 1, Math.max(room, 0));
      hasFin = false;
    }

    if (this.state === TcpState.SynReceived) {
      // §3.10.7.4 fifth check, SYN-RECEIVED: an acceptable ACK completes the handshake.
      if (seqLt(this.sndUna, seg.ack) && seqLe(seg.ack, this.sndMax)) {
        this.state = this.finQueued ? TcpState.FinWait1 : TcpState.Established;
        this.sndWnd = shl(seg.window, this.sndWscale);
        this.maxSndWnd = Math.max(this.maxSndWnd, this.sndWnd);
        this.sndWl1 = seg.seq;
        this.sndWl2 = seg.ack;
        this.events |= EV_CONNECTED | EV_WRITABLE;
      } else {
        this.outbox.push(resetFor(seg)!);
        return this.drop("unacceptable ACK in SYN-RECEIVED");
      }
    }

    // RFC 5961 §5.2: acceptable ACKs are SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT.
    const ack = seg.ack;
    if (seqGt(ack, this.sndMax)) {
      this.ackNow = true;
      return this.drop("ACK of unsent data");
    }
    if (seqLt(ack, seqAdd(this.sndUna, -this.maxSndWnd))) {
      this.challengeAck();
      return this.drop("ACK too old");
    }

    const scaledWnd = shl(seg.window, this.sndWscale);
    if (this.sackEnabled && seg.sack !== undefined) this.takeSack(seg.sack);
    if (seqGt(ack, this.sndUna)) {
      this.onNewAck(ack);
    } else if (ack === this.sndUna && seg.payload.length === 0 && (flags & (SYN | FIN)) === 0
      && scaledWnd === this.sndWnd && this.sndMax !== this.sndUna) {
      this.onDupAck();
    }

    // Window update (§3.10.7.4): only from a segment newer than the last one used.
    if (seqLt(this.sndWl1, seg.seq) || (this.sndWl1 === seg.seq && seqLe(this.sndWl2, ack))) {
      if (this.sndWnd === 0 && scaledWnd > 0) {
        this.persistBackoff = 0;
        this.persistAt = -1;
      }
      this.sndWnd = scaledWnd;
      this.maxSndWnd = Math.max(this.maxSndWnd, scaledWnd);
      this.sndWl1 = seg.seq;
      this.sndWl2 = ack;
    }

    // Our FIN acknowledged: FIN-WAIT-1 -> FIN-WAIT-2, CLOSING -> TIME-WAIT, LAST-ACK -> CLOSED.
    if (this.finQueued && !this.finAcked && seqGt(this.sndUna, this.finSeq)) this.finAcked = true;
    if (this.finAcked) {
      if (this.state === TcpState.FinWait1) {
        this.state = TcpState.FinWait2;
        // Not in RFC 9293 (FIN-WAIT-2 may last forever), but every stack bounds it
        // (Linux tcp_fin_timeout): the application closed, so a silent peer must not hold memory.
        this.timeWaitAt = this.now + this.config.finWait2TimeoutUs;
      } else if (this.state === TcpState.Closing) {
        this.enterTimeWait();
        return;
      } else if (this.state === TcpState.LastAck) {
        this.terminate(undefined);
        return;
      }
    }

    // RFC 7323 §4.3: TS.Recent follows the segment that covers Last.ACK.sent.
    if (this.tsEnabled && seg.tsVal !== undefined && seqLe(seg.seq, this.lastAckSent)) this.tsRecent = seg.tsVal;

    // Seventh: the segment text, in the states that still receive.
    const st = this.state;
    const receiving = st === TcpState.Established || st === TcpState.FinWait1 || st === TcpState.FinWait2;
    if (receiving && payload.length > 0) this.receiveText(seq, payload);

    // Eighth: FIN, in order now or remembered until the hole before it fills.
    if (receiving) {
      if (hasFin && finAt === this.rcvNxt) this.receiveFin();
      else if (hasFin && seqGt(finAt, this.rcvNxt)) this.peerFinSeq = finAt;
      else if (this.peerFinSeq >= 0 && this.peerFinSeq === this.rcvNxt) this.receiveFin();
    }
  }

  private receiveText(seq: number, payload: string): void {
    const len = payload.length;
    if (seq === this.rcvNxt) {
      this.rx.push(payload);
      this.rcvNxt = seqAdd(this.rcvNxt, len);
      this.stats.bytesIn += len;
      this.events |= EV_READABLE;
      this.bytesSinceAck += len;
      if (!this.ooo.isEmpty()) {
        const more = this.ooo.pop(this.rcvNxt);
        if (more !== undefined) {
          this.rx.push(more);
          this.rcvNxt = seqAdd(this.rcvNxt, more.length);
          this.stats.bytesIn += more.length;
        }
        // RFC 5681 §4.2: ACK at once when a segment fills (part of) a hole.
        this.ackNow = true;
      }
      // RFC 5681 §4.2 / RFC 9293 §3.8.6.3: ACK at least every second full-sized segment,
      // otherwise within the delayed-ACK time.
      if (!this.config.delayedAck || this.bytesSinceAck >= 2 * this.smss) this.ackNow = true;
      else if (this.delackAt < 0) this.delackAt = this.now + this.config.ackDelayUs;
    } else {
      // Beyond RCV.NXT: hold it (bounded) and send an immediate duplicate ACK (RFC 5681 §4.2), with SACK blocks (RFC 2018 §4).
      this.stats.outOfOrderSegments += 1;
      if (!this.ooo.insert(seq, payload, this.config.maxOutOfOrderBlocks)) this.stats.outOfOrderDropped += 1;
      this.ackNow = true;
    }
  }

  private receiveFin(): void {
    if (this.finReceived) return;
    this.finReceived = true;
    this.peerFinSeq = -1;
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    this.ackNow = true;
    this.events |= EV_PEER_CLOSED;
    switch (this.state) {
      case TcpState.SynReceived:
      case TcpState.Established:
        this.state = TcpState.CloseWait;
        break;
      case TcpState.FinWait1:
        // Simultaneous close: CLOSING until our FIN is acknowledged.
        if (this.finAcked) this.enterTimeWait();
        else this.state = TcpState.Closing;
        break;
      case TcpState.FinWait2:
        this.enterTimeWait();
        break;
      default:
        break;
    }
  }

  /** SND.UNA advances: free the buffer, sample the RTT, grow cwnd or progress recovery. */
  private onNewAck(ack: number): void {
    const now = this.now;
    const flightBefore = seqDiff(this.sndMax, this.sndUna);
    const dataAcked = Math.min(Math.max(seqDiff(ack, this.sendStartSeq), 0), this.sendBuffer.length);
    if (dataAcked > 0) {
      this.sendBuffer.drop(dataAcked);
      this.sendStartSeq = seqAdd(this.sendStartSeq, dataAcked);
      this.stats.bytesOut += dataAcked;
      this.events |= EV_WRITABLE;
    }
    this.sndUna = ack;
    if (seqLt(this.sndNxt, ack)) this.sndNxt = ack;
    if (seqLt(this.rexmitHigh, ack)) this.rexmitHigh = ack;
    this.scoreboard.trim(ack);
    // RFC 6298 §3 (Karn): only a segment that was not retransmitted gives a sample.
    if (this.rttActive && seqGe(ack, this.rttSeq)) {
      this.rtt.sample(now - this.rttStart);
      this.rttActive = false;
    }
    this.retries = 0;
    const smss = this.smss;
    if (this.inRecovery) {
      if (seqGe(ack, this.recover)) {
        // RFC 6582 §3.2 step 3 (full ACK) / RFC 6675 §5: leave recovery.
        this.inRecovery = false;
        this.dupAcks = 0;
        if (this.sackEnabled) this.cc.cwnd = this.cc.ssthresh;
        else this.cc.cwnd = Math.min(this.cc.ssthresh, Math.max(seqDiff(this.sndMax, ack), smss) + smss);
      } else if (!this.sackEnabled) {
        // RFC 6582 §3.2 step 4 (partial ACK): retransmit the next hole, deflate cwnd by
        // the amount acknowledged, add back one SMSS if at least one was acknowledged.
        this.fastRexmitPending = true;
        let cwnd = this.cc.cwnd - dataAcked;
        if (dataAcked >= smss) cwnd += smss;
        this.cc.cwnd = Math.max(cwnd, smss);
      }
    } else {
      this.dupAcks = 0;
      // Grow cwnd only while it limits the sender (RFC 7661's idea, as Linux's
      // tcp_is_cwnd_limited): an application-limited flow must not inflate it without bound.
      if (dataAcked > 0 && 2 * flightBefore >= this.cc.cwnd) this.cc.onAck(dataAcked, smss, now);
    }
    // RFC 6298 §5.2/§5.3: stop the timer when all is acknowledged, else restart it.
    this.rtoAt = this.sndMax === this.sndUna ? -1 : now + this.rtt.rto;
  }

  /** RFC 5681 §3.2: three duplicate ACKs start fast retransmit / fast recovery. */
  private onDupAck(): void {
    this.dupAcks += 1;
    this.stats.dupAcksIn += 1;
    const smss = this.smss;
    if (this.inRecovery) {
      // RFC 5681 §3.2 step 4: each further duplicate inflates cwnd (not with SACK: pipe does it).
      if (!this.sackEnabled) this.cc.cwnd += smss;
      return;
    }
    // RFC 6675 §5: also when SACKs say SND.UNA is lost (more than (DupThresh-1)*SMSS SACKed above it).
    if (this.dupAcks !== 3 && !(this.sackEnabled && this.dupAcks < 3 && this.scoreboard.sackedBytes > 2 * smss)) return;
    // RFC 6582 §3.2 step 2: only if the ACK covers more than `recover` (no new recovery for old losses).
    if (!seqGt(this.sndUna, this.recover)) return;
    const flight = seqDiff(this.sndMax, this.sndUna);
    const ssthresh = this.cc.onLoss(flight, smss, this.now);
    this.recover = this.sndMax;
    this.inRecovery = true;
    this.fastRexmitPending = true;
    this.rexmitHigh = this.sndUna;
    this.stats.fastRetransmits += 1;
    // RFC 5681 §3.2 step 3: cwnd = ssthresh + 3*SMSS; RFC 6675 §5 step (4.2): cwnd = ssthresh.
    this.cc.cwnd = this.sackEnabled ? ssthresh : ssthresh + 3 * smss;
  }

  /** RFC 2018 §5: record SACK blocks between SND.UNA and SND.MAX (others are ignored). */
  private takeSack(blocks: number[]): void {
    for (let i = 0; i + 1 < blocks.length; i += 2) {
      const left = blocks[i];
      const right = blocks[i + 1];
      if (seqLt(left, right) && seqGt(right, this.sndUna) && seqLe(right, this.sndMax)) {
        this.scoreboard.add(seqMax(left, this.sndUna), right);
      }
    }
  }

  private challengeAck(): void {
    // RFC 5961 §7 rate limiting is not implemented.
    this.ackNow = true;
    this.stats.challengeAcks += 1;
  }

  private drop(reason: string): void {
    this.stats.drops += 1;
    this.lastDrop = reason;
  }

  /** A dropped segment that never reached the socket (malformed): counted here for statistics. */
  noteMalformed(reason: string): void {
    this.drop(reason);
  }

  // ---- Output -------------------------------------------------------------

  /** Runs due timers and returns the segments to send now. */
  dispatch(nowUs: number): TcpSegment[] {
    this.now = nowUs;
    this.dirty = false;
    this.runTimers(nowUs);
    const st = this.state;
    if (st === TcpState.SynSent || st === TcpState.SynReceived) {
      if (this.sndNxt === this.iss) this.sendSyn();
    }
    if (st >= TcpState.Established && st !== TcpState.TimeWait) this.sendData();
    if (this.ackNow && st >= TcpState.SynReceived && this.state !== TcpState.Closed) {
      const seg = this.segment(ACK, this.sndNxt, "");
      if (this.sackEnabled && !this.ooo.isEmpty()) seg.sack = this.ooo.sackBlocks(this.tsEnabled ? 3 : 4);
      this.outbox.push(seg);
    }
    this.updatePersist();
    const out = this.outbox;
    this.outbox = [];
    return out;
  }

  private runTimers(now: number): void {
    if (this.timeWaitAt >= 0 && now >= this.timeWaitAt) {
      // RFC 9293 §3.10.8: when the time-wait timeout expires, delete the TCB.
      this.terminate(undefined);
      return;
    }
    if (this.rtoAt >= 0 && now >= this.rtoAt) this.onRetransmitTimeout();
    if (this.persistAt >= 0 && now >= this.persistAt) {
      // RFC 9293 §3.8.6.1 / RFC 1122 §4.2.2.17: probe a zero window. Like Linux, the
      // probe is an already-acknowledged sequence number: the receiver must answer
      // it with an ACK carrying its current window.
      this.persistAt = -1;
      this.persistBackoff += 1;
      this.stats.windowProbes += 1;
      this.outbox.push(this.segment(ACK, seqAdd(this.sndUna, -1), ""));
    }
    if (this.delackAt >= 0 && now >= this.delackAt) {
      this.delackAt = -1;
      this.ackNow = true;
    }
    if (this.keepAliveAt >= 0 && now >= this.keepAliveAt) this.onKeepAlive(now);
  }

  /** RFC 9293 §3.8.4 / RFC 1122 §4.2.3.6: probe an idle connection with <SEQ=SND.NXT-1>; give up after the last probe. */
  private onKeepAlive(now: number): void {
    const st = this.state;
    if (!(st === TcpState.Established || st === TcpState.CloseWait) || this.sndMax !== this.sndUna) {
      // Not idle (data outstanding: the RTO watches it) or not a keep-alive state: look again later.
      this.keepAliveAt = now + this.config.keepAliveUs;
      return;
    }
    if (this.keepAliveProbesSent >= this.config.keepAliveProbes) {
      this.terminate("timeout");
      return;
    }
    this.keepAliveProbesSent += 1;
    this.outbox.push(this.segment(ACK, seqAdd(this.sndNxt, -1), ""));
    this.keepAliveAt = now + this.config.keepAliveIntervalUs;
  }

  /** RFC 6298 §5.4-§5.7 and RFC 5681 §3.1: retransmit the earliest segment, back off, shrink cwnd. */
  private onRetransmitTimeout(): void {
    this.rtoAt = -1;
    const st = this.state;
    if (st === TcpState.SynSent || st === TcpState.SynReceived) {
      this.retries += 1;
      if (this.retries > this.config.maxSynRetries) return this.terminate("timeout");
      this.stats.rtos += 1;
      this.rtt.backOff();
      this.rttActive = false;
      this.sndNxt = this.iss;
      return;
    }
    if (this.sndMax === this.sndUna) return;
    this.retries += 1;
    if (this.retries > this.config.maxRetries) return this.terminate("timeout");
    this.stats.rtos += 1;
    this.cc.onRto(seqDiff(this.sndMax, this.sndUna), this.smss, this.now);
    this.inRecovery = false;
    this.fastRexmitPending = false;
    this.dupAcks = 0;
    // RFC 6582 §3.2 step 1 after a timeout: recover = the highest sequence sent.
    this.recover = this.sndMax;
    // RFC 2018 §8: the receiver may have reneged: forget the SACK information.
    this.scoreboard.clear();
    this.sndNxt = this.sndUna;
    this.rexmitHigh = this.sndUna;
    this.rttActive = false;
    this.rtt.backOff();
  }

  private sendSyn(): void {
    const synAck = this.state === TcpState.SynReceived;
    const seg = this.segment(synAck ? SYN | ACK : SYN, this.iss, "");
    seg.mss = this.config.mss;
    if (synAck) {
      if (this.wsEnabled) seg.wscale = this.rcvWscale;
      if (this.sackEnabled) seg.sackPermitted = true;
    } else {
      if (this.config.windowScaling) seg.wscale = this.rcvWscale;
      if (this.config.sack) seg.sackPermitted = true;
    }
    this.outbox.push(seg);
    const end = seqAdd(this.iss, 1);
    if (this.sndMax === this.iss) {
      this.rttActive = true;
      this.rttSeq = end;
      this.rttStart = this.now;
    } else {
      this.stats.retransmits += 1;
    }
    this.sndNxt = end;
    this.sndMax = seqMax(this.sndMax, end);
    if (this.rtoAt < 0) this.rtoAt = this.now + this.rtt.rto;
  }

  /** Payload bytes per emitted data segment: one MSS, or a whole number of them with offload. */
  private segmentUnit(): number {
    const gso = this.config.segmentOffloadBytes;
    if (gso <= this.smss) return this.smss;
    return idiv(gso, this.smss) * this.smss;
  }

  private sendData(): void {
    if (this.fastRexmitPending) {
      // RFC 5681 §3.2 step 3 / RFC 6582 §3.2 step 4: retransmit the first unacknowledged segment, outside cwnd.
      this.fastRexmitPending = false;
      const used = this.transmit(this.sndUna, this.smss);
      if (seqLt(this.rexmitHigh, seqAdd(this.sndUna, used))) this.rexmitHigh = seqAdd(this.sndUna, used);
    }
    const sackRecovery = this.inRecovery && this.sackEnabled;
    const unit = this.segmentUnit();
    const smss = this.smss;
    for (;;) {
      if (sackRecovery) {
        // RFC 6675 §5 (C): while cwnd - pipe >= 1 SMSS, send NextSeg: first the holes
        // below the highest SACKed byte (rule 1), then new data (rule 2).
        if (this.cc.cwnd - this.pipe() < smss) break;
        const [holeStart, holeLen] = this.scoreboard.nextHole(seqMax(this.rexmitHigh, this.sndUna));
        if (holeLen > 0) {
          const used = this.transmit(holeStart, Math.min(holeLen, smss));
          if (used === 0) break;
          this.rexmitHigh = seqAdd(holeStart, used);
          continue;
        }
      }
      const dataEnd = seqAdd(this.sendStartSeq, this.sendBuffer.length);
      const remaining = seqDiff(dataEnd, this.sndNxt);
      const finPending = this.finQueued && seqLe(this.sndNxt, this.finSeq);
      if (remaining <= 0 && !finPending) break;
      const inFlight = seqDiff(this.sndNxt, this.sndUna);
      let usable = Math.min(this.cc.cwnd, this.sndWnd) - inFlight;
      if (sackRecovery) usable = Math.min(this.cc.cwnd - this.pipe(), this.sndWnd - inFlight);
      let len = Math.min(Math.max(remaining, 0), unit, Math.max(usable, 0));
      if (remaining > 0) {
        if (len <= 0) break;
        if (len < smss && len < remaining && len < idiv(this.maxSndWnd, 2)) break; // sender SWS avoidance, §3.8.6.2.1
        // Nagle (RFC 9293 §3.7.4) in Minshall's variant, as Linux: no small segment while
        // another small one is unacknowledged (not for retransmissions, not once closing).
        if (len < smss && this.config.nagle && !this.finQueued && seqGt(this.smallSentEnd, this.sndUna)
          && seqGe(this.sndNxt, this.sndMax)) break;
      } else {
        len = 0;
      }
      const used = this.transmit(this.sndNxt, len);
      if (used === 0) break;
      this.sndNxt = seqAdd(this.sndNxt, used);
    }
  }

  /** RFC 6675 §4 pipe: bytes in flight, not SACKed and not deemed lost (holes below the highest SACK not yet retransmitted). */
  private pipe(): number {
    const sb = this.scoreboard;
    return seqDiff(this.sndMax, this.sndUna) - sb.sackedBytes - sb.holeBytesFrom(seqMax(this.rexmitHigh, this.sndUna));
  }

  /** Emits the segment at `seq` with up to `maxLen` bytes (and FIN when it reaches it); returns the sequence space used. */
  private transmit(seq: number, maxLen: number): number {
    const offset = seqDiff(seq, this.sendStartSeq);
    const len = Math.max(Math.min(maxLen, this.sendBuffer.length - offset), 0);
    const end = seqAdd(seq, len);
    let flags = ACK;
    const fin = this.finQueued && end === this.finSeq;
    if (fin) flags |= FIN;
    if (len === 0 && !fin) return 0;
    if (len > 0 && offset + len === this.sendBuffer.length) flags |= PSH;
    const seg = this.segment(flags, seq, len > 0 ? this.sendBuffer.slice(offset, len) : "");
    if (len > this.smss) seg.gsoSize = this.smss;
    this.outbox.push(seg);
    const used = fin ? len + 1 : len;
    const segEnd = seqAdd(seq, used);
    if (seqLt(seq, this.sndMax)) {
      this.stats.retransmits += 1;
      this.stats.retransmittedBytes += len;
      // Karn: a retransmission of the timed segment makes its ACK ambiguous.
      if (this.rttActive && seqLt(seq, this.rttSeq)) this.rttActive = false;
    } else if (!this.rttActive) {
      this.rttActive = true;
      this.rttSeq = segEnd;
      this.rttStart = this.now;
    }
    if (seqGt(segEnd, this.sndMax)) this.sndMax = segEnd;
    if (len < this.smss) this.smallSentEnd = segEnd;
    // RFC 6298 §5.1: start the timer when sending data and it is not running.
    if (this.rtoAt < 0) this.rtoAt = this.now + this.rtt.rto;
    return used;
  }

  /** Arms the persist timer when the peer's window is zero and data waits (RFC 9293 §3.8.6.1). */
  private updatePersist(): void {
    const waiting = seqDiff(seqAdd(this.sendStartSeq, this.sendBuffer.length), this.sndNxt) > 0;
    if (this.synchronized() && this.state !== TcpState.TimeWait && this.sndWnd === 0 && waiting
      && this.sndMax === this.sndUna && this.rtoAt < 0) {
      if (this.persistAt < 0) {
        const interval = Math.min(shl(this.rtt.rto, Math.min(this.persistBackoff, 16)), this.config.maxRtoUs);
        this.persistAt = this.now + interval;
      }
    } else {
      this.persistAt = -1;
    }
  }

  /** A segment from this connection, ACK, window and timestamps filled in. */
  private segment(flags: number, seq: number, payload: string): TcpSegment {
    const syn = (flags & SYN) !== 0;
    const seg: TcpSegment = {
      srcAddr: this.localAddr, dstAddr: this.remoteAddr, srcPort: this.localPort, dstPort: this.remotePort,
      seq, ack: 0, flags, window: 0, urgent: 0, payload,
    };
    this.stats.segsOut += 1;
    if ((flags & RST) !== 0) return seg;
    if ((flags & ACK) !== 0) {
      seg.ack = this.rcvNxt;
      this.ackNow = false;
      this.delackAt = -1;
      this.bytesSinceAck = 0;
      this.lastAckSent = this.rcvNxt;
    }
    seg.window = this.advertise(syn);
    // RFC 7323 §3.2: TSopt on every non-RST segment once negotiated (and on our SYN to offer it).
    if (this.tsEnabled || (syn && (flags & ACK) === 0 && this.config.timestamps)) {
      seg.tsVal = (idiv(this.now, 1000) + this.tsOffset) & 0xffffffff;
      seg.tsEcr = (flags & ACK) !== 0 ? this.tsRecent : 0;
    }
    return seg;
  }

  /**
   * The window field to send, moving the advertised right edge. The edge
   * never moves left (RFC 9293 §3.8.6.2.2 "shrinking the window" is
   * discouraged), and moves right only by at least min(buffer/2, MSS)
   * (receiver-side silly window avoidance, same section).
   */
  private advertise(syn: boolean): number {
    const shift = syn ? 0 : this.rcvWscale;
    const buffer = this.config.recvBufferSize;
    let free = Math.max(buffer - this.rx.length, 0);
    free = Math.min(free, shl(65535, shift));
    free = free - (free & (shl(1, shift) - 1));
    const candidate = seqAdd(this.rcvNxt, free);
    const grow = seqDiff(candidate, this.rcvAdvEdge);
    if (grow > 0 && (grow >= Math.min(idiv(buffer, 2), this.config.mss) || seqDiff(this.rcvAdvEdge, this.rcvNxt) <= 0 && free === buffer)) {
      this.rcvAdvEdge = candidate;
    }
    const wnd = Math.max(seqDiff(this.rcvAdvEdge, this.rcvNxt), 0);
    return Math.min(shr(wnd, shift), 65535);
  }

  // ---- Helpers ------------------------------------------------------------

  private negotiate(seg: TcpSegment): void {
    const peerMss = seg.mss ?? DEFAULT_PEER_MSS;
    this.wsEnabled = this.config.windowScaling && seg.wscale !== undefined;
    this.sndWscale = this.wsEnabled ? Math.min(seg.wscale!, MAX_WSCALE) : 0;
    if (!this.wsEnabled) this.rcvWscale = 0;
    this.tsEnabled = this.config.timestamps && seg.tsVal !== undefined;
    if (this.tsEnabled) this.tsRecent = seg.tsVal!;
    this.sackEnabled = this.config.sack && seg.sackPermitted === true;
    // RFC 9293 §3.7.1: Eff.snd.MSS deducts the options we send in every segment.
    this.smss = Math.min(peerMss, this.config.mss) - (this.tsEnabled ? TS_OPTION_BYTES : 0);
    this.cc = createCongestionControl(this.config.congestion, initialWindow(this.smss, this.config.initialWindowSegments));
  }

  /** The smallest shift that lets the receive buffer be advertised (RFC 7323 §2.3). */
  private wantedWscale(): number {
    let shift = 0;
    while (shift < MAX_WSCALE && shr(this.config.recvBufferSize, shift) > 65535) shift += 1;
    return shift;
  }

  private chooseIss(now: number): void {
    const iss = this.config.iss !== undefined
      ? this.config.iss
      : (this.isnSource ?? defaultIsnGenerator()).isn(this.localAddr, this.localPort, this.remoteAddr, this.remotePort, now);
    this.iss = iss;
    this.sndUna = iss;
    this.sndNxt = iss;
    this.sndMax = iss;
    this.recover = iss;
    this.rexmitHigh = iss;
    this.smallSentEnd = iss;
    this.sendStartSeq = seqAdd(iss, 1);
  }

  private queueFin(): void {
    this.finQueued = true;
    this.finSeq = seqAdd(this.sendStartSeq, this.sendBuffer.length);
  }

  private enterTimeWait(): void {
    this.state = TcpState.TimeWait;
    this.keepAliveAt = -1;
    this.timeWaitAt = this.now + this.config.timeWaitUs;
    this.rtoAt = -1;
    this.persistAt = -1;
  }

  /** Ends the connection: CLOSED, timers off, events set. */
  private terminate(reason: string | undefined): void {
    this.state = TcpState.Closed;
    this.rtoAt = -1;
    this.persistAt = -1;
    this.delackAt = -1;
    this.timeWaitAt = -1;
    this.keepAliveAt = -1;
    this.ackNow = false;
    this.events |= EV_CLOSED;
    if (reason !== undefined) {
      this.error = reason;
      this.events |= reason === "timeout" ? EV_TIMEOUT : EV_RESET;
    }
  }
}

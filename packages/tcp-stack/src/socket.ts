// One TCP connection as a sans-I/O state machine (RFC 9293), both roles.
// `process(segment, now)` takes what arrived, `dispatch(now)` returns what to
// send, `pollAt()` says when it next needs to run. It never does I/O and
// never reads a clock: time is an argument, in integer microseconds.
//
// Branches cite the RFC section they implement. Sequence numbers are 32-bit
// and compared through `seq.ts`.
import { SendBuffer, ReceiveQueue, Reassembler } from "./buffers";
import { resolveConfig, type TcpConfig } from "./config";
import { createCongestionControl, initialWindow, type AckSample, type CongestionControl } from "./congestion";
import { IsnGenerator } from "./isn";
import { MAX_WSCALE, windowScaleFor } from "./options";
import { Rack } from "./rack";
import { RttEstimator } from "./rtt";
import { ACK, FIN, payloadLength, PSH, RST, SYN, type Payload, type TcpSegment } from "./segment";
import { LIMIT_APP, LIMIT_CWND, LIMIT_IDLE, LIMIT_RWND, LIMIT_SNDBUF, SendLimits } from "./send-limits";
import { SACKED, SentQueue, type SentRun } from "./sent-queue";
import { seqAdd, seqDiff, seqGe, seqGt, seqInWindow, seqLe, seqLt, seqMax } from "./seq";
import type { CookieGrant } from "./syn-cookies";
import { TailLossProbe } from "./tlp";

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
  /** Tail loss probes sent (RFC 8985 §7), and those that repaired a loss. */
  lossProbes: number;
  lossProbeRecoveries: number;
  /** Retransmissions RACK found lost in turn (RFC 8985 §6.2). */
  lostRetransmits: number;
  /** D-SACK blocks received (RFC 2883): segments the peer got twice. */
  dsacks: number;
  challengeAcks: number;
  /** Challenge ACKs not sent: over the RFC 5961 §7 limit. */
  challengeAcksLimited: number;
  windowProbes: number;
  outOfOrderSegments: number;
  outOfOrderDropped: number;
  drops: number;
}

function newStats(): TcpStats {
  return {
    segsIn: 0, segsOut: 0, bytesIn: 0, bytesOut: 0, retransmits: 0, retransmittedBytes: 0,
    fastRetransmits: 0, rtos: 0, dupAcksIn: 0, lossProbes: 0, lossProbeRecoveries: 0, lostRetransmits: 0, dsacks: 0,
    challengeAcks: 0, challengeAcksLimited: 0, windowProbes: 0,
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
    let len = payloadLength(seg.payload);
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
  // (sndNxt differs from it only while a SYN is resent).
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
  private tsOffset: number;

  // Data.
  private readonly sendBuffer = new SendBuffer();
  /** The send buffer's current size (autotuned, see TcpConfig.sendBufferSize). */
  sendBufferLimit: number;
  /** A write found the buffer full since the last ACK (Linux's SOCK_NOSPACE): the buffer may grow. */
  private writeRefused = false;
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

  // Timers: absolute µs, -1 when off. probeAt: RFC 8985's PTO; reorderAt: the RACK timer.
  rtoAt = -1;
  probeAt = -1;
  reorderAt = -1;
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
  /** What each ACK tells `cc` (refilled, not reallocated). */
  private readonly ackSample: AckSample = { acked: 0, smss: 0, nowUs: 0, rttUs: -1, minRttUs: -1, ack: 0, sndMax: 0 };

  // Loss recovery (RFC 5681 §3.2, RFC 6582, RFC 6675, RFC 8985).
  /** What is in flight, run by run (the scoreboard). */
  readonly sent = new SentQueue();
  readonly rack = new Rack();
  readonly tlp = new TailLossProbe();
  /** What held the sender back, timed. */
  readonly limits = new SendLimits();
  dupAcks = 0;
  /** Fast recovery; RTO recovery (after a timeout, until SND.UNA passes `recover`). */
  inRecovery = false;
  rtoRecovery = false;
  recover = 0;
  private fastRexmitPending = false;
  /** New data sent by limited transmit since the last new ACK (not part of FlightSize, RFC 5681 §3.2 step 2). */
  private limitedTransmitBytes = 0;
  /** New data went out or SND.UNA moved: (re)start the probe timeout (RFC 8985 §7.2). */
  private probeRestart = false;
  /** This ACK's D-SACK block (RFC 2883), dsackLeft -1 when none. */
  private dsackLeft = -1;
  private dsackRight = 0;
  /** End of the last segment sent shorter than SMSS (Nagle, Minshall's variant). */
  private smallSentEnd = 0;
  /** RFC 5961 §7: the current interval's start and challenge ACKs sent in it. */
  private challengeWindowStart = -1;
  private challengeAcksInWindow = 0;

  // ACK generation.
  private ackNow = false;
  /** The application wrote or closed since the last dispatch. */
  private dirty = false;
  private bytesSinceAck = 0;
  private outbox: TcpSegment[] = [];
  private now = 0;

  events = 0;
  /** Called when the application gives the socket something to send (its connection table listens). */
  onWake: ((this: void, sock: TcpSocket) => void) | undefined;
  /** Why the connection ended abnormally ("reset", "timeout", "refused"). */
  error: string | undefined;
  /** The reason the last segment was dropped (malformed, out of window, PAWS...). */
  lastDrop: string | undefined;
  readonly stats: TcpStats = newStats();

  constructor(config?: Partial<TcpConfig>, private readonly isnSource?: IsnGenerator) {
    this.config = resolveConfig(config);
    this.rtt = new RttEstimator(this.config);
    this.sendBufferLimit = this.config.sendBufferSize;
    this.cc = this.newCongestionControl();
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
   * Passive open completed by a SYN cookie (RFC 4987 §3.6, syn-cookies.ts):
   * `ack` acknowledged the cookie SYN-ACK, which no socket remembers; the
   * connection is set up from it and what the cookie granted, in ESTABLISHED.
   */
  openFromCookie(ack: TcpSegment, grant: CookieGrant, nowUs: number): void {
    this.now = nowUs;
    this.localAddr = ack.dstAddr;
    this.localPort = ack.dstPort;
    this.remoteAddr = ack.srcAddr;
    this.remotePort = ack.srcPort;
    this.irs = seqAdd(ack.seq, -1);
    this.rcvNxt = ack.seq;
    // The SYN-ACK advertised min(buffer, 65535), unscaled (RFC 7323 §2.2).
    this.rcvAdvEdge = seqAdd(this.rcvNxt, Math.min(this.config.recvBufferSize, 65535));
    this.iss = seqAdd(ack.ack, -1);
    this.sndUna = ack.ack;
    this.sndNxt = ack.ack;
    this.sndMax = ack.ack;
    this.recover = ack.ack;
    this.smallSentEnd = ack.ack;
    this.sendStartSeq = ack.ack;
    this.wsEnabled = grant.wscale !== undefined;
    this.sndWscale = grant.wscale ?? 0;
    this.rcvWscale = this.wsEnabled ? this.wantedWscale() : 0;
    this.tsEnabled = this.config.timestamps && ack.tsVal !== undefined;
    if (this.tsEnabled) this.tsRecent = ack.tsVal!;
    this.tsOffset = grant.tsOffset;
    this.sackEnabled = grant.sackPermitted;
    this.setPeerMss(grant.mss);
    this.sndWnd = shl(ack.window, this.sndWscale);
    this.maxSndWnd = this.sndWnd;
    this.sndWl1 = ack.seq;
    this.sndWl2 = ack.ack;
    this.state = TcpState.Established;
    this.events |= EV_CONNECTED | EV_WRITABLE;
    if (this.config.keepAliveUs > 0) this.keepAliveAt = nowUs + this.config.keepAliveUs;
  }

  /**
   * Queues bytes to send; returns how many were accepted (the send buffer is
   * bounded), -1 once closed. A byte array (e.g. a view of the content store)
   * is kept as it is and sent from without a copy; the array must not change
   * until it is acknowledged.
   */
  write(data: string | Bytes): number {
    const st = this.state;
    if (this.finQueued || !(st === TcpState.SynSent || st === TcpState.SynReceived
      || st === TcpState.Established || st === TcpState.CloseWait)) return -1;
    const room = this.sendBufferLimit - this.sendBuffer.length;
    let size = typeof data === "string" ? data.length : data.len();
    if (size > room) {
      this.writeRefused = true;
      if (room <= 0) return 0;
      data = typeof data === "string" ? string.sub(data, 1, room) : data.slice(0, room);
      size = room;
    }
    this.sendBuffer.push(data);
    this.dirty = true;
    this.onWake?.(this);
    return size;
  }

  /**
   * Room left in the send buffer. Asking when less than a third of it is
   * free counts as being held back by it, as a failed write does (Linux's
   * tcp_poll sets SOCK_NOSPACE then).
   */
  sendCapacity(): number {
    const room = this.sendBufferLimit - this.sendBuffer.length;
    if (2 * room < this.sendBuffer.length) this.writeRefused = true;
    return room;
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
      if (grow >= Math.min(2 * this.config.mss, idiv(this.config.recvBufferSize, 2))) {
        this.ackNow = true;
        this.onWake?.(this);
      }
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
    this.onWake?.(this);
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
      this.onWake?.(this);
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
    const probe = this.probeAt;
    if (probe >= 0 && (t < 0 || probe < t)) t = probe;
    const r = this.reorderAt;
    if (r >= 0 && (t < 0 || r < t)) t = r;
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
    // Segments that arrive were parsed from packets: their payload is a string.
    const original = seg.payload as string;
    let payload = original;
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
    const finAt = seqAdd(seg.seq, original.length);
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
    // Nothing in flight, nothing new acknowledged, no SACK (a receiver's common case): no sender work.
    if (this.sndMax !== this.sndUna || ack !== this.sndUna || seg.sack !== undefined) this.processAck(seg, ack, scaledWnd);

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

  /** The sender's side of an acceptable ACK: the scoreboard, SND.UNA, duplicate ACKs, loss detection. */
  private processAck(seg: TcpSegment, ack: number, scaledWnd: number): void {
    const sack = this.sackEnabled && seg.sack !== undefined;
    // Deliveries, in ascending sequence order (cumulatively acknowledged, then SACKed), feed RACK
    // and the RTT samples (RFC 8985 §6.2 steps 1-3).
    this.rack.beginAck(this.now);
    this.dsackLeft = -1;
    const advanced = seqGt(ack, this.sndUna);
    if (advanced) this.onNewAck(ack);
    if (sack) this.takeSack(seg.sack!, ack);
    if (!advanced && ack === this.sndUna && (seg.payload as string).length === 0 && (seg.flags & (SYN | FIN)) === 0
      && scaledWnd === this.sndWnd && this.sndMax !== this.sndUna) {
      this.onDupAck();
    }
    if (!this.sackEnabled) return;
    if (this.tlp.endSeq >= 0 && this.tlp.onAck(ack, advanced, this.dsackLeft >= 0 ? this.dsackLeft : undefined, this.dsackRight)) {
      this.onProbeRepairedLoss();
    }
    // Without SACK information, retransmissions or recovery, what is left in flight was sent
    // after what was delivered, and RACK has nothing to find.
    const sent = this.sent;
    if (sack || this.inRecovery || this.rtoRecovery || sent.retransBytes > 0 || sent.lostBytes > 0) this.detectLosses();
  }

  /** SND.UNA advances: free the buffer, sample the RTT, grow cwnd or progress recovery. */
  private onNewAck(ack: number): void {
    const now = this.now;
    const flightBefore = seqDiff(this.sndMax, this.sndUna);
    const cwndBefore = this.cc.cwnd;
    const dataAcked = Math.min(Math.max(seqDiff(ack, this.sendStartSeq), 0), this.sendBuffer.length);
    if (dataAcked > 0) {
      this.sendBuffer.drop(dataAcked);
      this.sendStartSeq = seqAdd(this.sendStartSeq, dataAcked);
      this.stats.bytesOut += dataAcked;
      this.events |= EV_WRITABLE;
    }
    this.sent.acknowledge(ack, this.rack);
    this.sndUna = ack;
    if (seqLt(this.sndNxt, ack)) this.sndNxt = ack;
    this.rack.onAcknowledged(ack);
    this.probeRestart = true;
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
        this.rack.onRecoveryEnd();
        if (this.sackEnabled) this.cc.cwnd = this.cc.ssthresh;
        else this.cc.cwnd = Math.min(this.cc.ssthresh, Math.max(seqDiff(this.sndMax, ack), smss) + smss);
      } else if (!this.sackEnabled) {
        // RFC 6582 §3.2 step 4 (partial ACK): retransmit the next hole, deflate cwnd by
        // the amount acknowledged, add back one SMSS if at least one was acknowledged.
        this.sent.markHeadLost(smss);
        this.fastRexmitPending = true;
        let cwnd = this.cc.cwnd - dataAcked;
        if (dataAcked >= smss) cwnd += smss;
        this.cc.cwnd = Math.max(cwnd, smss);
      }
    } else {
      if (this.rtoRecovery && seqGe(ack, this.recover)) {
        this.rtoRecovery = false;
        this.rack.onRecoveryEnd();
      }
      this.dupAcks = 0;
      this.limitedTransmitBytes = 0;
      // Grow cwnd only while it limits the sender (RFC 7661's idea, as Linux's
      // tcp_is_cwnd_limited): an application-limited flow must not inflate it without bound.
      if (dataAcked > 0 && 2 * flightBefore >= this.cc.cwnd) {
        const sample = this.ackSample;
        sample.acked = dataAcked;
        sample.smss = smss;
        sample.nowUs = now;
        sample.rttUs = this.rack.ackRttUs;
        sample.minRttUs = this.rack.minRtt;
        sample.ack = ack;
        sample.sndMax = this.sndMax;
        this.cc.onAck(sample);
      }
      // Send buffer autotuning (Linux's tcp_sndbuf_expand): room for two windows, when the
      // application found the buffer full and cwnd was not what held the sender back.
      if (this.writeRefused && flightBefore < cwndBefore) {
        this.writeRefused = false;
        const wanted = Math.min(2 * this.cc.cwnd, this.config.sendBufferMax);
        if (wanted > this.sendBufferLimit) this.sendBufferLimit = wanted;
      }
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
    // RFC 6675 §5: also when SACKs say SND.UNA is lost (more than (DupThresh-1)*SMSS SACKed
    // above it); with RACK, the SACKs speak through RACK instead.
    if (this.dupAcks !== 3 && !(this.sackEnabled && !this.config.rack && this.dupAcks < 3
      && this.sent.sackedBytes > 2 * smss)) return;
    // RFC 6582 §3.2 step 2: only if the ACK covers more than `recover` (no new recovery for old losses).
    if (!seqGt(this.sndUna, this.recover)) return;
    this.enterRecovery();
  }

  /**
   * Fast recovery (RFC 5681 §3.2, RFC 6675 §5 step 4): ssthresh from the
   * algorithm, the first lost segment retransmitted at once.
   */
  private enterRecovery(): void {
    const smss = this.smss;
    // RFC 5681 §3.2 step 2: FlightSize without what limited transmit sent.
    const flight = seqDiff(this.sndMax, this.sndUna) - this.limitedTransmitBytes;
    const ssthresh = this.cc.onLoss(flight, smss, this.now);
    this.recover = this.sndMax;
    this.inRecovery = true;
    this.fastRexmitPending = true;
    this.stats.fastRetransmits += 1;
    this.tlp.cancel();
    this.probeAt = -1;
    // RFC 5681 §3.2 step 3: cwnd = ssthresh + 3*SMSS; RFC 6675 §5 step (4.2): cwnd = ssthresh.
    this.cc.cwnd = this.sackEnabled ? ssthresh : ssthresh + 3 * smss;
    if (this.sackEnabled && !this.config.rack) this.sent.markLostBySackedAbove(2 * smss);
    // RFC 5681 §3.2 step 3 / RFC 6675 step (4.3): at least the segment at SND.UNA is lost.
    if (this.sent.pendingBytes === 0) this.sent.markHeadLost(smss);
  }

  /**
   * After the scoreboard took an ACK (or the RACK timer fired), with SACK:
   * RACK (RFC 8985 §6.2 step 5) or RFC 6675's IsLost mark what is lost, and
   * a loss outside recovery starts fast recovery.
   */
  private detectLosses(): void {
    const sent = this.sent;
    if (this.config.rack) {
      const reoWnd = this.rack.reoWnd(this.inRecovery || this.rtoRecovery, idiv(sent.sackedBytes, this.smss), this.rtt.srtt);
      const timeout = this.rack.detectLoss(sent, this.now, reoWnd);
      this.reorderAt = timeout > 0 ? this.now + timeout : -1;
      this.stats.lostRetransmits = this.rack.lostRetransmits;
    } else if (this.inRecovery) {
      sent.markLostBySackedAbove(2 * this.smss);
    }
    if (sent.pendingBytes > 0 && !this.inRecovery && !this.rtoRecovery) this.enterRecovery();
  }

  /**
   * RFC 8985 §7.4.2: the tail loss probe repaired a loss: a congestion event
   * like any other (Linux enters and leaves CWR at once), without recovery.
   */
  private onProbeRepairedLoss(): void {
    this.stats.lossProbeRecoveries += 1;
    this.cc.cwnd = this.cc.onLoss(seqDiff(this.sndMax, this.sndUna), this.smss, this.now);
  }

  /**
   * RFC 2018 §5: record SACK blocks between SND.UNA and SND.MAX (others are
   * ignored); a first block below SEG.ACK or inside the second is a D-SACK
   * (RFC 2883 §4): a duplicate the receiver got, not new information.
   */
  private takeSack(blocks: number[], ack: number): void {
    const valid: number[] = [];
    for (let i = 0; i + 1 < blocks.length; i += 2) {
      const left = blocks[i];
      const right = blocks[i + 1];
      if (!seqLt(left, right)) continue;
      if (i === 0 && (seqLe(right, ack) || (blocks.length >= 4 && seqGe(left, blocks[2]) && seqLe(right, blocks[3])))) {
        this.dsackLeft = left;
        this.dsackRight = right;
        this.stats.dsacks += 1;
        this.rack.onDsack(this.sndMax);
        continue;
      }
      if (!seqGt(right, this.sndUna) || !seqLe(right, this.sndMax)) continue;
      // Kept in ascending order (RFC 8985 §6.2 step 3 takes deliveries that way): at most four blocks.
      let at = valid.length;
      while (at >= 2 && seqLt(left, valid[at - 2])) at -= 2;
      table.insert(valid, at + 1, right);
      table.insert(valid, at + 1, seqMax(left, this.sndUna));
    }
    for (let i = 0; i < valid.length; i += 2) this.sent.sack(valid[i], valid[i + 1], this.rack);
  }

  /** RFC 5961 §7: challenge ACKs are rate limited (per connection). */
  private challengeAck(): void {
    const now = this.now;
    if (this.challengeWindowStart < 0 || now - this.challengeWindowStart >= this.config.challengeAckIntervalUs) {
      this.challengeWindowStart = now;
      this.challengeAcksInWindow = 0;
    }
    if (this.challengeAcksInWindow >= this.config.challengeAckLimit) {
      this.stats.challengeAcksLimited += 1;
      return;
    }
    this.challengeAcksInWindow += 1;
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
    if (st >= TcpState.Established && st !== TcpState.TimeWait) {
      this.sendData();
      if (this.probeRestart) this.armProbe();
    }
    if (this.ackNow && st >= TcpState.SynReceived && this.state !== TcpState.Closed) {
      const seg = this.segment(ACK, this.sndNxt, "");
      if (this.sackEnabled && !this.ooo.isEmpty()) seg.sack = this.sackBlocks();
      this.outbox.push(seg);
    }
    this.updatePersist();
    const out = this.outbox;
    this.outbox = [];
    return out;
  }

  /**
   * RFC 2018 §4 SACK blocks for an ACK (three with timestamps, else four). A
   * FIN held after a hole is reported with the block it ends, as Linux does:
   * a sender's SACK scoreboard covers the FIN's sequence number too.
   */
  private sackBlocks(): number[] {
    const blocks = this.ooo.sackBlocks(this.tsEnabled ? 3 : 4);
    const fin = this.peerFinSeq;
    if (fin >= 0) {
      for (let i = 1; i < blocks.length; i += 2) {
        if (blocks[i] === fin) blocks[i] = seqAdd(fin, 1);
      }
    }
    return blocks;
  }

  private runTimers(now: number): void {
    if (this.timeWaitAt >= 0 && now >= this.timeWaitAt) {
      // RFC 9293 §3.10.8: when the time-wait timeout expires, delete the TCB.
      this.terminate(undefined);
      return;
    }
    if (this.rtoAt >= 0 && now >= this.rtoAt) this.onRetransmitTimeout();
    if (this.reorderAt >= 0 && now >= this.reorderAt) {
      // RFC 8985 §6.2: the RACK timer: look again at what was waiting out its reordering window.
      this.reorderAt = -1;
      this.detectLosses();
    }
    if (this.probeAt >= 0 && now >= this.probeAt) this.sendProbe();
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

  /**
   * RFC 6298 §5.4-§5.7 and RFC 5681 §3.1: back off, shrink cwnd, and resend
   * from SND.UNA in slow start: everything outstanding is deemed lost and
   * SACK information is dropped (RFC 2018 §8; RFC 8985 §6.3 marks at least as much).
   */
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
    if (this.inRecovery) this.rack.onRecoveryEnd();
    this.inRecovery = false;
    this.rtoRecovery = true;
    this.fastRexmitPending = false;
    this.dupAcks = 0;
    // RFC 6582 §3.2 step 1 after a timeout: recover = the highest sequence sent.
    this.recover = this.sndMax;
    this.sent.markAllLost();
    this.tlp.cancel();
    this.probeAt = -1;
    this.reorderAt = -1;
    this.rttActive = false;
    this.rtt.backOff();
  }

  /**
   * RFC 8985 §7.2: (re)arms the probe timeout after new data went out or an
   * ACK advanced, when SACK and RACK-TLP are on, outside recovery, with no
   * probe outstanding.
   */
  private armProbe(): void {
    this.probeRestart = false;
    if (!this.sackEnabled || !this.config.rack || this.inRecovery || this.rtoRecovery || this.tlp.endSeq >= 0
      || this.sndMax === this.sndUna || this.rtoAt < 0) {
      this.probeAt = -1;
      return;
    }
    this.probeAt = this.now + this.tlp.timeout(this.rtt.srtt, seqDiff(this.sndMax, this.sndUna), this.smss, this.rtoAt - this.now);
  }

  /**
   * RFC 8985 §7.3: the probe: one segment of new data if the peer's window
   * takes it, else the last segment again; cwnd is not consulted. Then the
   * retransmission timer restarts.
   */
  private sendProbe(): void {
    this.probeAt = -1;
    const smss = this.smss;
    const remaining = seqDiff(seqAdd(this.sendStartSeq, this.sendBuffer.length), this.sndNxt);
    const room = seqDiff(seqAdd(this.sndUna, this.sndWnd), this.sndNxt);
    const finPending = this.finQueued && seqLe(this.sndNxt, this.finSeq);
    if ((remaining > 0 && room >= Math.min(remaining, smss)) || (remaining <= 0 && finPending)) {
      this.sendNew(Math.max(Math.min(remaining, smss), 0));
      this.tlp.sent(this.sndMax, false);
    } else {
      const last = this.sent.tail;
      if (last === undefined || (last.flags & SACKED) !== 0) return;
      const fin = this.finQueued && last.end === seqAdd(this.finSeq, 1) ? 1 : 0;
      if (seqDiff(last.end, last.start) - fin > smss) this.sent.split(last, seqAdd(last.end, -(smss + fin)));
      this.retransmitRun(this.sent.tail!, smss);
      this.tlp.sent(this.sndMax, true);
    }
    this.stats.lossProbes += 1;
    this.rtoAt = this.now + this.rtt.rto;
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

  /**
   * Sends what cwnd and the peer's window allow: lost data first (RFC 6675
   * §5 (C) rule 1, RFC 8985), as far as cwnd - pipe allows, then new data.
   */
  private sendData(): void {
    const sent = this.sent;
    const smss = this.smss;
    if (this.fastRexmitPending) {
      // RFC 5681 §3.2 step 3 / RFC 6582 §3.2 step 4 / RFC 6675 step (4.3): the first lost segment, outside cwnd.
      this.fastRexmitPending = false;
      const run = sent.firstPending();
      if (run !== undefined) this.retransmitRun(run, smss);
    }
    const unit = this.segmentUnit();
    for (;;) {
      const room = this.cc.cwnd - this.windowInUse();
      if (sent.pendingBytes > 0) {
        if (room < smss) {
          this.limits.enter(LIMIT_CWND, this.now);
          return;
        }
        this.retransmitRun(sent.firstPending()!, Math.min(unit, room - room % smss));
        continue;
      }
      const dataEnd = seqAdd(this.sendStartSeq, this.sendBuffer.length);
      const remaining = seqDiff(dataEnd, this.sndNxt);
      const finPending = this.finQueued && seqLe(this.sndNxt, this.finSeq);
      if (remaining <= 0 && !finPending) {
        let limit = LIMIT_APP;
        if (this.sndMax === this.sndUna) limit = LIMIT_IDLE;
        else if (this.sendBuffer.length + smss > this.sendBufferLimit) limit = LIMIT_SNDBUF;
        this.limits.enter(limit, this.now);
        return;
      }
      const windowRoom = this.sndWnd - seqDiff(this.sndNxt, this.sndUna);
      const usable = Math.min(room, windowRoom);
      let len = Math.min(Math.max(remaining, 0), unit, Math.max(usable, 0));
      if (remaining > 0) {
        let blocked = len <= 0;
        // Sender SWS avoidance (§3.8.6.2.1).
        if (!blocked && len < smss && len < remaining && len < idiv(this.maxSndWnd, 2)) blocked = true;
        if (blocked) {
          this.limits.enter(windowRoom < room ? LIMIT_RWND : LIMIT_CWND, this.now);
          return;
        }
        // Nagle (RFC 9293 §3.7.4) in Minshall's variant, as Linux: no small segment while
        // another small one is unacknowledged (not once closing).
        if (len < smss && this.config.nagle && !this.finQueued && seqGt(this.smallSentEnd, this.sndUna)) break;
      } else {
        len = 0;
      }
      if (this.sendNew(len) === 0) break;
    }
  }

  /** New data (and the FIN when it reaches it) at SND.NXT; returns the sequence space used. */
  private sendNew(len: number): number {
    const seq = this.sndNxt;
    const used = this.transmit(seq, len);
    if (used === 0) return 0;
    this.sent.append(seq, seqAdd(seq, used), this.now);
    if (this.dupAcks > 0 && !this.inRecovery) this.limitedTransmitBytes += used;
    this.sndNxt = seqAdd(seq, used);
    this.probeRestart = true;
    return used;
  }

  /** Retransmits up to `maxLen` bytes from the start of `run` (split there if it is longer). */
  private retransmitRun(run: SentRun, maxLen: number): void {
    const fin = this.finQueued && run.end === seqAdd(this.finSeq, 1) ? 1 : 0;
    const dataLen = seqDiff(run.end, run.start) - fin;
    const len = Math.min(dataLen, maxLen);
    if (len < dataLen) this.sent.split(run, seqAdd(run.start, len));
    this.transmit(run.start, len);
    this.sent.retransmitted(run, this.now);
  }

  /**
   * What counts against cwnd: RFC 6675's pipe (in flight, less SACKed and
   * lost, plus retransmissions in flight). Outside recovery without limited
   * transmit it is RFC 5681's FlightSize; without SACK, limited transmit
   * allows one more SMSS per duplicate ACK, two at most (RFC 3042 §2).
   */
  private windowInUse(): number {
    const sent = this.sent;
    const flight = seqDiff(this.sndMax, this.sndUna);
    if (!this.inRecovery && sent.lostBytes === 0) {
      if (this.dupAcks === 0 || !this.config.limitedTransmit) return flight;
      if (!this.sackEnabled) return flight - Math.min(this.dupAcks, 2) * this.smss;
    }
    return flight - sent.sackedBytes - sent.lostBytes + sent.retransBytes;
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
  private segment(flags: number, seq: number, payload: Payload): TcpSegment {
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
    this.wsEnabled = this.config.windowScaling && seg.wscale !== undefined;
    this.sndWscale = this.wsEnabled ? Math.min(seg.wscale!, MAX_WSCALE) : 0;
    if (!this.wsEnabled) this.rcvWscale = 0;
    this.tsEnabled = this.config.timestamps && seg.tsVal !== undefined;
    if (this.tsEnabled) this.tsRecent = seg.tsVal!;
    this.sackEnabled = this.config.sack && seg.sackPermitted === true;
    this.setPeerMss(seg.mss ?? DEFAULT_PEER_MSS);
  }

  /** RFC 9293 §3.7.1: Eff.snd.MSS deducts the options we send in every segment; the initial window follows. */
  private setPeerMss(peerMss: number): void {
    this.smss = Math.min(peerMss, this.config.mss) - (this.tsEnabled ? TS_OPTION_BYTES : 0);
    this.cc = this.newCongestionControl();
  }

  private newCongestionControl(): CongestionControl {
    return createCongestionControl(this.config.congestion, initialWindow(this.smss, this.config.initialWindowSegments),
      { hystart: this.config.hystart });
  }

  /** The smallest shift that lets the receive buffer be advertised (RFC 7323 §2.3). */
  private wantedWscale(): number {
    return windowScaleFor(this.config.recvBufferSize);
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
    this.probeAt = -1;
    this.reorderAt = -1;
  }

  /**
   * RFC 6191 §2 (RFC 1122 §4.2.2.13 without timestamps): a SYN that reaches
   * this connection in TIME-WAIT opens a new incarnation of the 4-tuple when
   * it is newer than everything the old one received: a greater TSval than
   * TS.Recent, or, without timestamps on either, a sequence number beyond
   * RCV.NXT. Clients reuse ports well within 2 MSL. When it is, the old
   * connection closes quietly and true is returned.
   */
  yieldsTimeWaitTo(syn: TcpSegment): boolean {
    if (this.state !== TcpState.TimeWait) return false;
    const newer = this.tsEnabled && syn.tsVal !== undefined ? seqGt(syn.tsVal, this.tsRecent) : seqGt(syn.seq, this.rcvNxt);
    if (newer) this.terminate(undefined);
    return newer;
  }

  /** Ends the connection: CLOSED, timers off, events set. */
  private terminate(reason: string | undefined): void {
    this.state = TcpState.Closed;
    this.rtoAt = -1;
    this.persistAt = -1;
    this.probeAt = -1;
    this.reorderAt = -1;
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

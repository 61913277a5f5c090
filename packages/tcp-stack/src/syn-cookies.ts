// SYN cookies (RFC 4987 §3.6), in the layout of Linux's syncookies.c. When
// the half-open table is full, a SYN is answered without keeping any state:
// the SYN-ACK's sequence number encodes what the connection needs, and the
// ACK that completes the handshake (acknowledging cookie + 1) recreates it.
//
//   cookie = H1(4-tuple) + SEG.SEQ + (counter << 24) + ((H2(4-tuple, counter) + mss index) mod 2^24)
//
// H1 and H2 are SipHash-2-4 (isn.ts) with a key of their own, the counter a
// coarse clock (one tick per `periodUs`, a minute by default); a cookie is
// accepted for two ticks. Three other things the SYN negotiated would be
// lost, as the sequence number has no room for them: the peer's window
// scale and SACK-permitted travel in the low six bits of our TSval, which
// the peer echoes in its ACK (as Linux does), so a peer that offered
// timestamps keeps them; without timestamps the SYN-ACK offers neither
// window scaling nor SACK, and the connection runs without them.
import type { TcpConfig } from "./config";
import { siphash24 } from "./isn";
import { MAX_WSCALE, windowScaleFor } from "./options";
import { ACK, SYN, type TcpSegment } from "./segment";
import { seqAdd, seqGt } from "./seq";

/** The MSS values a cookie can name, by a 2-bit index (Linux's msstab for IPv4). */
export const COOKIE_MSS = [536, 1300, 1440, 1460];
const COUNTER_SHIFT = 24;
const LOW_MASK = 0xffffff;
/** Cookies of this many ticks (the current one included) are accepted (Linux: MAX_SYNCOOKIE_AGE). */
const MAX_AGE = 2;
/** TSval bits for the options: window scale (0-14, 15: none), then SACK-permitted. */
const TS_OPTION_BITS = 6;
const TS_WSCALE_MASK = 0x0f;
const TS_WSCALE_NONE = 0x0f;
const TS_SACK = 0x10;

/** What a valid cookie gives back for the connection. */
export interface CookieGrant {
  mss: number;
  /** The peer's window scale, undefined when not negotiated. */
  wscale: number | undefined;
  sackPermitted: boolean;
  /** Our timestamp clock's offset, for the connection to carry on with it. */
  tsOffset: number;
}

/** The largest cookie MSS not above the peer's MSS (index 0 when below them all). */
function mssIndexFor(mss: number): number {
  let i = COOKIE_MSS.length - 1;
  while (i > 0 && COOKIE_MSS[i] > mss) i -= 1;
  return i;
}

export class SynCookies {
  /** The last tick at which a cookie was sent, -1 before any. */
  private lastTick = -1;

  constructor(private readonly k0: number, private readonly k1: number, private readonly tsOffset: number,
    private readonly periodUs: number) {}

  /** A key and a timestamp offset from the engine's random source. */
  static fromRandom(random32: () => number, periodUs: number): SynCookies {
    return new SynCookies(shl(random32(), 32) | random32(), shl(random32(), 32) | random32(), random32(), periodUs);
  }

  /** The SYN-ACK answering `syn` with a cookie, the options encoded as described above. */
  synAck(syn: TcpSegment, config: TcpConfig, now: number): TcpSegment {
    const tick = idiv(now, this.periodUs);
    this.lastTick = tick;
    const mssIndex = mssIndexFor(syn.mss ?? COOKIE_MSS[0]);
    const low = (this.hash2(syn.dstAddr, syn.dstPort, syn.srcAddr, syn.srcPort, tick) + mssIndex) & LOW_MASK;
    const cookie = (this.hash1(syn.dstAddr, syn.dstPort, syn.srcAddr, syn.srcPort) + syn.seq
      + shl(tick & 0xff, COUNTER_SHIFT) + low) & 0xffffffff;
    const seg: TcpSegment = {
      srcAddr: syn.dstAddr, dstAddr: syn.srcAddr, srcPort: syn.dstPort, dstPort: syn.srcPort,
      seq: cookie, ack: seqAdd(syn.seq, 1), flags: SYN | ACK,
      // RFC 7323 §2.2: the window of a SYN is never scaled.
      window: Math.min(config.recvBufferSize, 65535), urgent: 0, payload: "", mss: config.mss,
    };
    if (config.timestamps && syn.tsVal !== undefined) {
      const wscale = config.windowScaling && syn.wscale !== undefined ? Math.min(syn.wscale, MAX_WSCALE) : undefined;
      const sack = config.sack && syn.sackPermitted === true;
      const clock = (idiv(now, 1000) + this.tsOffset) & 0xffffffff;
      let tsVal = (clock - (clock & (shl(1, TS_OPTION_BITS) - 1))) | (wscale ?? TS_WSCALE_NONE) | (sack ? TS_SACK : 0);
      // Never ahead of the clock the connection will continue with (the peer's PAWS check).
      if (seqGt(tsVal, clock)) tsVal = (tsVal - shl(1, TS_OPTION_BITS)) & 0xffffffff;
      seg.tsVal = tsVal;
      seg.tsEcr = syn.tsVal;
      if (wscale !== undefined) seg.wscale = windowScaleFor(config.recvBufferSize);
      if (sack) seg.sackPermitted = true;
    }
    return seg;
  }

  /** True while ACKs completing cookie handshakes may still arrive (a cookie went out in the last MAX_AGE ticks). */
  active(now: number): boolean {
    return this.lastTick >= 0 && idiv(now, this.periodUs) - this.lastTick < MAX_AGE;
  }

  /**
   * Checks the ACK of a cookie handshake (a bare ACK of no connection):
   * what the cookie granted, or undefined when it is forged, for another
   * 4-tuple, or expired.
   */
  check(ack: TcpSegment, now: number): CookieGrant | undefined {
    const cookie = seqAdd(ack.ack, -1);
    const peerIsn = seqAdd(ack.seq, -1);
    const v = (cookie - this.hash1(ack.dstAddr, ack.dstPort, ack.srcAddr, ack.srcPort) - peerIsn) & 0xffffffff;
    const tick = idiv(now, this.periodUs);
    const age = (tick - shr(v, COUNTER_SHIFT)) & 0xff;
    if (age >= MAX_AGE) return undefined;
    const mssIndex = ((v & LOW_MASK) - this.hash2(ack.dstAddr, ack.dstPort, ack.srcAddr, ack.srcPort, tick - age)) & LOW_MASK;
    if (mssIndex >= COOKIE_MSS.length) return undefined;
    let wscale: number | undefined;
    let sackPermitted = false;
    if (ack.tsEcr !== undefined) {
      const bits = ack.tsEcr & (shl(1, TS_OPTION_BITS) - 1);
      const shift = bits & TS_WSCALE_MASK;
      if (shift !== TS_WSCALE_NONE) wscale = shift;
      sackPermitted = (bits & TS_SACK) !== 0;
    }
    return { mss: COOKIE_MSS[mssIndex], wscale, sackPermitted, tsOffset: this.tsOffset };
  }

  private hash1(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): number {
    return siphash24(this.k0, this.k1, shl(localAddr, 32) | remoteAddr, shl(localPort, 16) | remotePort) & 0xffffffff;
  }

  /** Depends on the tick too (its upper half never 0, so it differs from hash1's message). */
  private hash2(localAddr: number, localPort: number, remoteAddr: number, remotePort: number, tick: number): number {
    const m1 = shl((tick & 0xffffffff) + 1, 32) | shl(localPort, 16) | remotePort;
    return siphash24(this.k0, this.k1, shl(localAddr, 32) | remoteAddr, m1) & LOW_MASK;
  }
}

// The connection table: many sockets behind one segment input, still
// sans-I/O. It finds a segment's connection by its 4-tuple, creates a socket
// for a SYN that a listener owns (any address/port the caller decides to
// answer for, as the HTTP cache answers as the origin), bounds memory (a
// connection limit and a SYN backlog: a bounded half-open table, and SYN
// cookies once it is full), answers segments for no connection with a
// reset (RFC 9293 §3.10.7.1), and drops closed connections.
import { resolveConfig, type TcpConfig } from "./config";
import { ACK, RST, SYN, type TcpSegment } from "./segment";
import { resetFor, TcpSocket, TcpState } from "./socket";
import { SynCookies } from "./syn-cookies";
import { TimerHeap } from "./timer-heap";

export interface StackConfig {
  /** Most connections held at once (all states, TIME-WAIT included). */
  maxConnections: number;
  /** Most connections in SYN-RECEIVED at once (the SYN backlog). */
  maxHalfOpen: number;
  /** RFC 4987 §3.6: answer SYNs with cookies while the SYN backlog is full (else drop them). */
  synCookies: boolean;
  /** The cookies' clock tick (a cookie is good for two ticks; Linux: a minute). */
  synCookiePeriodUs: number;
  /** Socket settings for connections the stack creates. */
  socket?: Partial<TcpConfig>;
}

/**
 * Decides whether to answer a SYN: returns socket settings (possibly empty)
 * to accept it, or undefined to ignore it.
 */
export type Acceptor = (syn: TcpSegment) => Partial<TcpConfig> | undefined;

export interface StackStats {
  connections: number;
  halfOpen: number;
  accepted: number;
  synDropped: number;
  /** SYN-ACKs sent with a cookie, handshakes completed by one, cookie ACKs refused (forged or expired). */
  synCookiesSent: number;
  synCookiesAccepted: number;
  synCookiesRejected: number;
  resetsSent: number;
  noConnection: number;
}

function endpointKey(addr: number, port: number): number {
  return shl(addr, 16) | port;
}

export class TcpStack {
  readonly config: StackConfig;
  /** local endpoint -> remote endpoint -> socket. */
  private readonly table = new LuaTable<number, LuaTable<number, TcpSocket>>();
  private readonly sockets = new LuaTable<TcpSocket, boolean>();
  private readonly halfOpen = new LuaTable<TcpSocket, boolean>();
  private acceptors: Acceptor[] = [];
  private acceptQueue: TcpSocket[] = [];
  private ready: TcpSocket[] = [];
  private readonly readySet = new LuaTable<TcpSocket, boolean>();
  private outbox: TcpSegment[] = [];
  private polled: TcpSocket[] = [];
  /** When each socket next needs to run (its pollAt), and the time of its valid entry there. */
  private readonly timers = new TimerHeap<TcpSocket>();
  private readonly timerAt = new LuaTable<TcpSocket, number>();
  /** Sockets tell the table when the application gave them work (a write, a read that opens the window, a close). */
  private readonly wake: (this: void, sock: TcpSocket) => void = (sock) => this.markReady(sock);
  readonly stats: StackStats = {
    connections: 0, halfOpen: 0, accepted: 0, synDropped: 0, synCookiesSent: 0, synCookiesAccepted: 0, synCookiesRejected: 0,
    resetsSent: 0, noConnection: 0,
  };
  /** Made at the first cookie (its key draws on kmod.random32). */
  private cookies: SynCookies | undefined;

  constructor(config?: Partial<StackConfig>) {
    this.config = {
      maxConnections: config?.maxConnections ?? 65536, maxHalfOpen: config?.maxHalfOpen ?? 1024,
      synCookies: config?.synCookies ?? true, synCookiePeriodUs: config?.synCookiePeriodUs ?? 60_000_000, socket: config?.socket,
    };
  }

  /** Answers SYNs to `port` on `addr` (0: any address). */
  listen(addr: number, port: number, config?: Partial<TcpConfig>): void {
    this.acceptors.push((syn) => (syn.dstPort === port && (addr === 0 || syn.dstAddr === addr) ? (config ?? {}) : undefined));
  }

  /** Answers the SYNs `acceptor` accepts (checked after the `listen` ports, in order). */
  listenWith(acceptor: Acceptor): void {
    this.acceptors.push(acceptor);
  }

  /** Opens a connection (the SYN goes out at the next poll). Undefined when the table is full or the 4-tuple is taken. */
  connect(localAddr: number, localPort: number, remoteAddr: number, remotePort: number, nowUs: number,
    config?: Partial<TcpConfig>): TcpSocket | undefined {
    if (this.stats.connections >= this.config.maxConnections) return undefined;
    if (this.find(localAddr, localPort, remoteAddr, remotePort) !== undefined) return undefined;
    const sock = new TcpSocket(this.socketConfig(config));
    sock.connect(localAddr, localPort, remoteAddr, remotePort, nowUs);
    this.add(sock);
    this.markReady(sock);
    return sock;
  }

  find(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): TcpSocket | undefined {
    const byRemote = this.table.get(endpointKey(localAddr, localPort));
    return byRemote === undefined ? undefined : byRemote.get(endpointKey(remoteAddr, remotePort));
  }

  /**
   * True when the segment belongs to this stack: a connection of its 4-tuple
   * exists, it is a SYN a listener accepts, or it completes a handshake with
   * a valid SYN cookie. A middlebox passes the others on untouched instead
   * of calling `input` (which would reset them).
   */
  owns(seg: TcpSegment, nowUs: number): boolean {
    if (this.find(seg.dstAddr, seg.dstPort, seg.srcAddr, seg.srcPort) !== undefined) return true;
    const flags = seg.flags & (SYN | ACK | RST);
    if (flags === ACK) return this.cookieGrantFor(seg, nowUs) !== undefined;
    if (flags !== SYN) return false;
    return this.acceptorConfig(seg) !== undefined;
  }

  /** One segment in. Returns the socket it went to (if any); output waits for `poll`. */
  input(seg: TcpSegment, nowUs: number): TcpSocket | undefined {
    let sock = this.find(seg.dstAddr, seg.dstPort, seg.srcAddr, seg.srcPort);
    const flags = seg.flags & (SYN | ACK | RST);
    if (sock !== undefined && flags === SYN && sock.yieldsTimeWaitTo(seg)) {
      this.markReady(sock); // its close is reported at the next poll
      this.remove(sock);
      sock = undefined;
    }
    if (sock === undefined) {
      if (flags === SYN) sock = this.passiveOpen(seg, nowUs);
      else if (flags === ACK && this.cookies !== undefined && this.cookies.active(nowUs)) sock = this.openFromCookie(seg, nowUs);
      if (sock === undefined) {
        this.stats.noConnection += 1;
        // §3.10.7.1: a segment for no connection gets a reset (a SYN we refused too).
        const reply = resetFor(seg);
        if (reply !== undefined && (seg.flags & SYN) === 0) {
          this.outbox.push(reply);
          this.stats.resetsSent += 1;
        }
        return undefined;
      }
    }
    sock.process(seg, nowUs);
    this.markReady(sock);
    return sock;
  }

  /**
   * Runs every socket that has output or a due timer; returns the segments
   * to send. Connections that reached CLOSED leave the table here.
   */
  poll(nowUs: number): TcpSegment[] {
    const out = this.outbox;
    this.outbox = [];
    const timers = this.timers;
    while (timers.size > 0 && timers.peekTime() <= nowUs) {
      const sock = timers.peekItem();
      if (this.timerAt.get(sock) === timers.peekTime()) {
        this.timerAt.delete(sock);
        this.markReady(sock);
      }
      timers.pop();
    }
    const ready = this.ready;
    this.ready = [];
    for (const sock of ready) {
      this.readySet.delete(sock);
      for (const seg of sock.dispatch(nowUs)) out.push(seg);
      this.settle(sock);
      if (this.sockets.has(sock)) this.schedule(sock);
    }
    this.polled = ready;
    return out;
  }

  /** The sockets the last `poll` ran (closed ones included), for delivering their events. */
  lastPolled(): TcpSocket[] {
    return this.polled;
  }

  /** The earliest time `poll` has work, or -1. */
  pollAt(): number {
    if (this.outbox.length > 0 || this.ready.length > 0) return 0;
    const timers = this.timers;
    while (timers.size > 0) {
      if (this.timerAt.get(timers.peekItem()) === timers.peekTime()) return timers.peekTime();
      timers.pop(); // stale: the socket was rescheduled or left
    }
    return -1;
  }

  /** Connections that completed their handshake since the last call (passive opens). */
  accept(): TcpSocket[] {
    const q = this.acceptQueue;
    this.acceptQueue = [];
    return q;
  }

  /** Aborts every connection (RSTs go out at the next poll). */
  abortAll(): void {
    for (const [sock] of pairs(this.sockets)) {
      sock.abort();
      this.markReady(sock);
    }
  }

  /** The settings of the first acceptor that takes `syn`, or undefined. */
  private acceptorConfig(syn: TcpSegment): Partial<TcpConfig> | undefined {
    for (const acceptor of this.acceptors) {
      const config = acceptor(syn);
      if (config !== undefined) return config;
    }
    return undefined;
  }

  private passiveOpen(syn: TcpSegment, nowUs: number): TcpSocket | undefined {
    const config = this.acceptorConfig(syn);
    if (config === undefined) return undefined;
    if (this.stats.connections >= this.config.maxConnections) {
      this.stats.synDropped += 1;
      return undefined;
    }
    if (this.stats.halfOpen >= this.config.maxHalfOpen) {
      // SYN-flood protection: the half-open table is bounded; once it is full, a SYN gets a
      // cookie (RFC 4987 §3.6) and no state, or, without cookies, is dropped (the peer retries).
      if (this.config.synCookies) {
        if (this.cookies === undefined) this.cookies = SynCookies.fromRandom(() => kmod.random32(), this.config.synCookiePeriodUs);
        this.outbox.push(this.cookies.synAck(syn, resolveConfig(this.socketConfig(config)), nowUs));
        this.stats.synCookiesSent += 1;
      } else {
        this.stats.synDropped += 1;
      }
      return undefined;
    }
    const sock = new TcpSocket(this.socketConfig(config));
    sock.listen(syn.dstAddr, syn.dstPort);
    sock.remoteAddr = syn.srcAddr;
    sock.remotePort = syn.srcPort;
    this.add(sock);
    this.halfOpen.set(sock, true);
    this.stats.halfOpen += 1;
    return sock;
  }

  /** What a bare ACK's SYN cookie grants, when cookies are in use, a listener takes its endpoint, and it is valid. */
  private cookieGrantFor(ack: TcpSegment, nowUs: number): ReturnType<SynCookies["check"]> {
    if (this.cookies === undefined || !this.cookies.active(nowUs) || this.acceptorConfig(ack) === undefined) return undefined;
    return this.cookies.check(ack, nowUs);
  }

  /**
   * The ACK of a cookie SYN-ACK: a connection in ESTABLISHED (`input` then
   * gives it the ACK, and any data it carries), or undefined (and a reset)
   * when the cookie is bad.
   */
  private openFromCookie(ack: TcpSegment, nowUs: number): TcpSocket | undefined {
    const config = this.acceptorConfig(ack);
    if (config === undefined) return undefined;
    const grant = this.cookies!.check(ack, nowUs);
    if (grant === undefined || this.stats.connections >= this.config.maxConnections) {
      this.stats.synCookiesRejected += 1;
      return undefined;
    }
    const sock = new TcpSocket(this.socketConfig(config));
    sock.openFromCookie(ack, grant, nowUs);
    this.add(sock);
    this.acceptQueue.push(sock);
    this.stats.accepted += 1;
    this.stats.synCookiesAccepted += 1;
    return sock;
  }

  private socketConfig(config: Partial<TcpConfig> | undefined): Partial<TcpConfig> {
    const base = resolveConfig(this.config.socket);
    if (config !== undefined) {
      for (const [key, value] of pairs(config as unknown as LuaTable<string, unknown>)) {
        (base as unknown as LuaTable<string, unknown>).set(key, value);
      }
    }
    return base;
  }

  private add(sock: TcpSocket): void {
    const localKey = endpointKey(sock.localAddr, sock.localPort);
    let byRemote = this.table.get(localKey);
    if (byRemote === undefined) {
      byRemote = new LuaTable();
      this.table.set(localKey, byRemote);
    }
    byRemote.set(endpointKey(sock.remoteAddr, sock.remotePort), sock);
    this.sockets.set(sock, true);
    this.stats.connections += 1;
    sock.onWake = this.wake;
  }

  /** Puts the socket's next timer in the heap (after it ran). */
  private schedule(sock: TcpSocket): void {
    const at = sock.pollAt();
    if (at < 0) {
      this.timerAt.delete(sock);
    } else if (this.timerAt.get(sock) !== at) {
      this.timerAt.set(sock, at);
      this.timers.push(at, sock);
    }
  }

  private remove(sock: TcpSocket): void {
    if (!this.sockets.has(sock)) return;
    this.sockets.delete(sock);
    this.timerAt.delete(sock);
    sock.onWake = undefined;
    this.stats.connections -= 1;
    if (this.halfOpen.has(sock)) {
      this.halfOpen.delete(sock);
      this.stats.halfOpen -= 1;
    }
    const localKey = endpointKey(sock.localAddr, sock.localPort);
    const byRemote = this.table.get(localKey);
    if (byRemote !== undefined) {
      byRemote.delete(endpointKey(sock.remoteAddr, sock.remotePort));
      if (next(byRemote)[0] === undefined) this.table.delete(localKey);
    }
  }

  /** After a socket ran: leave the half-open table once past SYN-RECEIVED, leave the table once CLOSED. */
  private settle(sock: TcpSocket): void {
    if (this.halfOpen.has(sock) && sock.state !== TcpState.SynReceived) {
      this.halfOpen.delete(sock);
      this.stats.halfOpen -= 1;
      if (sock.state !== TcpState.Closed) {
        this.acceptQueue.push(sock);
        this.stats.accepted += 1;
      }
    }
    if (sock.state === TcpState.Closed) this.remove(sock);
  }

  private markReady(sock: TcpSocket): void {
    if (this.readySet.has(sock)) return;
    this.readySet.set(sock, true);
    this.ready.push(sock);
  }
}

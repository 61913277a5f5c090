// The connection table: many sockets behind one segment input, still
// sans-I/O. It finds a segment's connection by its 4-tuple, creates a socket
// for a SYN that a listener owns (any address/port the caller decides to
// answer for, as the HTTP cache answers as the origin), bounds memory (a
// connection limit and a SYN backlog: a bounded half-open table), answers
// segments for no connection with a reset (RFC 9293 §3.10.7.1), and drops
// closed connections.
import { resolveConfig, type TcpConfig } from "./config";
import { ACK, RST, SYN, type TcpSegment } from "./segment";
import { resetFor, TcpSocket, TcpState } from "./socket";

export interface StackConfig {
  /** Most connections held at once (all states, TIME-WAIT included). */
  maxConnections: number;
  /** Most connections in SYN-RECEIVED at once (the SYN backlog). */
  maxHalfOpen: number;
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
  readonly stats: StackStats = { connections: 0, halfOpen: 0, accepted: 0, synDropped: 0, resetsSent: 0, noConnection: 0 };

  constructor(config?: Partial<StackConfig>) {
    this.config = { maxConnections: config?.maxConnections ?? 65536, maxHalfOpen: config?.maxHalfOpen ?? 1024, socket: config?.socket };
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
   * exists, or it is a SYN a listener accepts. A middlebox passes the others
   * on untouched instead of calling `input` (which would reset them).
   */
  owns(seg: TcpSegment): boolean {
    if (this.find(seg.dstAddr, seg.dstPort, seg.srcAddr, seg.srcPort) !== undefined) return true;
    if ((seg.flags & (SYN | ACK | RST)) !== SYN) return false;
    for (const acceptor of this.acceptors) {
      if (acceptor(seg) !== undefined) return true;
    }
    return false;
  }

  /** One segment in. Returns the socket it went to (if any); output waits for `poll`. */
  input(seg: TcpSegment, nowUs: number): TcpSocket | undefined {
    let sock = this.find(seg.dstAddr, seg.dstPort, seg.srcAddr, seg.srcPort);
    if (sock === undefined) {
      if ((seg.flags & (SYN | ACK | RST)) === SYN) sock = this.passiveOpen(seg);
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
    // A scan of every connection for due timers: fine for now, a timer wheel later.
    for (const [sock] of pairs(this.sockets)) {
      const at = sock.pollAt();
      if (at >= 0 && at <= nowUs) this.markReady(sock);
    }
    const ready = this.ready;
    this.ready = [];
    for (const sock of ready) {
      this.readySet.delete(sock);
      for (const seg of sock.dispatch(nowUs)) out.push(seg);
      this.settle(sock);
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
    let t = -1;
    for (const [sock] of pairs(this.sockets)) {
      const at = sock.pollAt();
      if (at >= 0 && (t < 0 || at < t)) t = at;
    }
    return t;
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

  private passiveOpen(syn: TcpSegment): TcpSocket | undefined {
    let config: Partial<TcpConfig> | undefined;
    for (const acceptor of this.acceptors) {
      config = acceptor(syn);
      if (config !== undefined) break;
    }
    if (config === undefined) return undefined;
    if (this.stats.connections >= this.config.maxConnections || this.stats.halfOpen >= this.config.maxHalfOpen) {
      // SYN-flood protection, bounded half-open table: a full backlog drops new SYNs (the peer retries).
      this.stats.synDropped += 1;
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
  }

  private remove(sock: TcpSocket): void {
    if (!this.sockets.has(sock)) return;
    this.sockets.delete(sock);
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

// The application of the interoperability tests and the benchmark, on the
// engine adapter, in both roles at once:
// - server: answers `GET /gen-<n>.bin` with n bytes of generated content
//   (content.ts) over HTTP/1.1, then closes, like nginx serving the same
//   files (other paths: 404);
// - client: a UDP trigger packet ("GET <local ip> <origin ip> <port> <path>
//   <id>") makes it fetch a path from an HTTP origin; it checks every body
//   byte against the generated content as it arrives and logs the outcome
//   (kmod.log), since a bundle has no file to write to.
import type { TcpConfig } from "./config";
import { EngineAdapter } from "./adapter";
import { CHUNK_BYTES, contentChunkPieces, contentRange } from "./content";
import { EV_CLOSED, EV_CONNECTED, EV_PEER_CLOSED, EV_READABLE, EV_RESET, EV_TIMEOUT, EV_WRITABLE, type TcpSocket } from "./socket";
import { TcpStack } from "./stack";

export interface HttpBenchOptions {
  /** Address ("a.b.c.d") the server answers for (absent: any). */
  serverAddr?: string;
  /** Ports the server answers on, each with socket settings of its own (e.g. one with segmentOffloadBytes). */
  servers?: { port: number; config?: Partial<TcpConfig> }[];
  /** First local port of client connections (one per fetch, counting up). */
  clientPortBase?: number;
  /** Socket settings of every connection (a server's own settings override them). */
  config?: Partial<TcpConfig>;
}

interface ServerConn {
  request: string;
  body: number;
  sent: number;
  header: string;
  responding: boolean;
  finished: boolean;
}

interface ClientConn {
  id: string;
  path: string;
  expected: number;
  response: string;
  headerDone: boolean;
  status: number;
  contentLength: number;
  received: number;
  mismatchAt: number;
  startUs: number;
  done: boolean;
}

const READ_MAX = 1 << 30;
let adapter: EngineAdapter | undefined;
let clientPortBase = 40000;
let nextClientPort = 0;
const servers = new LuaTable<TcpSocket, ServerConn>();
const clients = new LuaTable<TcpSocket, ClientConn>();

function parseAddr(text: string): number | undefined {
  const [a, b, c, d] = string.match(text, "^(%d+)%.(%d+)%.(%d+)%.(%d+)$");
  if (d === undefined) return undefined;
  return shl(tonumber(a)!, 24) | shl(tonumber(b)!, 16) | shl(tonumber(c)!, 8) | tonumber(d)!;
}

/** n for "/gen-<n>.bin", else undefined. */
function generatedSize(path: string): number | undefined {
  const [n] = string.match(path, "^/gen%-(%d+)%.bin$");
  return n === undefined ? undefined : tonumber(n);
}

function logSocket(what: string, sock: TcpSocket): string {
  const s = sock.stats;
  const limits = sock.limits;
  limits.settle(kmod.now_us());
  return `${what} segs_in=${s.segsIn} segs_out=${s.segsOut} retransmits=${s.retransmits} rtos=${s.rtos} fast_retransmits=${s.fastRetransmits}`
    + ` loss_probes=${s.lossProbes} lost_retransmits=${s.lostRetransmits} dsacks=${s.dsacks} cwnd=${sock.cc.cwnd}`
    + ` srtt_us=${sock.rtt.srtt} min_rtt_us=${sock.rack.minRtt} cwnd_limited_us=${limits.cwndUs} rwnd_limited_us=${limits.rwndUs}`
    + ` sndbuf_limited_us=${limits.sndbufUs} app_limited_us=${limits.appUs} send_buffer=${sock.sendBufferLimit}`;
}

// ---- Server ------------------------------------------------------------------

function pump(sock: TcpSocket, c: ServerConn): void {
  if (c.finished) return;
  if (c.header !== "") {
    const n = sock.write(c.header);
    if (n <= 0) return;
    c.header = string.sub(c.header, n + 1);
    if (c.header !== "") return;
  }
  while (c.sent < c.body) {
    // Whole chunks where they fit, written as their pieces (nothing copied); otherwise a copy of the range.
    const want = Math.min(CHUNK_BYTES - (c.sent % CHUNK_BYTES), c.body - c.sent);
    const room = sock.sendCapacity();
    if (room < want && (room <= 0 || sock.sendQueued() > 0)) return;
    if (want === CHUNK_BYTES && room >= want) {
      const [number, rest] = contentChunkPieces(idiv(c.sent, CHUNK_BYTES));
      c.sent += sock.write(number) + sock.write(rest);
      continue;
    }
    const n = sock.write(contentRange(c.sent, Math.min(room, want)));
    if (n <= 0) return;
    c.sent += n;
  }
  sock.close();
  c.finished = true;
}

function respond(sock: TcpSocket, c: ServerConn): void {
  const [path] = string.match(c.request, "^GET (%S+) HTTP/1%.%d\r\n");
  const size = path === undefined ? undefined : generatedSize(path);
  c.responding = true;
  if (size === undefined) {
    c.header = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  } else {
    c.body = size;
    c.header = `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`;
  }
  pump(sock, c);
}

function onServerSocket(sock: TcpSocket, events: number, c: ServerConn): void {
  if ((events & EV_READABLE) !== 0) {
    const data = sock.read(READ_MAX);
    if (!c.responding) {
      c.request = c.request + data;
      if (string.find(c.request, "\r\n\r\n", 1, true)[0] !== undefined) respond(sock, c);
      else if (c.request.length > 16384) sock.abort();
    }
  } else if ((events & EV_WRITABLE) !== 0 && c.responding) {
    pump(sock, c);
  }
  if ((events & EV_PEER_CLOSED) !== 0) {
    // The client closes once it has everything: the counters now cover the whole response.
    if (c.finished) {
      kmod.log(logSocket(`tcp-bench: served ${c.body} bytes`, sock) + ` sends=${adapter!.packetsOut} send_us=${adapter!.sendUs}`
        + ` gso_sends=${adapter!.gsoSends} gso_failures=${adapter!.gsoFailures} send_failures=${adapter!.sendFailures} port=${sock.localPort}`);
    }
    else if (!c.responding) sock.close();
  }
}

// ---- Client ------------------------------------------------------------------

function finishClient(sock: TcpSocket, c: ClientConn, why: string): void {
  if (c.done) return;
  c.done = true;
  const ok = why === "closed" && c.status === 200 && c.contentLength === c.expected && c.received === c.expected && c.mismatchAt < 0;
  kmod.log(logSocket(`tcp-bench: fetched id=${c.id} path=${c.path} end=${why} status=${c.status} bytes=${c.received} `
    + `expected=${c.expected} mismatch_at=${c.mismatchAt} ok=${ok} us=${kmod.now_us() - c.startUs}`, sock));
}

/** Compares body bytes with the generated content at their offset. */
function checkBody(c: ClientConn, data: string): void {
  if (c.mismatchAt < 0) {
    const expected = c.received + data.length <= c.expected ? contentRange(c.received, data.length) : "";
    if (data !== expected) {
      let i = 0;
      while (i < data.length && i < expected.length && string.byte(data, i + 1) === string.byte(expected, i + 1)) i++;
      c.mismatchAt = c.received + i;
    }
  }
  c.received += data.length;
}

function onClientData(c: ClientConn, data: string): void {
  if (c.headerDone) {
    checkBody(c, data);
    return;
  }
  c.response = c.response + data;
  const [headerEnd] = string.find(c.response, "\r\n\r\n", 1, true);
  if (headerEnd === undefined) return;
  const header = string.sub(c.response, 1, headerEnd + 3);
  const [status] = string.match(header, "^HTTP/1%.%d (%d%d%d)");
  const [length] = string.match(string.lower(header), "\r\ncontent%-length: *(%d+)");
  c.status = status === undefined ? -1 : tonumber(status)!;
  c.contentLength = length === undefined ? -1 : tonumber(length)!;
  c.headerDone = true;
  const rest = string.sub(c.response, headerEnd + 4);
  c.response = "";
  if (rest !== "") checkBody(c, rest);
}

function onClientSocket(sock: TcpSocket, events: number, c: ClientConn): void {
  if ((events & EV_CONNECTED) !== 0) {
    sock.write(`GET ${c.path} HTTP/1.1\r\nHost: origin\r\nUser-Agent: kcache-tcp-stack\r\nConnection: close\r\n\r\n`);
  }
  if ((events & EV_READABLE) !== 0) onClientData(c, sock.read(READ_MAX));
  if ((events & EV_PEER_CLOSED) !== 0) {
    finishClient(sock, c, "closed");
    sock.close();
  }
  if ((events & (EV_RESET | EV_TIMEOUT)) !== 0) finishClient(sock, c, (events & EV_RESET) !== 0 ? "reset" : "timeout");
}

// ---- Engine entry points -------------------------------------------------------

function onSocket(sock: TcpSocket, events: number): void {
  const client = clients.get(sock);
  if (client !== undefined) {
    onClientSocket(sock, events, client);
    if ((events & EV_CLOSED) !== 0) {
      finishClient(sock, client, sock.error ?? "closed-early");
      clients.delete(sock);
    }
    return;
  }
  let server = servers.get(sock);
  if (server === undefined) {
    server = { request: "", body: 0, sent: 0, header: "", responding: false, finished: false };
    servers.set(sock, server);
  }
  onServerSocket(sock, events, server);
  if ((events & EV_CLOSED) !== 0) servers.delete(sock);
}

/** Sets up the stack (call once, e.g. `kmod run --call '0:tcp_bench_start:{...}'`). */
export function tcp_bench_start(options: HttpBenchOptions): void {
  const stack = new TcpStack({ maxConnections: 4096, socket: options.config });
  const addr = options.serverAddr === undefined ? 0 : parseAddr(options.serverAddr);
  if (addr === undefined) error(`tcp_bench_start: bad serverAddr ${options.serverAddr}`);
  for (const server of options.servers ?? []) stack.listen(addr, server.port, server.config);
  clientPortBase = options.clientPortBase ?? 40000;
  nextClientPort = 0;
  adapter = new EngineAdapter(stack, onSocket);
}

/** The hook for the TCP segments of the server's address/port and of the client's local ports. */
export function tcp_bench_hook(p: Packet): Verdict {
  return adapter === undefined ? NF_ACCEPT : adapter.hook(p);
}

/** Starts a fetch: `GET <local ip> <origin ip> <port> <path> <id>`; returns false on a bad request. */
export function tcp_bench_fetch(request: string): boolean {
  if (adapter === undefined) return false;
  const [local, remote, port, path, id] = string.match(request, "^GET (%S+) (%S+) (%d+) (%S+) (%S+)");
  const localAddr = local === undefined ? undefined : parseAddr(local);
  const remoteAddr = remote === undefined ? undefined : parseAddr(remote);
  const expected = path === undefined ? undefined : generatedSize(path);
  if (localAddr === undefined || remoteAddr === undefined || expected === undefined) {
    kmod.log(`tcp-bench: bad fetch request ${request}`);
    return false;
  }
  const localPort = clientPortBase + nextClientPort;
  nextClientPort = (nextClientPort + 1) % 1000;
  const sock = adapter.stack.connect(localAddr, localPort, remoteAddr, tonumber(port)!, kmod.now_us());
  if (sock === undefined) {
    kmod.log(`tcp-bench: fetched id=${id} end=no-connection ok=false`);
    return false;
  }
  clients.set(sock, {
    id: id!, path: path!, expected, response: "", headerDone: false, status: -1, contentLength: -1,
    received: 0, mismatchAt: -1, startUs: kmod.now_us(), done: false,
  });
  adapter.flush();
  return true;
}

/** The connection table's statistics (SYN cookies among them). */
export function tcp_bench_stats(): LuaTable<string, number> {
  const t = new LuaTable<string, number>();
  if (adapter === undefined) return t;
  for (const [k, v] of pairs(adapter.stack.stats as unknown as LuaTable<string, number>)) t.set(k, v);
  return t;
}

/** The hook for trigger datagrams: the UDP payload is a fetch request. */
export function tcp_bench_trigger(p: Packet): Verdict {
  const headerLength = (p.u8(0) & 15) * 4;
  if (p.u8(9) !== 17 || p.len() <= headerLength + 8) return NF_ACCEPT;
  tcp_bench_fetch(p.string(headerLength + 8));
  return NF_DROP;
}

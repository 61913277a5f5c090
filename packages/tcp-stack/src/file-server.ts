// A tiny server on the engine adapter: every connection that sends anything
// gets `body` and is closed. The seed of the interoperability tests (a Linux
// client on one side of the router, tcp-stack answering in the engine).
import type { TcpConfig } from "./config";
import { EngineAdapter } from "./adapter";
import { EV_CLOSED, EV_PEER_CLOSED, EV_READABLE, EV_WRITABLE, type TcpSocket } from "./socket";
import { TcpStack } from "./stack";

export interface FileServerOptions {
  port: number;
  /** Address to answer for (0 or absent: any). */
  addr?: number;
  body: string;
  config?: Partial<TcpConfig>;
  maxConnections?: number;
}

interface Transfer {
  sent: number;
  started: boolean;
}

let adapter: EngineAdapter | undefined;
let body = "";
const transfers = new LuaTable<TcpSocket, Transfer>();
let served = 0;

function pump(sock: TcpSocket, t: Transfer): void {
  while (t.sent < body.length) {
    const n = sock.write(string.sub(body, t.sent + 1, t.sent + 65536));
    if (n <= 0) return;
    t.sent += n;
  }
  sock.close();
  served += 1;
}

function onSocket(sock: TcpSocket, events: number, accepted: boolean): void {
  if ((events & EV_CLOSED) !== 0) {
    transfers.delete(sock);
    return;
  }
  let t = transfers.get(sock);
  if (t === undefined) {
    if (!accepted && (events & EV_READABLE) === 0) return;
    t = { sent: 0, started: false };
    transfers.set(sock, t);
  }
  if ((events & (EV_READABLE | EV_PEER_CLOSED)) !== 0) {
    sock.read(0x7fffffff); // the request: any bytes will do
    if (!t.started) {
      t.started = true;
      pump(sock, t);
    }
  } else if ((events & EV_WRITABLE) !== 0 && t.started && t.sent < body.length) {
    pump(sock, t);
  }
}

/** Starts serving `body` on `port`. */
export function tcp_server_start(options: FileServerOptions): void {
  const stack = new TcpStack({ maxConnections: options.maxConnections ?? 4096, socket: options.config });
  stack.listen(options.addr ?? 0, options.port);
  body = options.body;
  served = 0;
  adapter = new EngineAdapter(stack, onSocket);
}

/** The hook function for the rule (e.g. PREROUTING, tcp dport = the server's port). */
export function tcp_server_hook(p: Packet): Verdict {
  return adapter === undefined ? NF_ACCEPT : adapter.hook(p);
}

export function tcp_server_stats(): LuaTable<string, number> {
  const t = new LuaTable<string, number>();
  if (adapter === undefined) return t;
  t.set("served", served);
  t.set("packets_in", adapter.packetsIn);
  t.set("packets_out", adapter.packetsOut);
  t.set("passed", adapter.passed);
  for (const [k, v] of pairs(adapter.stack.stats as unknown as LuaTable<string, number>)) t.set(k, v);
  return t;
}

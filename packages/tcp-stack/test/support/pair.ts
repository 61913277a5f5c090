// Two sockets of the stack joined through JavaScript: packets cross with no
// delay unless a test drops them; when nothing is in flight the virtual clock
// jumps to the next timer. The server sends `bytes` of a pattern and closes;
// the client reads everything, checks it, and closes when the server did.
import type { Host } from "./host.ts";
import { pattern } from "./tcp.ts";
import { decode, ip, type Decoded } from "./wire.ts";

export const CLIENT = { addr: ip(198, 18, 0, 1), port: 40000 };
export const SERVER = { addr: ip(198, 18, 1, 2), port: 80 };

export interface Packet {
  toServer: boolean;
  /** Index among the packets of its direction (0-based). */
  index: number;
  seg: Decoded;
}

export interface PairOptions {
  bytes: number;
  client?: Record<string, unknown>;
  server?: Record<string, unknown>;
  /** Return true to drop the packet. */
  drop?: (p: Packet) => boolean;
  /** Give up after this much virtual time (ms). */
  limitMs?: number;
}

export interface PairResult {
  received: Buffer;
  clientState: string;
  serverState: string;
  dropped: Packet[];
  log: string[];
  client: Record<string, unknown>;
  server: Record<string, unknown>;
  elapsedUs: number;
}

const STATE_CLOSED = new Set(["CLOSED", "TIME-WAIT"]);

export async function runPair(host: Host, opts: PairOptions): Promise<PairResult> {
  const call = async (fn: string, ...args: unknown[]): Promise<unknown> => (await host.call(fn, args))[0];
  const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);
  const data = pattern(opts.bytes);
  const client = (await call("tcp_socket", { iss: 3_000_000_000, ...opts.client })) as number;
  const server = (await call("tcp_socket", { iss: 7000, ...opts.server })) as number;
  await call("tcp_listen", server, SERVER.addr, SERVER.port);
  const start = (await call("tcp_now")) as number;
  const limit = start + (opts.limitMs ?? 120_000) * 1000;
  const inFlight: { toServer: boolean; pkt: string }[] = [];
  const counters = [0, 0];
  const dropped: Packet[] = [];
  const log: string[] = [];
  const emit = (toServer: boolean, pkts: string[]): void => {
    for (const pkt of pkts) {
      const seg = decode(pkt);
      const p: Packet = { toServer, index: counters[toServer ? 0 : 1]!++, seg };
      const lost = opts.drop?.(p) ?? false;
      log.push(`${toServer ? "c->s" : "s->c"} ${seg.flags} seq=${seg.seq} ack=${seg.ack} len=${seg.payload.length}${lost ? " DROPPED" : ""}`);
      if (lost) dropped.push(p);
      else inFlight.push({ toServer, pkt });
    }
  };
  emit(true, list(await call("tcp_connect", client, CLIENT.addr, CLIENT.port, SERVER.addr, SERVER.port)));
  let sent = 0;
  let serverClosed = false;
  let clientClosed = false;
  const chunks: Buffer[] = [];
  for (let rounds = 0; rounds < 100_000; rounds++) {
    while (inFlight.length > 0) {
      const { toServer, pkt } = inFlight.shift()!;
      emit(!toServer, list(await call("tcp_input", toServer ? server : client, pkt)));
    }
    const sState = (await call("tcp_info", server) as Record<string, unknown>).state as string;
    if (sState === "ESTABLISHED" || sState === "CLOSE-WAIT") {
      while (sent < data.length) {
        const n = (await call("tcp_write", server, data.subarray(sent, sent + 65536))) as number;
        if (n <= 0) break;
        sent += n;
      }
      if (sent === data.length && !serverClosed) {
        serverClosed = true;
        emit(false, list(await call("tcp_close", server)));
      }
    }
    const got = Buffer.from((await call("tcp_read", client)) as string, "latin1");
    if (got.length > 0) chunks.push(got);
    const cState = (await call("tcp_info", client) as Record<string, unknown>).state as string;
    if (cState === "CLOSE-WAIT" && !clientClosed) {
      clientClosed = true;
      emit(true, list(await call("tcp_close", client)));
    }
    emit(false, list(await call("tcp_poll", server)));
    emit(true, list(await call("tcp_poll", client)));
    if (inFlight.length > 0) continue;
    const sNow = (await call("tcp_info", server) as Record<string, unknown>).state as string;
    const cNow = (await call("tcp_info", client) as Record<string, unknown>).state as string;
    if (cNow === "CLOSED" && STATE_CLOSED.has(sNow)) break;
    // Nothing in flight: jump to the earliest timer.
    const now = (await call("tcp_now")) as number;
    const times = [(await call("tcp_poll_at", client)) as number, (await call("tcp_poll_at", server)) as number].filter((t) => t >= 0);
    if (times.length === 0 || now > limit) break;
    const next = Math.min(...times);
    if (next > now) await host.advanceUs(next - now);
  }
  return {
    received: Buffer.concat(chunks),
    clientState: (await call("tcp_info", client) as Record<string, unknown>).state as string,
    serverState: (await call("tcp_info", server) as Record<string, unknown>).state as string,
    dropped,
    log,
    client: (await call("tcp_info", client)) as Record<string, unknown>,
    server: (await call("tcp_info", server)) as Record<string, unknown>,
    elapsedUs: ((await call("tcp_now")) as number) - start,
  };
}

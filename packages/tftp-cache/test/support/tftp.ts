// The two ends of a TFTP transfer across the simulated router: a client and
// an origin written in TypeScript, building real IPv4/UDP packets (udp() of
// @kcache/kmod) and injecting them at the cache's FORWARD rule.
import { fileURLToPath } from "node:url";
import { Engine, NF_ACCEPT, parseIpv4, udp } from "@kcache/kmod";

export const BUNDLE = fileURLToPath(new URL("../../dist/tftp-cache.lua", import.meta.url));
export const CLIENT = "198.18.1.2";
export const ORIGIN = "198.18.2.2";
/** What the kernel reports beside a client's packet on the real path: its interface and MAC (the cache's link-layer sends use them). */
export const CLIENT_LINK = { indev: 3, hwaddr: Buffer.from([2, 0, 0, 0, 0, 9]) };
export { NF_ACCEPT, NF_DROP } from "@kcache/kmod";

export type Options = Record<string, string | number>;

export function newCache(settings: Record<string, unknown> = {}): Engine {
  const engine = Engine.sim({ seed: 7 });
  engine.insertRule({ hook: "FORWARD", script: BUNDLE, match: { protocol: "udp" } });
  if (Object.keys(settings).length > 0) {
    const [ok, why] = engine.call(0, "configure", [settings]);
    if (ok !== true) throw new Error(`configure: ${String(why)}`);
  }
  return engine;
}

export function stats(engine: Engine): Record<string, number> {
  return engine.call(0, "stats")[0] as Record<string, number>;
}

// ---- TFTP messages -------------------------------------------------------

const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(n & 0xffff); return b; };
const z = (s: string): Buffer => Buffer.from(`${s}\0`, "latin1");

export function rrq(filename: string, mode = "octet", options: Options = {}, opcode = 1): Buffer {
  return Buffer.concat([u16(opcode), z(filename), z(mode), ...Object.entries(options).flatMap(([k, v]) => [z(k), z(String(v))])]);
}
export const ack = (block: number): Buffer => Buffer.concat([u16(4), u16(block)]);
export const data = (block: number, body: Uint8Array): Buffer => Buffer.concat([u16(3), u16(block), body]);
export const error = (code: number, text: string): Buffer => Buffer.concat([u16(5), u16(code), z(text)]);
export const oack = (options: Options): Buffer => Buffer.concat([u16(6), ...Object.entries(options).flatMap(([k, v]) => [z(k), z(String(v))])]);

export interface Message {
  /** The whole IPv4 packet. */
  packet: Buffer;
  src: string; dst: string; sport: number; dport: number;
  opcode: number; block?: number; body?: Buffer; code?: number; text?: string; options?: Record<string, string>;
  checksumOk: boolean; ipChecksumOk: boolean;
}

export function decode(packet: Buffer): Message {
  const p = parseIpv4(packet);
  const payload = p.payload;
  const m: Message = {
    packet: Buffer.from(packet), src: p.src, dst: p.dst, sport: p.sport!, dport: p.dport!, opcode: payload.readUInt16BE(0),
    checksumOk: p.checksumOk!, ipChecksumOk: p.ipChecksumOk,
  };
  if (m.opcode === 3 || m.opcode === 4) m.block = payload.readUInt16BE(2);
  if (m.opcode === 3) m.body = Buffer.from(payload.subarray(4));
  if (m.opcode === 5) { m.code = payload.readUInt16BE(2); m.text = payload.subarray(4, payload.indexOf(0, 4)).toString("latin1"); }
  if (m.opcode === 6) {
    const parts = payload.subarray(2).toString("latin1").split("\0");
    m.options = {};
    for (let i = 0; i + 1 < parts.length; i += 2) m.options[parts[i]!] = parts[i + 1]!;
  }
  return m;
}

/** A file of `size` deterministic bytes. */
export function file(size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < size; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
  return b;
}

// ---- The origin side: a transfer the origin serves, seen at the router -----

export interface OriginTransfer {
  cport?: number;
  otid?: number;
  options?: Options;
  /** What the origin's OACK says (default: no OACK, DATA 1 answers). */
  oack?: Options;
  blksize?: number;
  mode?: string;
  /** Stop after this many DATA blocks (then `end` happens). */
  stopAfter?: number;
  /** Block numbers (1-based) the router never sees. */
  skip?: number[];
  end?: "error" | "none";
}

/** Plays a miss: the client's RRQ, the origin's OACK/DATA, the client's ACKs, all through the cache. Returns the verdicts. */
export function originServes(engine: Engine, filename: string, content: Buffer, t: OriginTransfer = {}): number[] {
  const cport = t.cport ?? 40000;
  const otid = t.otid ?? 50000;
  const verdicts: number[] = [];
  const fromClient = (payload: Buffer, dport: number) =>
    verdicts.push(engine.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport: cport, dport, payload })).verdict);
  const fromOrigin = (payload: Buffer) =>
    verdicts.push(engine.inject("FORWARD", udp({ src: ORIGIN, dst: CLIENT, sport: otid, dport: cport, payload })).verdict);
  fromClient(rrq(filename, t.mode ?? "octet", t.options ?? {}), 69);
  if (t.oack) {
    fromOrigin(oack(t.oack));
    fromClient(ack(0), otid);
  }
  const blksize = t.blksize ?? 512;
  const blocks = Math.floor(content.length / blksize) + 1;
  for (let n = 1; n <= blocks; n++) {
    if (t.stopAfter !== undefined && n > t.stopAfter) break;
    if (t.skip?.includes(n)) continue;
    fromOrigin(data(n, content.subarray((n - 1) * blksize, n * blksize)));
    fromClient(ack(n), otid);
  }
  if (t.end === "error") fromOrigin(error(0, "disk on fire"));
  return verdicts;
}

// ---- The client side of a hit ----------------------------------------------

export interface ClientOptions {
  cport?: number;
  mode?: string;
  options?: Options;
  /** Called for each DATA the cache sent; false drops it (lost on the way). */
  deliver?: (m: Message) => boolean;
  /** Called for each ACK the client is about to send; false loses it. */
  sendAck?: (block: number) => boolean;
  /** What the kernel reports beside the client's packets (CLIENT_LINK: its interface and MAC, as on the real path). */
  link?: { indev: number; hwaddr: Buffer };
  /** Virtual ms to wait when nothing arrives (the cache's timer retransmits). */
  waitMs?: number;
  maxWaits?: number;
}

export interface ClientResult {
  verdict: number;
  content: Buffer;
  messages: Message[];
  oack?: Record<string, string>;
  error?: Message;
  tid?: number;
  acksSent: number;
  waits: number;
}

/**
 * Downloads `filename` from the origin's address through the cache like a
 * TFTP client (RFC 1350, windows of RFC 7440): ACKs the highest in-order
 * block after each batch of packets, ACKs again when it only got duplicates.
 */
export function download(engine: Engine, filename: string, c: ClientOptions = {}): ClientResult {
  const cport = c.cport ?? 41000;
  const chunks: Buffer[] = [];
  const result: ClientResult = { verdict: -1, content: Buffer.alloc(0), messages: [], acksSent: 0, waits: 0 };
  const send = (payload: Buffer, dport: number) =>
    engine.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport: cport, dport, payload }), c.link ?? {}).verdict;
  result.verdict = send(rrq(filename, c.mode ?? "octet", c.options ?? {}), 69);
  let blksize = 512;
  let received = 0; // absolute blocks received in order
  let done = false;
  let idle = 0;
  while (!done) {
    const batch = engine.takeSent().map(decode).filter((m) => m.dst === CLIENT && m.dport === cport);
    if (batch.length === 0) {
      if (result.verdict === NF_ACCEPT && result.messages.length === 0) break; // passed to the origin
      if (++idle > (c.maxWaits ?? 10)) break;
      result.waits++;
      engine.advance(c.waitMs ?? 1000);
      continue;
    }
    idle = 0;
    let answer = false;
    for (const m of batch) {
      result.messages.push(m);
      if (!m.checksumOk || !m.ipChecksumOk) throw new Error("bad checksum from the cache");
      if (m.src !== ORIGIN) throw new Error(`hit from ${m.src}, not the origin's address`);
      result.tid ??= m.sport;
      if (m.sport !== result.tid) throw new Error("DATA from another TID");
      if (m.opcode === 5) { result.error = m; done = true; break; }
      if (m.opcode === 6) {
        result.oack = m.options;
        if (m.options!.blksize) blksize = Number(m.options!.blksize);
        answer = true;
        continue;
      }
      if (m.opcode !== 3) continue;
      if (c.deliver && !c.deliver(m)) continue;
      answer = true;
      if (m.block === ((received + 1) & 0xffff)) {
        received++;
        chunks.push(m.body!);
        if (m.body!.length < blksize) { done = true; }
      }
    }
    if (!answer) continue;
    if (c.sendAck && !c.sendAck(received)) continue;
    result.acksSent++;
    send(ack(received), result.tid!);
  }
  result.content = Buffer.concat(chunks);
  return result;
}

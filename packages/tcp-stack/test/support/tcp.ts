// Drives one tcp-stack socket in the Lua host: the test plays the remote end
// with literal segments (smoltcp's send!/recv! style).
import type { Host } from "./host.ts";
import { decode, encode, LOCAL, REMOTE, type Decoded, type Seg } from "./wire.ts";

export type Info = Record<string, number | string | boolean | null>;

function packets(v: unknown): Decoded[] {
  return Array.isArray(v) ? v.map((p) => decode(p as string)) : [];
}

export class Sock {
  constructor(readonly host: Host, readonly id: number) {}

  static async create(host: Host, config: Record<string, unknown> = {}): Promise<Sock> {
    const [id] = await host.call("tcp_socket", [{ iss: 1000, ...config }]);
    return new Sock(host, id as number);
  }

  async listen(addr = LOCAL.addr, port = LOCAL.port): Promise<void> {
    await this.host.call("tcp_listen", [this.id, addr, port]);
  }

  async connect(remote = REMOTE, local = LOCAL): Promise<Decoded[]> {
    return packets((await this.host.call("tcp_connect", [this.id, local.addr, local.port, remote.addr, remote.port]))[0]);
  }

  /** Delivers a segment from the remote end; returns the socket's answer. */
  async send(seg: Seg): Promise<Decoded[]> {
    return this.sendRaw(encode(seg));
  }

  async sendRaw(packet: Buffer | string): Promise<Decoded[]> {
    return packets((await this.host.call("tcp_input", [this.id, packet]))[0]);
  }

  async sendRawPackets(packet: Buffer | string): Promise<string[]> {
    const [out] = await this.host.call("tcp_input", [this.id, packet]);
    return Array.isArray(out) ? (out as string[]) : [];
  }

  async poll(): Promise<Decoded[]> {
    return packets((await this.host.call("tcp_poll", [this.id]))[0]);
  }

  async pollRaw(): Promise<string[]> {
    const [out] = await this.host.call("tcp_poll", [this.id]);
    return Array.isArray(out) ? (out as string[]) : [];
  }

  /** Moves virtual time, then polls. */
  async advance(ms: number): Promise<Decoded[]> {
    await this.host.advance(ms);
    return this.poll();
  }

  async write(data: string | Buffer): Promise<number> {
    return (await this.host.call("tcp_write", [this.id, data]))[0] as number;
  }

  async read(max?: number): Promise<Buffer> {
    const [s] = await this.host.call("tcp_read", [this.id, max ?? null]);
    return Buffer.from((s as string) ?? "", "latin1");
  }

  async close(): Promise<Decoded[]> {
    return packets((await this.host.call("tcp_close", [this.id]))[0]);
  }

  async abort(): Promise<Decoded[]> {
    return packets((await this.host.call("tcp_abort", [this.id]))[0]);
  }

  async info(): Promise<Info> {
    return (await this.host.call("tcp_info", [this.id]))[0] as Info;
  }

  async state(): Promise<string> {
    return (await this.info()).state as string;
  }

  async events(): Promise<number> {
    return (await this.host.call("tcp_events", [this.id]))[0] as number;
  }

  async pollAt(): Promise<number> {
    return (await this.host.call("tcp_poll_at", [this.id]))[0] as number;
  }
}

export const EV = { CONNECTED: 1, READABLE: 2, WRITABLE: 4, PEER_CLOSED: 8, CLOSED: 16, RESET: 32, TIMEOUT: 64 };

/** Remote ISN used by the tests, and the socket's fixed ISS. */
export const RISN = 5000;
export const ISS = 1000;
/** The first data byte of each side once established: the remote's and the socket's. */
export const R = RISN + 1;
export const L = ISS + 1;
/** The MSS of the loss and recovery tests, and where the socket's segment `i` (from 0) starts. */
export const MSS = 1460;
export const seg = (i: number): number => L + MSS * i;

/**
 * A server socket in ESTABLISHED, reached by a SYN with `synOptions` from the
 * remote end. Returns the socket and its SYN-ACK. Remote sequence: RISN+1,
 * local: ISS+1.
 */
export async function established(host: Host, config: Record<string, unknown> = {},
  synOptions: Partial<Seg> = { mss: 1460 }): Promise<{ sock: Sock; synAck: Decoded }> {
  const sock = await Sock.create(host, config);
  await sock.listen();
  const [synAck] = await sock.send({ flags: "S", seq: RISN, win: 65535, ...synOptions });
  if (!synAck || synAck.flags !== "SA") throw new Error(`no SYN-ACK: ${JSON.stringify(synAck)}`);
  const ack: Seg = { flags: "A", seq: RISN + 1, ack: ISS + 1, win: synOptions.win ?? 65535 };
  if (synAck.ts !== undefined && synOptions.ts !== undefined) ack.ts = [synOptions.ts[0] + 1, synAck.ts[0]];
  const out = await sock.send(ack);
  if (out.length !== 0) throw new Error(`unexpected answer to the handshake ACK: ${out.map((d) => d.flags)}`);
  return { sock, synAck };
}

/** Bytes 0..n-1 of a recognisable pattern. */
export function pattern(n: number, offset = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = ((i + offset) * 7 + ((i + offset) >> 8)) & 0xff;
  return b;
}

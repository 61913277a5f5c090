// SYN cookies (RFC 4987 §3.6): once the bounded half-open table is full,
// SYNs are answered statelessly and the ACK completing the handshake creates
// the connection, from what the cookie (and, with timestamps, the echoed
// TSval) encodes. Through the connection table (stack_* in driver.ts).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { pattern } from "./support/tcp.ts";
import { decode, encode, type Decoded, type Seg } from "./support/wire.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

const call = async (fn: string, ...args: unknown[]): Promise<unknown> => (await host.call(fn, args))[0];
const input = async (seg: Seg): Promise<Decoded[]> => {
  const out = await call("stack_input", encode(seg));
  return Array.isArray(out) ? out.map((p) => decode(p as string)) : [];
};
const stats = async (): Promise<Record<string, number>> => (await call("stack_stats")) as Record<string, number>;
const info = async (id: number): Promise<Record<string, unknown>> => (await call("tcp_info", id)) as Record<string, unknown>;

const BACKLOG = 4;
const CLIENT_PORT = 50000;
const CLIENT_ISN = 7777;

/** A listening table whose half-open table a flood of SYNs (never acknowledged) has filled. */
async function flooded(): Promise<void> {
  await call("stack_new", { maxHalfOpen: BACKLOG });
  await call("stack_listen", 0, 80);
  for (let port = 1; port <= BACKLOG + 3; port++) await input({ flags: "S", seq: 100 + port, srcPort: port, mss: 1460 });
  const s = await stats();
  expect(s.halfOpen).toBe(BACKLOG);
  expect(s.synCookiesSent).toBe(3);
}

const SYN_OPTIONS: Partial<Seg> = { mss: 1460, ws: 7, sackPerm: true, ts: [1000, 0] };

/** The legitimate client's handshake; returns the cookie SYN-ACK and the answer to its ACK. */
async function handshake(synOptions: Partial<Seg> = SYN_OPTIONS, ackExtra: Partial<Seg> = {}) {
  const [synAck] = await input({ flags: "S", seq: CLIENT_ISN, srcPort: CLIENT_PORT, ...synOptions });
  expect(synAck!.flags).toBe("SA");
  const ack: Seg = { flags: "A", seq: CLIENT_ISN + 1, ack: synAck!.seq + 1, srcPort: CLIENT_PORT, win: 1000, ...ackExtra };
  if (synAck!.ts !== undefined) ack.ts = [1001, synAck!.ts[0]];
  return { synAck: synAck!, ack, answer: await input(ack) };
}

describe("SYN cookies (RFC 4987 §3.6)", () => {
  it("rfc4987_3_6_a_syn_flood_beyond_the_backlog_does_not_stop_a_legitimate_client", async () => {
    await flooded();
    const { synAck, answer } = await handshake();
    expect(answer).toEqual([]);
    const [id] = (await call("stack_accept")) as number[];
    expect(id).toBeDefined();
    const i = await info(id!);
    expect(i.state).toBe("ESTABLISHED");
    expect((await stats()).synCookiesAccepted).toBe(1);
    // Data flows both ways.
    await input({ flags: "PA", seq: CLIENT_ISN + 1, ack: synAck.seq + 1, srcPort: CLIENT_PORT, ts: [1002, 0], payload: "GET /" });
    expect(await call("tcp_read", id)).toBe("GET /");
    await call("tcp_write", id, pattern(3000));
    const out = (await call("stack_poll")) as string[];
    expect(out.map((p) => decode(p)).map((d) => [d.seq - synAck.seq - 1, d.payload.length])).toEqual([[0, 1448], [1448, 1448], [2896, 104]]);
  });

  it("rfc4987_3_6_window_scale_and_sack_travel_in_the_timestamp", async () => {
    await flooded();
    const { synAck } = await handshake();
    expect(synAck.ws).toBeDefined();
    expect(synAck.sackPerm).toBe(true);
    expect(synAck.ts![1]).toBe(1000);
    const [id] = (await call("stack_accept")) as number[];
    const i = await info(id!);
    expect([i.ws, i.snd_wscale, i.sack, i.ts]).toEqual([true, 7, true, true]);
    // Our window is scaled as announced in the SYN-ACK.
    expect(i.rcv_wscale).toBe(synAck.ws);
  });

  it("rfc4987_3_6_without_timestamps_window_scale_and_sack_are_not_offered", async () => {
    await flooded();
    const { synAck } = await handshake({ mss: 1460, ws: 7, sackPerm: true });
    expect([synAck.ws, synAck.sackPerm, synAck.ts]).toEqual([undefined, undefined, undefined]);
    const [id] = (await call("stack_accept")) as number[];
    const i = await info(id!);
    expect([i.ws, i.sack, i.ts, i.smss]).toEqual([false, false, false, 1460]);
  });

  it("rfc4987_3_6_the_cookie_carries_the_mss", async () => {
    await flooded();
    // 1400 is rounded down to 1300, the largest cookie MSS below it.
    await handshake({ mss: 1400 });
    const [id] = (await call("stack_accept")) as number[];
    expect((await info(id!)).smss).toBe(1300);
  });

  it("rfc4987_3_6_data_on_the_completing_ack_is_delivered", async () => {
    await flooded();
    await handshake(SYN_OPTIONS, { flags: "PA", payload: "hello" });
    const [id] = (await call("stack_accept")) as number[];
    expect(await call("tcp_read", id)).toBe("hello");
  });

  it("rfc4987_3_6_a_forged_cookie_ack_is_rejected_with_a_reset", async () => {
    await flooded();
    const { synAck } = await handshake();
    await call("stack_accept");
    // Guessing: a wrong cookie from another port.
    const forged: Seg = { flags: "A", seq: 501, ack: synAck.seq + 12345, srcPort: CLIENT_PORT + 1, ts: [5, synAck.ts![0]] };
    expect(await call("stack_owns", encode(forged))).toBe(false);
    const out = await input(forged);
    expect(out.map((d) => [d.flags, d.seq])).toEqual([["R", synAck.seq + 12345]]);
    const s = await stats();
    expect(s.synCookiesRejected).toBe(1);
    expect(s.connections).toBe(BACKLOG + 1);
  });

  it("rfc4987_3_6_a_cookie_is_good_only_for_its_4_tuple", async () => {
    await flooded();
    const [synAck] = await input({ flags: "S", seq: CLIENT_ISN, srcPort: CLIENT_PORT, ...SYN_OPTIONS });
    const other: Seg = { flags: "A", seq: CLIENT_ISN + 1, ack: synAck!.seq + 1, srcPort: CLIENT_PORT + 1, ts: [1001, synAck!.ts![0]] };
    expect(await call("stack_owns", encode(other))).toBe(false);
    expect(await call("stack_owns", encode({ ...other, srcPort: CLIENT_PORT }))).toBe(true);
  });

  it("rfc4987_3_6_an_expired_cookie_is_rejected", async () => {
    await flooded();
    const [synAck] = await input({ flags: "S", seq: CLIENT_ISN, srcPort: CLIENT_PORT, ...SYN_OPTIONS });
    // Two minutes later (cookies last one to two ticks of a minute), the flood goes on.
    await host.advance(125_000);
    await input({ flags: "S", seq: 9, srcPort: 9, mss: 1460 });
    const late = await input({ flags: "A", seq: CLIENT_ISN + 1, ack: synAck!.seq + 1, srcPort: CLIENT_PORT, ts: [1001, synAck!.ts![0]] });
    expect(late.map((d) => d.flags)).toEqual(["R"]);
    expect((await stats()).synCookiesRejected).toBe(1);
    expect(await call("stack_accept")).toEqual([]);
  });

  it("rfc4987_3_6_cookies_off_drop_syns_beyond_the_backlog", async () => {
    await call("stack_new", { maxHalfOpen: 1, synCookies: false });
    await call("stack_listen", 0, 80);
    await input({ flags: "S", seq: 1, srcPort: 1 });
    expect(await input({ flags: "S", seq: 2, srcPort: 2 })).toEqual([]);
    expect((await stats()).synDropped).toBe(1);
  });
});

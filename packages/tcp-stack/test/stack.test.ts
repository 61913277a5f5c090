// The connection table (stack.ts): demultiplexing by 4-tuple, listeners for
// any address, the SYN backlog bound, resets for segments of no connection
// (RFC 9293 §3.10.7.1), removal of closed connections.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { pattern } from "./support/tcp.ts";
import { decode, encode, ip, LOCAL, REMOTE, type Decoded, type Seg } from "./support/wire.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

const call = async (fn: string, ...args: unknown[]): Promise<unknown> => (await host.call(fn, args))[0];
const decodeAll = (v: unknown): Decoded[] => (Array.isArray(v) ? v.map((p) => decode(p as string)) : []);
const input = async (seg: Seg): Promise<Decoded[]> => decodeAll(await call("stack_input", encode(seg)));
const stats = async (): Promise<Record<string, number>> => (await call("stack_stats")) as Record<string, number>;

/** Handshake from remote port `port` (with timestamps from `tsVal` when given); returns the accepted connection's id. */
async function open(port: number, dstAddr = LOCAL.addr, tsVal?: number): Promise<number> {
  const [sa] = await input({ flags: "S", seq: 100, mss: 1460, srcPort: port, dstAddr, ...(tsVal === undefined ? {} : { ts: [tsVal, 0] as [number, number] }) });
  expect(sa!.flags).toBe("SA");
  await input({ flags: "A", seq: 101, ack: sa!.seq + 1, srcPort: port, dstAddr, ...(tsVal === undefined ? {} : { ts: [tsVal, sa!.ts![0]] as [number, number] }) });
  const ids = (await call("stack_accept")) as number[];
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

describe("connection table", () => {
  it("rfc9293_3_5_listener_spawns_a_connection_per_syn", async () => {
    await call("stack_new", { socket: { iss: 1000 } });
    await call("stack_listen", 0, 80);
    const a = await open(1111);
    const b = await open(2222);
    expect(a).not.toBe(b);
    expect((await stats()).connections).toBe(2);
    // Data goes to the connection of its 4-tuple.
    await input({ flags: "PA", seq: 101, ack: 1001, srcPort: 2222, payload: "to b" });
    expect(await call("tcp_read", b)).toBe("to b");
    expect(await call("tcp_read", a)).toBe("");
  });

  it("rfc9293_3_5_any_address_listener_answers_as_the_address_asked", async () => {
    await call("stack_new", {});
    await call("stack_listen", 0, 80);
    const origin = ip(198, 18, 2, 9);
    const [sa] = await input({ flags: "S", seq: 100, dstAddr: origin });
    expect(sa!.srcAddr).toBe(origin);
  });

  it("rfc9293_3_10_7_1_segment_for_no_connection_gets_rst", async () => {
    await call("stack_new", {});
    await call("stack_listen", 0, 80);
    const out = await input({ flags: "A", seq: 5, ack: 77, dstPort: 81 });
    expect(out.map((d) => [d.flags, d.seq, d.srcPort, d.dstPort])).toEqual([["R", 77, 81, REMOTE.port]]);
    expect((await stats()).resetsSent).toBe(1);
  });

  it("syn_for_no_listener_is_ignored", async () => {
    await call("stack_new", {});
    await call("stack_listen", 0, 80);
    expect(await input({ flags: "S", seq: 5, dstPort: 81 })).toEqual([]);
    expect((await stats()).connections).toBe(0);
  });

  it("syn_backlog_bounds_half_open_connections", async () => {
    // Without SYN cookies a full backlog drops SYNs (with them, see syn-cookies.test.ts).
    await call("stack_new", { maxHalfOpen: 2, synCookies: false });
    await call("stack_listen", 0, 80);
    for (const port of [1, 2, 3]) await input({ flags: "S", seq: 100, srcPort: port });
    const s = await stats();
    expect(s.halfOpen).toBe(2);
    expect(s.synDropped).toBe(1);
  });

  it("connection_limit_bounds_the_table", async () => {
    await call("stack_new", { maxConnections: 1, socket: { iss: 1000 } });
    await call("stack_listen", 0, 80);
    await open(1);
    expect(await input({ flags: "S", seq: 100, srcPort: 2 })).toEqual([]);
    expect((await stats()).synDropped).toBe(1);
  });

  it("closed_connections_leave_the_table", async () => {
    await call("stack_new", { socket: { iss: 1000 } });
    await call("stack_listen", 0, 80);
    await open(1111);
    await input({ flags: "R", seq: 101, srcPort: 1111 });
    expect((await stats()).connections).toBe(0);
  });

  it("written_data_goes_out_at_the_next_poll", async () => {
    await call("stack_new", { socket: { iss: 1000 } });
    await call("stack_listen", 0, 80);
    const id = await open(1111);
    expect(await call("tcp_write", id, pattern(100))).toBe(100);
    const out = decodeAll(await call("stack_poll"));
    expect(out.map((d) => [d.flags, d.seq, d.payload.length, d.dstPort])).toEqual([["PA", 1001, 100, 1111]]);
  });

  it("rfc9293_3_5_active_open_through_the_table", async () => {
    await call("stack_new", { socket: { iss: 1000 } });
    const [id, pkts] = await host.call("stack_connect", [LOCAL.addr, 5555, REMOTE.addr, 80]);
    const [syn] = decodeAll(pkts);
    expect(syn!.flags).toBe("S");
    const out = await input({ flags: "SA", seq: 9000, ack: 1001, srcPort: 80, dstPort: 5555, mss: 1460 });
    expect(out.map((d) => d.flags)).toEqual(["A"]);
    expect(((await call("tcp_info", id)) as Record<string, unknown>).state).toBe("ESTABLISHED");
  });
});

describe("TIME-WAIT and a new SYN of the same 4-tuple", () => {
  /** The stack closes first, the remote answers FIN-ACK: the connection from `port` sits in TIME-WAIT. */
  async function inTimeWait(port: number, tsVal?: number): Promise<number> {
    await call("stack_new", { socket: { iss: 1000 } });
    await call("stack_listen", 0, 80);
    const id = await open(port, LOCAL.addr, tsVal);
    const [fin] = decodeAll(await call("tcp_close", id));
    expect(fin!.flags).toBe("FA");
    const ts = tsVal === undefined ? {} : { ts: [tsVal + 1, fin!.ts![0]] as [number, number] };
    await input({ flags: "FA", seq: 101, ack: fin!.seq + 1, srcPort: port, ...ts });
    expect(((await call("tcp_info", id)) as Record<string, unknown>).state).toBe("TIME-WAIT");
    return id;
  }

  it("rfc1122_4_2_2_13_syn_beyond_rcv_nxt_reopens_the_connection", async () => {
    const old = await inTimeWait(1111);
    const out = await input({ flags: "S", seq: 5000, mss: 1460, srcPort: 1111 });
    expect(out.map((d) => [d.flags, d.ack])).toEqual([["SA", 5001]]);
    expect(((await call("tcp_info", old)) as Record<string, unknown>).state).toBe("CLOSED");
    await input({ flags: "A", seq: 5001, ack: out[0]!.seq + 1, srcPort: 1111 });
    expect(await call("stack_accept")).toHaveLength(1);
    expect((await stats()).connections).toBe(1);
  });

  it("rfc9293_3_10_7_4_old_syn_in_time_wait_gets_an_ack_and_changes_nothing", async () => {
    const old = await inTimeWait(1111);
    // Sequence 50 is below RCV.NXT (102): a duplicate from the past, not a new connection.
    const out = await input({ flags: "S", seq: 50, mss: 1460, srcPort: 1111 });
    expect(out.map((d) => [d.flags, d.ack])).toEqual([["A", 102]]);
    expect(((await call("tcp_info", old)) as Record<string, unknown>).state).toBe("TIME-WAIT");
  });

  it("rfc6191_2_newer_timestamp_reopens_even_with_a_lower_sequence_number", async () => {
    await inTimeWait(1111, 7000);
    const out = await input({ flags: "S", seq: 50, mss: 1460, ts: [9000, 0], srcPort: 1111 });
    expect(out.map((d) => d.flags)).toEqual(["SA"]);
  });

  it("rfc6191_2_older_timestamp_does_not_reopen_even_with_a_higher_sequence_number", async () => {
    const old = await inTimeWait(1111, 7000);
    const out = await input({ flags: "S", seq: 5000, mss: 1460, ts: [6000, 0], srcPort: 1111 });
    expect(out.map((d) => d.flags)).not.toContain("SA");
    expect(((await call("tcp_info", old)) as Record<string, unknown>).state).toBe("TIME-WAIT");
  });
});

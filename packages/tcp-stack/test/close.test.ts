// Closing: RFC 9293 §3.6 (active, passive and simultaneous close, half
// close), §3.10.4 CLOSE and §3.10.5 ABORT, TIME-WAIT (§3.4.2, §3.10.7.4).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { established, EV, L, pattern, R, RISN, Sock } from "./support/tcp.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

const flagsSeqAck = (out: { flags: string; seq: number; ack: number }[]): [string, number, number][] =>
  out.map((d) => [d.flags, d.seq, d.ack]);

describe("RFC 9293 §3.6 closing", () => {
  it("rfc9293_3_6_active_close_through_time_wait", async () => {
    const { sock } = await established(host);
    expect(flagsSeqAck(await sock.close())).toEqual([["FA", L, R]]);
    expect(await sock.state()).toBe("FIN-WAIT-1");
    await sock.send({ flags: "A", seq: R, ack: L + 1 });
    expect(await sock.state()).toBe("FIN-WAIT-2");
    expect(flagsSeqAck(await sock.send({ flags: "FA", seq: R, ack: L + 1 }))).toEqual([["A", L + 1, R + 1]]);
    expect(await sock.state()).toBe("TIME-WAIT");
    expect((await sock.events()) & EV.PEER_CLOSED).toBe(EV.PEER_CLOSED);
    await sock.advance(59_999);
    expect(await sock.state()).toBe("TIME-WAIT");
    await sock.advance(1);
    expect(await sock.state()).toBe("CLOSED");
    expect((await sock.info()).error ?? null).toBeNull();
  });

  it("rfc9293_3_6_passive_close", async () => {
    const { sock } = await established(host);
    expect(flagsSeqAck(await sock.send({ flags: "FA", seq: R, ack: L }))).toEqual([["A", L, R + 1]]);
    expect(await sock.state()).toBe("CLOSE-WAIT");
    expect((await sock.events()) & EV.PEER_CLOSED).toBe(EV.PEER_CLOSED);
    expect(flagsSeqAck(await sock.close())).toEqual([["FA", L, R + 1]]);
    expect(await sock.state()).toBe("LAST-ACK");
    expect(await sock.send({ flags: "A", seq: R + 1, ack: L + 1 })).toEqual([]);
    expect(await sock.state()).toBe("CLOSED");
    expect((await sock.events()) & EV.CLOSED).toBe(EV.CLOSED);
  });

  it("rfc9293_3_6_simultaneous_close_through_closing", async () => {
    const { sock } = await established(host);
    await sock.close();
    expect(flagsSeqAck(await sock.send({ flags: "FA", seq: R, ack: L }))).toEqual([["A", L + 1, R + 1]]);
    expect(await sock.state()).toBe("CLOSING");
    await sock.send({ flags: "A", seq: R + 1, ack: L + 1 });
    expect(await sock.state()).toBe("TIME-WAIT");
  });

  it("rfc9293_3_10_7_4_fin_acking_our_fin_goes_straight_to_time_wait", async () => {
    const { sock } = await established(host);
    await sock.close();
    await sock.send({ flags: "FA", seq: R, ack: L + 1 });
    expect(await sock.state()).toBe("TIME-WAIT");
  });

  it("rfc9293_3_10_4_fin_follows_queued_data", async () => {
    const { sock } = await established(host);
    await sock.write(pattern(2000));
    const out = await sock.close();
    expect(out.map((d) => [d.flags, d.seq, d.payload.length])).toEqual([["A", L, 1460], ["FPA", L + 1460, 540]]);
  });

  it("rfc9293_3_10_4_close_in_close_wait_sends_remaining_data_then_fin", async () => {
    const { sock } = await established(host, {}, { mss: 1460, win: 1000 });
    await sock.send({ flags: "FA", seq: R, ack: L, win: 1000 });
    await sock.write(pattern(1500));
    expect((await sock.poll()).map((d) => d.payload.length)).toEqual([1000]);
    const out = await sock.close();
    expect(out).toEqual([]);
    const rest = await sock.send({ flags: "A", seq: R + 1, ack: L + 1000, win: 1000 });
    expect(rest.map((d) => [d.flags, d.payload.length])).toEqual([["FPA", 500]]);
    expect(await sock.state()).toBe("LAST-ACK");
  });

  it("rfc9293_3_6_half_close_still_receives", async () => {
    const { sock } = await established(host);
    await sock.close();
    await sock.send({ flags: "A", seq: R, ack: L + 1 });
    await sock.send({ flags: "PA", seq: R, ack: L + 1, payload: "late data" });
    expect((await sock.read()).toString()).toBe("late data");
    expect(await sock.state()).toBe("FIN-WAIT-2");
  });

  it("fin_wait_2_is_bounded_by_a_timeout", async () => {
    const { sock } = await established(host, { finWait2TimeoutUs: 5_000_000 });
    await sock.close();
    await sock.send({ flags: "A", seq: R, ack: L + 1 });
    await sock.advance(4_999);
    expect(await sock.state()).toBe("FIN-WAIT-2");
    await sock.advance(1);
    expect(await sock.state()).toBe("CLOSED");
  });

  it("rfc9293_3_10_4_write_after_close_is_refused", async () => {
    const { sock } = await established(host);
    await sock.close();
    expect(await sock.write("x")).toBe(-1);
  });

  it("rfc6298_5_fin_is_retransmitted_on_timeout", async () => {
    const { sock } = await established(host);
    await sock.close();
    const out = await sock.advance(200);
    expect(flagsSeqAck(out)).toEqual([["FA", L, R]]);
  });

  it("rfc9293_3_10_7_4_time_wait_acks_retransmitted_fin_and_restarts_timer", async () => {
    const { sock } = await established(host);
    await sock.close();
    await sock.send({ flags: "FA", seq: R, ack: L + 1 });
    await sock.advance(30_000);
    expect(flagsSeqAck(await sock.send({ flags: "FA", seq: R, ack: L + 1 }))).toEqual([["A", L + 1, R + 1]]);
    await sock.advance(59_999);
    expect(await sock.state()).toBe("TIME-WAIT");
    await sock.advance(1);
    expect(await sock.state()).toBe("CLOSED");
  });

  it("rfc9293_3_10_4_close_in_syn_sent_closes_silently", async () => {
    const sock = await Sock.create(host);
    await sock.connect();
    expect(await sock.close()).toEqual([]);
    expect(await sock.state()).toBe("CLOSED");
  });

  it("rfc9293_3_10_4_close_in_syn_received_sends_fin_once_established", async () => {
    const sock = await Sock.create(host);
    await sock.listen();
    await sock.send({ flags: "S", seq: RISN });
    expect(await sock.close()).toEqual([]);
    const out = await sock.send({ flags: "A", seq: R, ack: L });
    expect(flagsSeqAck(out)).toEqual([["FA", L, R]]);
    expect(await sock.state()).toBe("FIN-WAIT-1");
  });

  it("rfc9293_3_10_5_abort_sends_rst_and_closes", async () => {
    const { sock } = await established(host);
    await sock.write(pattern(100));
    await sock.poll();
    const out = await sock.abort();
    expect(out.map((d) => [d.flags, d.seq])).toEqual([["R", L + 100]]);
    expect(await sock.state()).toBe("CLOSED");
  });
});

describe("keep-alive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6)", () => {
  const KA = { keepAliveUs: 10_000_000, keepAliveIntervalUs: 1_000_000, keepAliveProbes: 2 };

  it("rfc1122_4_2_3_6_keep_alive_off_by_default", async () => {
    const { sock } = await established(host);
    expect(await sock.advance(7_200_000)).toEqual([]);
    expect(await sock.state()).toBe("ESTABLISHED");
  });

  it("rfc1122_4_2_3_6_idle_connection_is_probed_and_answer_restarts_idle_time", async () => {
    const { sock } = await established(host, KA);
    expect(await sock.advance(9_999)).toEqual([]);
    const probe = await sock.advance(1);
    expect(probe.map((d) => [d.flags, d.seq, d.payload.length])).toEqual([["A", L - 1, 0]]);
    await sock.send({ flags: "A", seq: R, ack: L });
    expect(await sock.advance(9_999)).toEqual([]);
    expect((await sock.advance(1)).map((d) => d.seq)).toEqual([L - 1]);
  });

  it("rfc1122_4_2_3_6_unanswered_probes_close_the_connection", async () => {
    const { sock } = await established(host, KA);
    await sock.advance(10_000);
    await sock.advance(1_000);
    expect(await sock.state()).toBe("ESTABLISHED");
    await sock.advance(1_000);
    expect(await sock.state()).toBe("CLOSED");
    expect((await sock.info()).error).toBe("timeout");
  });
});

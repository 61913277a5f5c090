// Resets and blind-attack defences: RFC 5961 §3 (RST), §4 (SYN), §5 (ACK),
// and RFC 9293 §3.10.7.4's checks on ACKs.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { established, EV, L, R, RISN, Sock } from "./support/tcp.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

describe("RFC 5961", () => {
  it("rfc5961_3_2_rst_at_rcv_nxt_resets_the_connection", async () => {
    const { sock } = await established(host);
    expect(await sock.send({ flags: "R", seq: R })).toEqual([]);
    expect(await sock.state()).toBe("CLOSED");
    expect((await sock.info()).error).toBe("reset");
    expect((await sock.events()) & (EV.RESET | EV.CLOSED)).toBe(EV.RESET | EV.CLOSED);
  });

  it("rfc5961_3_2_rst_in_window_gets_a_challenge_ack", async () => {
    const { sock } = await established(host);
    const out = await sock.send({ flags: "R", seq: R + 1000 });
    expect(out.map((d) => [d.flags, d.seq, d.ack])).toEqual([["A", L, R]]);
    expect(await sock.state()).toBe("ESTABLISHED");
    expect((await sock.info()).challengeAcks).toBe(1);
  });

  it("rfc5961_3_2_rst_outside_window_is_ignored", async () => {
    const { sock } = await established(host);
    expect(await sock.send({ flags: "R", seq: R + 100000 })).toEqual([]);
    expect(await sock.send({ flags: "R", seq: R - 1 })).toEqual([]);
    expect(await sock.state()).toBe("ESTABLISHED");
  });

  it("rfc5961_4_2_syn_in_established_gets_a_challenge_ack", async () => {
    const { sock } = await established(host);
    const out = await sock.send({ flags: "S", seq: R + 10 });
    expect(out.map((d) => [d.flags, d.seq, d.ack])).toEqual([["A", L, R]]);
    expect(await sock.state()).toBe("ESTABLISHED");
  });

  it("rfc5961_4_2_syn_outside_window_gets_an_ack_too", async () => {
    const { sock } = await established(host);
    const out = await sock.send({ flags: "S", seq: R + 900000 });
    expect(out.map((d) => d.flags)).toEqual(["A"]);
    expect(await sock.state()).toBe("ESTABLISHED");
  });

  it("rfc5961_5_2_ack_too_old_gets_a_challenge_ack", async () => {
    const { sock } = await established(host);
    const out = await sock.send({ flags: "PA", seq: R, ack: L - 70000, payload: "x" });
    expect(out.map((d) => d.flags)).toEqual(["A"]);
    expect((await sock.info()).last_drop).toBe("ACK too old");
    expect((await sock.info()).readable).toBe(0);
  });

  it("rfc5961_7_challenge_acks_are_rate_limited", async () => {
    const { sock } = await established(host);
    expect((await sock.send({ flags: "R", seq: R + 1000 })).map((d) => d.flags)).toEqual(["A"]);
    // One per half second (Linux's per-socket limit): the next in-window RST and SYN get nothing.
    expect(await sock.send({ flags: "R", seq: R + 2000 })).toEqual([]);
    expect(await sock.send({ flags: "S", seq: R + 10 })).toEqual([]);
    const i = await sock.info();
    expect([i.challengeAcks, i.challengeAcksLimited]).toEqual([1, 2]);
    expect(await sock.state()).toBe("ESTABLISHED");
  });

  it("rfc5961_7_the_limit_is_per_interval", async () => {
    const { sock } = await established(host, { challengeAckLimit: 2, challengeAckIntervalUs: 100_000 });
    for (let i = 0; i < 3; i++) await sock.send({ flags: "R", seq: R + 1000 + i });
    expect((await sock.info()).challengeAcks).toBe(2);
    await host.advance(100);
    expect((await sock.send({ flags: "R", seq: R + 5000 })).map((d) => d.flags)).toEqual(["A"]);
    expect((await sock.info()).challengeAcks).toBe(3);
  });

  it("rfc9293_3_10_7_4_ack_of_unsent_data_is_answered_and_dropped", async () => {
    const { sock } = await established(host);
    const out = await sock.send({ flags: "PA", seq: R, ack: L + 5, payload: "x" });
    expect(out.map((d) => [d.flags, d.ack])).toEqual([["A", R]]);
    expect((await sock.info()).last_drop).toBe("ACK of unsent data");
    expect((await sock.info()).snd_una).toBe(L);
  });

  it("rfc9293_3_10_7_4_segment_without_ack_is_dropped", async () => {
    const { sock } = await established(host);
    expect(await sock.send({ flags: "P", seq: R, payload: "x" })).toEqual([]);
    expect((await sock.info()).readable).toBe(0);
  });

  it("rfc9293_3_10_7_4_rst_in_time_wait_closes_quietly", async () => {
    const { sock } = await established(host);
    await sock.close();
    await sock.send({ flags: "FA", seq: R, ack: L + 1 });
    await sock.send({ flags: "R", seq: R + 1 });
    expect(await sock.state()).toBe("CLOSED");
    expect((await sock.info()).error ?? null).toBeNull();
  });

  it("rfc9293_3_10_7_1_closed_socket_answers_ack_with_rst", async () => {
    const { sock } = await established(host);
    await sock.send({ flags: "R", seq: R });
    const out = await sock.send({ flags: "A", seq: R, ack: L + 3 });
    expect(out.map((d) => [d.flags, d.seq])).toEqual([["R", L + 3]]);
    expect(await sock.send({ flags: "R", seq: R })).toEqual([]);
  });

  it("rfc9293_3_10_7_4_rst_in_syn_received_closes", async () => {
    const sock = await Sock.create(host);
    await sock.listen();
    await sock.send({ flags: "S", seq: RISN });
    await sock.send({ flags: "R", seq: R });
    expect(await sock.state()).toBe("CLOSED");
  });
});

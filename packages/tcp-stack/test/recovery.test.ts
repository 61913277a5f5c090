// Loss recovery: fast retransmit and fast recovery (RFC 5681 §3.2), NewReno
// partial ACKs (RFC 6582), SACK-based retransmission (RFC 2018, RFC 6675).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { established, L, MSS, pattern, R, seg, type Sock } from "./support/tcp.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

/**
 * These tests pin the algorithms of the RFCs they are named after: Reno's
 * numbers, losses found by counting duplicate ACKs, no limited transmit.
 * CUBIC, RACK-TLP and limited transmit (the defaults) have their own tests.
 */
const CLASSIC = { congestion: "reno", rack: false, limitedTransmit: false };

/** An established sender with ten full segments (the initial window) in flight. */
async function tenInFlight(sack: boolean, extra = 0): Promise<Sock> {
  const { sock } = await established(host, CLASSIC, sack ? { mss: MSS, sackPerm: true } : { mss: MSS });
  await sock.write(pattern(10 * MSS + extra));
  const out = await sock.poll();
  if (out.length !== 10) throw new Error(`expected 10 segments, got ${out.length}`);
  return sock;
}

describe("fast retransmit (RFC 5681 §3.2)", () => {
  it("rfc5681_3_2_two_duplicate_acks_do_not_retransmit", async () => {
    const sock = await tenInFlight(false);
    expect(await sock.send({ flags: "A", seq: R, ack: L })).toEqual([]);
    expect(await sock.send({ flags: "A", seq: R, ack: L })).toEqual([]);
    expect((await sock.info()).dup_acks).toBe(2);
  });

  it("rfc5681_3_2_third_duplicate_ack_retransmits_first_segment", async () => {
    const sock = await tenInFlight(false);
    await sock.send({ flags: "A", seq: R, ack: L });
    await sock.send({ flags: "A", seq: R, ack: L });
    const out = await sock.send({ flags: "A", seq: R, ack: L });
    expect(out.map((d) => [d.seq, d.payload.length])).toEqual([[L, MSS]]);
    expect(out[0]!.payload).toEqual(pattern(MSS));
    const info = await sock.info();
    expect(info.fastRetransmits).toBe(1);
    expect(info.in_recovery).toBe(true);
    expect(info.ssthresh).toBe(7300); // max(FlightSize/2, 2*SMSS)
    expect(info.cwnd).toBe(7300 + 3 * MSS); // ssthresh + 3*SMSS
  });

  it("rfc5681_2_ack_with_data_or_window_change_is_not_duplicate", async () => {
    const sock = await tenInFlight(false);
    await sock.send({ flags: "A", seq: R, ack: L, win: 60000 });
    await sock.send({ flags: "PA", seq: R, ack: L, win: 60000, payload: "x" });
    expect((await sock.info()).dup_acks).toBe(0);
  });

  it("rfc5681_3_2_each_further_duplicate_inflates_cwnd_and_sends_new_data", async () => {
    const sock = await tenInFlight(false, 10 * MSS);
    for (let i = 0; i < 3; i++) await sock.send({ flags: "A", seq: R, ack: L });
    // cwnd 11680 < flight 14600: nothing new yet. Three more duplicates: 16060 > 14600.
    expect(await sock.send({ flags: "A", seq: R, ack: L })).toEqual([]);
    expect(await sock.send({ flags: "A", seq: R, ack: L })).toEqual([]);
    const out = await sock.send({ flags: "A", seq: R, ack: L });
    expect(out.map((d) => d.seq)).toEqual([seg(10)]);
  });

  it("rfc6582_3_2_partial_ack_retransmits_next_hole", async () => {
    const sock = await tenInFlight(false);
    for (let i = 0; i < 3; i++) await sock.send({ flags: "A", seq: R, ack: L });
    // Segments 0 and 4 were lost: the retransmitted 0 brings an ACK up to segment 4.
    const out = await sock.send({ flags: "A", seq: R, ack: seg(4) });
    expect(out.map((d) => [d.seq, d.payload.length])).toEqual([[seg(4), MSS]]);
    const info = await sock.info();
    expect(info.in_recovery).toBe(true);
    expect(info.cwnd).toBe(7300 + 3 * MSS - 4 * MSS + MSS); // deflated by the 4 acked, plus one SMSS
  });

  it("rfc6582_3_2_full_ack_ends_recovery", async () => {
    const sock = await tenInFlight(false);
    for (let i = 0; i < 3; i++) await sock.send({ flags: "A", seq: R, ack: L });
    await sock.send({ flags: "A", seq: R, ack: seg(10) });
    const info = await sock.info();
    expect(info.in_recovery).toBe(false);
    expect(info.cwnd).toBe(Math.min(7300, MSS + MSS)); // min(ssthresh, max(FlightSize, SMSS) + SMSS)
  });

  it("rfc6582_3_2_no_new_recovery_for_losses_before_recover", async () => {
    const sock = await tenInFlight(false, 20 * MSS);
    for (let i = 0; i < 3; i++) await sock.send({ flags: "A", seq: R, ack: L });
    await sock.send({ flags: "A", seq: R, ack: seg(10) }); // full ACK
    // RTO: recover = highest sent; duplicate ACKs below it do not start fast retransmit.
    await sock.advance(1000);
    expect((await sock.info()).rtos).toBe(1);
    for (let i = 0; i < 3; i++) await sock.send({ flags: "A", seq: R, ack: seg(10) });
    expect((await sock.info()).fastRetransmits).toBe(1);
  });
});

describe("SACK (RFC 2018, RFC 6675)", () => {
  it("rfc2018_5_sack_blocks_fill_the_scoreboard", async () => {
    const sock = await tenInFlight(true);
    await sock.send({ flags: "A", seq: R, ack: L, sack: [[seg(1), seg(3)]] });
    await sock.send({ flags: "A", seq: R, ack: L, sack: [[seg(1), seg(3)], [seg(5), seg(6)]] });
    expect((await sock.info()).dup_acks).toBe(2);
  });

  it("rfc6675_5_sack_recovery_retransmits_every_hole_as_pipe_allows", async () => {
    const sock = await tenInFlight(true);
    // Segments 0 and 3 lost.
    const blocks = (upTo: number): [number, number][] => [[seg(4), seg(upTo)], [seg(1), seg(3)]];
    await sock.send({ flags: "A", seq: R, ack: L, sack: [[seg(1), seg(2)]] });
    await sock.send({ flags: "A", seq: R, ack: L, sack: [[seg(1), seg(3)]] });
    let out = await sock.send({ flags: "A", seq: R, ack: L, sack: blocks(5) });
    // The first unacknowledged segment at once (fast retransmit).
    expect(out.map((d) => d.seq)).toEqual([seg(0)]);
    expect((await sock.info()).cwnd).toBe(7300); // RFC 6675: cwnd = ssthresh, no inflation
    // pipe = 14600 - 3 SACKed - 1 lost = 8760 > cwnd: wait. Two more SACKed: pipe 5840, room for the hole.
    out = await sock.send({ flags: "A", seq: R, ack: L, sack: blocks(7) });
    expect(out.map((d) => d.seq)).toEqual([seg(3)]);
    expect(out[0]!.payload).toEqual(pattern(MSS, 3 * MSS));
    // More SACKs do not retransmit the same holes again.
    expect(await sock.send({ flags: "A", seq: R, ack: L, sack: blocks(10) })).toEqual([]);
    expect((await sock.info()).retransmits).toBe(2);
  });

  it("rfc6675_5_sack_recovery_sends_new_data_when_pipe_allows", async () => {
    const sock = await tenInFlight(true, 5 * MSS);
    for (let i = 0; i < 3; i++) await sock.send({ flags: "A", seq: R, ack: L, sack: [[seg(1), seg(2 + i)]] });
    // 8 SACKed, segment 0 retransmitted: pipe = 2 segments, cwnd 5: three new ones.
    let out = await sock.send({ flags: "A", seq: R, ack: L, sack: [[seg(1), seg(9)]] });
    expect(out.map((d) => d.seq)).toEqual([seg(10), seg(11), seg(12)]);
    out = await sock.send({ flags: "A", seq: R, ack: L, sack: [[seg(1), seg(10)]] });
    expect(out.map((d) => d.seq)).toEqual([seg(13)]);
    // The full ACK ends recovery with cwnd = ssthresh.
    await sock.send({ flags: "A", seq: R, ack: seg(13) });
    const info = await sock.info();
    expect(info.in_recovery).toBe(false);
    expect(info.cwnd).toBe(7300);
  });

  it("rfc2018_5_sack_blocks_outside_the_window_are_ignored", async () => {
    const sock = await tenInFlight(true);
    await sock.send({ flags: "A", seq: R, ack: L, sack: [[seg(20), seg(30)]] });
    for (let i = 0; i < 1; i++) await sock.send({ flags: "A", seq: R, ack: L });
    const out = await sock.send({ flags: "A", seq: R, ack: L });
    // No valid SACK information: only the first segment is retransmitted.
    expect(out.map((d) => d.seq)).toEqual([seg(0)]);
  });

  it("rfc2018_8_rto_discards_sack_information", async () => {
    const sock = await tenInFlight(true);
    await sock.send({ flags: "A", seq: R, ack: L, sack: [[seg(1), seg(10)]] });
    await sock.advance(1000);
    // After the timeout the whole window is resent in slow start from SND.UNA, SACKed or not.
    const out = await sock.send({ flags: "A", seq: R, ack: seg(1) });
    expect(out.map((d) => d.seq)).toEqual([seg(1), seg(2)]);
  });
});

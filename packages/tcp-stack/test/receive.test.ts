// Receiving: RFC 9293 §3.10.7.4 (acceptability, trimming, in-order delivery),
// RFC 5681 §4.2 and RFC 9293 §3.8.6.3 (ACK generation, delayed ACKs), out of
// order reassembly and SACK blocks (RFC 2018 §4), the advertised window
// (RFC 9293 §3.8.6.2.2, RFC 7323 §2), PAWS (RFC 7323 §5).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { established, EV, L, pattern, R, Sock } from "./support/tcp.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

describe("in-order data", () => {
  it("rfc9293_3_10_7_4_in_order_data_is_delivered", async () => {
    const { sock } = await established(host);
    await sock.send({ flags: "PA", seq: R, ack: L, payload: "hello" });
    expect((await sock.events()) & EV.READABLE).toBe(EV.READABLE);
    expect((await sock.read()).toString()).toBe("hello");
    expect((await sock.info()).rcv_nxt).toBe(R + 5);
  });

  it("rfc9293_3_8_6_3_delayed_ack_after_ack_delay", async () => {
    const { sock } = await established(host);
    expect(await sock.send({ flags: "PA", seq: R, ack: L, payload: "hello" })).toEqual([]);
    expect(await sock.advance(39)).toEqual([]);
    const out = await sock.advance(1);
    expect(out.map((d) => [d.flags, d.seq, d.ack])).toEqual([["A", L, R + 5]]);
  });

  it("rfc5681_4_2_ack_every_second_full_sized_segment", async () => {
    const { sock } = await established(host);
    expect(await sock.send({ flags: "A", seq: R, ack: L, payload: pattern(1460) })).toEqual([]);
    const out = await sock.send({ flags: "A", seq: R + 1460, ack: L, payload: pattern(1460) });
    expect(out.map((d) => [d.flags, d.ack])).toEqual([["A", R + 2920]]);
  });

  it("rfc9293_3_8_6_3_delayed_ack_off_acks_every_segment", async () => {
    const { sock } = await established(host, { delayedAck: false });
    const out = await sock.send({ flags: "PA", seq: R, ack: L, payload: "x" });
    expect(out.map((d) => d.ack)).toEqual([R + 1]);
  });

  it("rfc9293_3_10_7_4_duplicate_segment_is_acked_and_not_delivered_twice", async () => {
    const { sock } = await established(host);
    await sock.send({ flags: "PA", seq: R, ack: L, payload: "abc" });
    const out = await sock.send({ flags: "PA", seq: R, ack: L, payload: "abc" });
    expect(out.map((d) => [d.flags, d.ack])).toEqual([["A", R + 3]]);
    expect((await sock.read()).toString()).toBe("abc");
    expect((await sock.info()).last_drop).toBe("out of window");
  });

  it("rfc9293_3_10_7_4_overlapping_segment_delivers_only_new_bytes", async () => {
    const { sock } = await established(host);
    await sock.send({ flags: "PA", seq: R, ack: L, payload: "abc" });
    await sock.send({ flags: "PA", seq: R + 1, ack: L, payload: "bcdef" });
    expect((await sock.read()).toString()).toBe("abcdef");
  });

  it("rfc9293_3_10_7_4_segment_beyond_window_is_dropped_with_ack", async () => {
    const { sock } = await established(host);
    const out = await sock.send({ flags: "PA", seq: R + 70000, ack: L, payload: "far" });
    expect(out.map((d) => [d.flags, d.ack])).toEqual([["A", R]]);
    expect((await sock.info()).readable).toBe(0);
  });

  it("rfc9293_3_10_7_4_text_trimmed_to_right_window_edge", async () => {
    const { sock } = await established(host, { recvBufferSize: 4096 });
    await sock.send({ flags: "A", seq: R, ack: L, payload: pattern(5000) });
    expect((await sock.info()).readable).toBe(4096);
    expect(await sock.read()).toEqual(pattern(4096));
  });
});

describe("out-of-order data", () => {
  it("rfc5681_4_2_out_of_order_segment_gets_immediate_duplicate_ack", async () => {
    const { sock } = await established(host);
    const out = await sock.send({ flags: "A", seq: R + 100, ack: L, payload: pattern(100, 100) });
    expect(out.map((d) => [d.flags, d.ack])).toEqual([["A", R]]);
    expect((await sock.info()).readable).toBe(0);
  });

  it("rfc9293_3_10_7_4_hole_filled_reassembles_and_acks_at_once", async () => {
    const { sock } = await established(host);
    await sock.send({ flags: "A", seq: R + 200, ack: L, payload: pattern(100, 200) });
    await sock.send({ flags: "A", seq: R + 100, ack: L, payload: pattern(100, 100) });
    const out = await sock.send({ flags: "A", seq: R, ack: L, payload: pattern(100, 0) });
    expect(out.map((d) => d.ack)).toEqual([R + 300]);
    expect(await sock.read()).toEqual(pattern(300));
  });

  it("rfc9293_3_10_7_4_overlapping_out_of_order_segments_reassemble", async () => {
    const { sock } = await established(host);
    await sock.send({ flags: "A", seq: R + 50, ack: L, payload: pattern(100, 50) });
    await sock.send({ flags: "A", seq: R + 120, ack: L, payload: pattern(100, 120) });
    await sock.send({ flags: "A", seq: R + 10, ack: L, payload: pattern(60, 10) });
    await sock.send({ flags: "A", seq: R, ack: L, payload: pattern(20, 0) });
    expect(await sock.read()).toEqual(pattern(220));
  });

  it("rfc2018_4_duplicate_ack_carries_sack_blocks_latest_first", async () => {
    const { sock } = await established(host, {}, { mss: 1460, sackPerm: true });
    const a = await sock.send({ flags: "A", seq: R + 100, ack: L, payload: pattern(100) });
    expect(a[0]!.sack).toEqual([[R + 100, R + 200]]);
    const b = await sock.send({ flags: "A", seq: R + 300, ack: L, payload: pattern(50) });
    expect(b[0]!.sack).toEqual([[R + 300, R + 350], [R + 100, R + 200]]);
    const c = await sock.send({ flags: "A", seq: R + 200, ack: L, payload: pattern(100) });
    expect(c[0]!.sack).toEqual([[R + 100, R + 350]]);
  });

  it("rfc2018_4_no_sack_blocks_without_sack_permitted", async () => {
    const { sock } = await established(host);
    const [ack] = await sock.send({ flags: "A", seq: R + 100, ack: L, payload: pattern(100) });
    expect(ack!.sack).toBeUndefined();
  });

  it("reassembly_is_bounded_by_max_out_of_order_blocks", async () => {
    const { sock } = await established(host, { maxOutOfOrderBlocks: 2 });
    for (let i = 1; i <= 4; i++) await sock.send({ flags: "A", seq: R + 100 * i, ack: L, payload: pattern(10) });
    const info = await sock.info();
    expect(info.outOfOrderSegments).toBe(4);
    expect(info.outOfOrderDropped).toBe(2);
  });

  it("rfc9293_3_10_7_4_fin_after_a_hole_waits_for_the_hole", async () => {
    const { sock } = await established(host);
    await sock.send({ flags: "FA", seq: R + 5, ack: L, payload: "world" });
    expect(await sock.state()).toBe("ESTABLISHED");
    const out = await sock.send({ flags: "A", seq: R, ack: L, payload: "hello" });
    expect(out.map((d) => d.ack)).toEqual([R + 11]);
    expect(await sock.state()).toBe("CLOSE-WAIT");
    expect((await sock.read()).toString()).toBe("helloworld");
  });
});

describe("advertised window", () => {
  it("rfc9293_3_8_6_2_2_window_shrinks_as_buffer_fills", async () => {
    const { sock } = await established(host, { recvBufferSize: 8192, delayedAck: false });
    const [ack] = await sock.send({ flags: "A", seq: R, ack: L, payload: pattern(3000) });
    expect(ack!.win).toBe(8192 - 3000);
  });

  it("rfc9293_3_8_6_2_2_zero_window_then_update_after_read", async () => {
    const { sock } = await established(host, { recvBufferSize: 4096, delayedAck: false });
    const [ack] = await sock.send({ flags: "A", seq: R, ack: L, payload: pattern(4096) });
    expect(ack!.win).toBe(0);
    // A zero window: data at RCV.NXT is not accepted, but the ACK is answered.
    const probe = await sock.send({ flags: "A", seq: R + 4096, ack: L, payload: "z" });
    expect(probe.map((d) => [d.ack, d.win])).toEqual([[R + 4096, 0]]);
    await sock.read(100);
    expect(await sock.poll()).toEqual([]); // too small an increase to announce (receiver SWS avoidance)
    await sock.read();
    const update = await sock.poll();
    expect(update.map((d) => [d.flags, d.ack, d.win])).toEqual([["A", R + 4096, 4096]]);
  });

  it("rfc7323_2_3_advertised_window_is_scaled", async () => {
    const { sock } = await established(host, { recvBufferSize: 1 << 20, delayedAck: false }, { mss: 1460, ws: 2 });
    expect((await sock.info()).rcv_wscale).toBe(5);
    const [ack] = await sock.send({ flags: "A", seq: R, ack: L, payload: pattern(1000) });
    expect(ack!.win).toBe(((1 << 20) - 1024) >> 5);
  });

  it("rfc9293_3_10_7_4_zero_window_probe_is_answered_with_an_ack", async () => {
    const { sock } = await established(host);
    const out = await sock.send({ flags: "A", seq: R - 1, ack: L });
    expect(out.map((d) => [d.flags, d.seq, d.ack, d.win])).toEqual([["A", L, R, 65535]]);
  });
});

describe("timestamps (RFC 7323)", () => {
  const TS = { mss: 1460, ts: [100, 0] as [number, number] };

  it("rfc7323_4_3_ts_recent_updated_and_echoed", async () => {
    const { sock } = await established(host, { delayedAck: false }, TS);
    const [ack] = await sock.send({ flags: "PA", seq: R, ack: L, payload: "a", ts: [150, 0] });
    expect(ack!.ts![1]).toBe(150);
  });

  it("rfc7323_5_3_paws_drops_old_timestamp_with_ack", async () => {
    const { sock } = await established(host, { delayedAck: false }, TS);
    await sock.send({ flags: "PA", seq: R, ack: L, payload: "a", ts: [200, 0] });
    const out = await sock.send({ flags: "PA", seq: R + 1, ack: L, payload: "b", ts: [199, 0] });
    expect(out.map((d) => [d.flags, d.ack])).toEqual([["A", R + 1]]);
    expect((await sock.info()).last_drop).toBe("PAWS");
    expect((await sock.read()).toString()).toBe("a");
  });

  it("rfc7323_5_3_paws_compares_modulo_2_32", async () => {
    const { sock } = await established(host, { delayedAck: false }, { mss: 1460, ts: [0xfffffff0, 0] });
    await sock.send({ flags: "PA", seq: R, ack: L, payload: "a", ts: [0xfffffff8, 0] });
    await sock.send({ flags: "PA", seq: R + 1, ack: L, payload: "b", ts: [5, 0] });
    expect((await sock.read()).toString()).toBe("ab");
  });

  it("rfc7323_3_2_segment_without_timestamp_is_dropped", async () => {
    const { sock } = await established(host, { delayedAck: false }, TS);
    expect(await sock.send({ flags: "PA", seq: R, ack: L, payload: "a" })).toEqual([]);
    expect((await sock.info()).last_drop).toBe("missing timestamp");
  });
});

describe("sequence space wrap", () => {
  it("rfc9293_3_4_receive_across_2_32", async () => {
    const { sock } = await established(host, { delayedAck: false }, { mss: 1460 });
    // Move the remote sequence close to 2^32 by using a fresh connection with a high ISN.
    const hi = await (async () => {
      const s = await Sock.create(host, { delayedAck: false });
      await s.listen();
      await s.send({ flags: "S", seq: 0xffffff00, mss: 1460 });
      await s.send({ flags: "A", seq: 0xffffff01, ack: L });
      return s;
    })();
    const out1 = await hi.send({ flags: "A", seq: 0xffffff01, ack: L, payload: pattern(1000) });
    expect(out1[0]!.ack).toBe((0xffffff01 + 1000) % 2 ** 32);
    const out2 = await hi.send({ flags: "A", seq: (0xffffff01 + 1000) % 2 ** 32, ack: L, payload: pattern(1000, 1000) });
    expect(out2[0]!.ack).toBe((0xffffff01 + 2000) % 2 ** 32);
    expect(await hi.read()).toEqual(pattern(2000));
    expect(await sock.state()).toBe("ESTABLISHED");
  });

  it("rfc9293_3_4_out_of_order_across_2_32", async () => {
    const s = await Sock.create(host, { delayedAck: false });
    await s.listen();
    await s.send({ flags: "S", seq: 0xfffffff0, mss: 1460, sackPerm: true });
    await s.send({ flags: "A", seq: 0xfffffff1, ack: L });
    const [dup] = await s.send({ flags: "A", seq: 0xfffffff1 + 100 - 2 ** 32, ack: L, payload: pattern(50, 100) });
    expect(dup!.ack).toBe(0xfffffff1);
    expect(dup!.sack).toEqual([[0xfffffff1 + 100 - 2 ** 32, 0xfffffff1 + 150 - 2 ** 32]]);
    await s.send({ flags: "A", seq: 0xfffffff1, ack: L, payload: pattern(100) });
    expect(await s.read()).toEqual(pattern(150));
  });
});

describe("segments longer than the MSS (GRO: the engine may deliver them whole)", () => {
  const MSS = 1460;

  it("rfc9293_3_10_7_4_an_in_window_segment_of_several_mss_is_accepted", async () => {
    const { sock } = await established(host, {}, { mss: MSS, win: 65535 });
    const out = await sock.send({ flags: "A", seq: R, ack: L, payload: pattern(20 * MSS) });
    // More than two full segments: acknowledged at once (RFC 5681 §4.2).
    expect(out.map((d) => d.ack)).toEqual([R + 20 * MSS]);
    expect(await sock.read()).toEqual(pattern(20 * MSS));
  });

  it("rfc9293_3_10_7_4_a_long_segment_is_trimmed_to_the_window", async () => {
    const { sock } = await established(host, { recvBufferSize: 8 * MSS }, { mss: MSS });
    const out = await sock.send({ flags: "A", seq: R, ack: L, payload: pattern(20 * MSS) });
    expect(out.map((d) => d.ack)).toEqual([R + 8 * MSS]);
    expect(await sock.read()).toEqual(pattern(8 * MSS));
  });

  it("rfc2018_4_a_long_out_of_order_segment_is_held_and_sacked", async () => {
    const { sock } = await established(host, {}, { mss: MSS, sackPerm: true });
    const [dup] = await sock.send({ flags: "A", seq: R + MSS, ack: L, payload: pattern(30 * MSS, MSS) });
    expect(dup!.sack).toEqual([[R + MSS, R + 31 * MSS]]);
    const [full] = await sock.send({ flags: "A", seq: R, ack: L, payload: pattern(MSS) });
    expect(full!.ack).toBe(R + 31 * MSS);
    expect(await sock.read()).toEqual(pattern(31 * MSS));
  });

  it("rfc9293_3_10_7_4_one_out_of_order_block_holds_a_whole_window_of_segments", async () => {
    // The reassembler's bound counts holes, not segments: 60 segments after one hole are one block.
    const { sock } = await established(host, { maxOutOfOrderBlocks: 2, recvBufferSize: 1 << 20 }, { mss: MSS, sackPerm: true, ws: 7 });
    for (let i = 1; i <= 60; i++) await sock.send({ flags: "A", seq: R + i * MSS, ack: L, payload: pattern(MSS, i * MSS) });
    expect((await sock.info()).outOfOrderDropped).toBe(0);
    await sock.send({ flags: "A", seq: R, ack: L, payload: pattern(MSS) });
    expect(await sock.read()).toEqual(pattern(61 * MSS));
  });
});

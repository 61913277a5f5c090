// Sending: RFC 6928 initial window, RFC 5681 slow start and congestion
// avoidance, the peer's window (RFC 9293 §3.8.6, RFC 7323 scaling), Nagle
// (RFC 9293 §3.7.4), zero windows and the persist timer (§3.8.6.1), the
// retransmission timer (RFC 6298), segmentation offload units.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { established, L, pattern, R, RISN, Sock } from "./support/tcp.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

describe("segmentation and the initial window", () => {
  it("rfc6928_2_initial_window_is_ten_segments", async () => {
    const { sock } = await established(host);
    expect(await sock.write(pattern(30000))).toBe(30000);
    const out = await sock.poll();
    expect(out).toHaveLength(10);
    expect(out.map((d) => d.payload.length)).toEqual(Array(10).fill(1460));
    expect(out.map((d) => d.seq)).toEqual(Array.from({ length: 10 }, (_, i) => L + 1460 * i));
    expect(Buffer.concat(out.map((d) => d.payload))).toEqual(pattern(14600));
    expect((await sock.info()).cwnd).toBe(14600);
  });

  it("rfc9293_3_7_1_segments_leave_room_for_timestamps", async () => {
    const { sock } = await established(host, {}, { mss: 1460, ts: [1, 0] });
    await sock.write(pattern(3000));
    const out = await sock.poll();
    expect(out.map((d) => d.payload.length)).toEqual([1448, 1448, 104]);
    // TS.Recent is the handshake ACK's TSval (2), echoed on every segment.
    expect(out.every((d) => d.ts !== undefined && d.ts[1] === 2)).toBe(true);
  });

  it("rfc9293_3_9_1_psh_on_the_last_segment_of_a_write", async () => {
    const { sock } = await established(host);
    await sock.write(pattern(2000));
    const out = await sock.poll();
    expect(out.map((d) => d.flags)).toEqual(["A", "PA"]);
  });

  it("write_accepts_engine_byte_arrays", async () => {
    const { sock } = await established(host);
    const [n] = await host.call("tcp_write_bytes", [sock.id, pattern(3000)]);
    expect(n).toBe(3000);
    const out = await sock.poll();
    expect(Buffer.concat(out.map((d) => d.payload))).toEqual(pattern(3000));
  });

  it("rfc9293_3_1_checksum_covers_data_written_in_pieces_of_odd_length", async () => {
    // Strings and byte arrays of odd lengths: segments gather them (no copy) and sum them right.
    for (const config of [{}, { segmentOffloadBytes: 65536 }]) {
      const { sock } = await established(host, config, { mss: 1460, win: 65535 });
      const data = pattern(4000);
      const cuts = [0, 7, 1008, 1011, 2511, 4000];
      for (let i = 0; i + 1 < cuts.length; i++) {
        const piece = data.subarray(cuts[i]!, cuts[i + 1]!);
        await host.call(i % 2 === 0 ? "tcp_write" : "tcp_write_bytes", [sock.id, piece]);
      }
      const out = await sock.poll(); // decode() checks every checksum
      expect(Buffer.concat(out.map((d) => d.payload))).toEqual(data);
    }
  });

  it("send_buffer_is_bounded", async () => {
    const { sock } = await established(host, { sendBufferSize: 5000 });
    expect(await sock.write(pattern(4000))).toBe(4000);
    expect(await sock.write(pattern(4000))).toBe(1000);
    expect(await sock.write("x")).toBe(0);
  });

  it("send_buffer_grows_to_twice_cwnd_when_it_holds_the_sender_back", async () => {
    const { sock } = await established(host, { sendBufferSize: 8000 });
    expect(await sock.write(pattern(20000))).toBe(8000);
    await sock.poll();
    // All 8000 bytes in flight, less than cwnd: the buffer, not cwnd, limits the sender.
    await sock.send({ flags: "A", seq: R, ack: L + 8000 });
    const { cwnd, send_buffer } = await sock.info();
    expect(send_buffer).toBe(2 * (cwnd as number));
    expect(await sock.write(pattern(20000))).toBe(20000);
  });

  it("send_buffer_stays_when_cwnd_is_the_limit", async () => {
    const { sock } = await established(host, { sendBufferSize: 20000 });
    await sock.write(pattern(30000));
    await sock.poll(); // cwnd (10 segments) in flight
    await sock.send({ flags: "A", seq: R, ack: L + 1460 });
    expect((await sock.info()).send_buffer).toBe(20000);
  });

  it("segment_offload_emits_super_segments_of_whole_mss", async () => {
    const { sock } = await established(host, { segmentOffloadBytes: 65536 }, { mss: 1460, win: 65535 });
    await sock.write(pattern(30000));
    const out = await sock.poll();
    expect(out.map((d) => d.payload.length)).toEqual([14600]);
    expect(out[0]!.payload).toEqual(pattern(14600));
  });
});

describe("congestion window (RFC 5681)", () => {
  it("rfc5681_3_1_slow_start_grows_cwnd_per_ack", async () => {
    const { sock } = await established(host);
    await sock.write(pattern(60000));
    await sock.poll();
    const out = await sock.send({ flags: "A", seq: R, ack: L + 2920 });
    expect((await sock.info()).cwnd).toBe(14600 + 2920);
    // 2920 acknowledged, cwnd grew by 2920: four new segments.
    expect(out.map((d) => d.seq)).toEqual([0, 1, 2, 3].map((i) => L + 14600 + 1460 * i));
  });

  it("rfc5681_3_1_congestion_avoidance_adds_one_smss_per_window", async () => {
    const { sock } = await established(host, { congestion: "reno" }, { mss: 1460, sackPerm: true });
    await sock.write(pattern(200000));
    await sock.poll();
    // Force congestion avoidance with a loss: three duplicate ACKs, then the full ACK
    // (with SACK, recovery ends with cwnd = ssthresh, RFC 6675 §5).
    for (let i = 0; i < 3; i++) await sock.send({ flags: "A", seq: R, ack: L });
    await sock.send({ flags: "A", seq: R, ack: L + 14600 });
    const { cwnd, ssthresh } = await sock.info();
    expect(ssthresh).toBe(7300);
    expect(cwnd).toBe(7300);
    let acked = L + 14600;
    const before = (await sock.info()).snd_max as number;
    // Acknowledge one full window's worth in segments: cwnd grows by exactly one SMSS.
    for (let i = 0; i < 5; i++) {
      acked += 1460;
      await sock.send({ flags: "A", seq: R, ack: acked });
    }
    expect((await sock.info()).cwnd).toBe(7300 + 1460);
    expect(before).toBeGreaterThanOrEqual(acked);
  });
});

describe("the peer's window", () => {
  it("rfc9293_3_8_6_sender_stays_within_the_peer_window", async () => {
    const { sock } = await established(host, {}, { mss: 1460, win: 3000 });
    await sock.write(pattern(10000));
    const out = await sock.poll();
    // 2 full segments; the 80 bytes left would be a silly window (RFC 9293 §3.8.6.2.1).
    expect(out.map((d) => d.payload.length)).toEqual([1460, 1460]);
  });

  it("rfc7323_2_3_peer_window_is_scaled", async () => {
    const { sock } = await established(host, {}, { mss: 1460, ws: 2, win: 1000 });
    // The SYN's window is not scaled; the handshake ACK's (1000 << 2) is.
    expect((await sock.info()).snd_wnd).toBe(4000);
    await sock.write(pattern(20000));
    expect((await sock.poll()).map((d) => d.payload.length)).toEqual([1460, 1460]);
    const more = await sock.send({ flags: "A", seq: R, ack: L + 2920, win: 2000 });
    expect(more.map((d) => d.payload.length)).toEqual([1460, 1460, 1460, 1460, 1460]);
  });

  it("rfc9293_3_8_6_1_zero_window_persist_probe_with_backoff", async () => {
    const { sock } = await established(host, {}, { mss: 1460, win: 0 });
    await sock.write(pattern(5000));
    expect(await sock.poll()).toEqual([]);
    const rto = (await sock.info()).rto as number;
    expect(await sock.advance(rto / 1000 - 1)).toEqual([]);
    const probe = await sock.advance(1);
    expect(probe.map((d) => [d.flags, d.seq, d.payload.length])).toEqual([["A", L - 1, 0]]);
    expect(await sock.advance((2 * rto) / 1000 - 1)).toEqual([]);
    expect((await sock.advance(1)).map((d) => d.seq)).toEqual([L - 1]);
    expect((await sock.info()).windowProbes).toBe(2);
    // The window opens: data flows, probing stops.
    const data = await sock.send({ flags: "A", seq: R, ack: L, win: 65535 });
    expect(data.map((d) => d.payload.length)).toEqual([1460, 1460, 1460, 620]);
    expect((await sock.info()).persist_at).toBe(-1);
  });

  it("rfc9293_3_7_4_nagle_holds_small_segments_while_data_is_unacked", async () => {
    const { sock } = await established(host);
    await sock.write("a");
    expect((await sock.poll()).map((d) => d.payload.toString())).toEqual(["a"]);
    await sock.write("b");
    await sock.write("c");
    expect(await sock.poll()).toEqual([]);
    const out = await sock.send({ flags: "A", seq: R, ack: L + 1 });
    expect(out.map((d) => d.payload.toString())).toEqual(["bc"]);
  });

  it("rfc9293_3_7_4_nagle_off_sends_small_segments_at_once", async () => {
    const { sock } = await established(host, { nagle: false });
    await sock.write("a");
    await sock.poll();
    await sock.write("b");
    expect((await sock.poll()).map((d) => d.payload.toString())).toEqual(["b"]);
  });
});

describe("retransmission timer (RFC 6298)", () => {
  it("rfc6298_2_2_first_rtt_sample", async () => {
    const sock = await Sock.create(host);
    await sock.connect();
    await host.advance(30);
    await sock.send({ flags: "SA", seq: RISN, ack: L, mss: 1460 });
    const info = await sock.info();
    expect(info.srtt).toBe(30000);
    expect(info.rttvar).toBe(15000);
    expect(info.rto).toBe(200000); // 30 + 4*15 = 90 ms, raised to the 200 ms minimum
  });

  it("rfc6298_2_3_later_samples_smooth", async () => {
    const { sock } = await established(host, { minRtoUs: 1000 });
    await sock.write(pattern(100));
    await sock.poll();
    await host.advance(80);
    await sock.send({ flags: "A", seq: R, ack: L + 100 });
    const info = await sock.info();
    // Handshake sample 0; then 80 ms: RTTVAR = 0 - 0 + 80000/4, SRTT = 0 + 80000/8.
    expect(info.rttvar).toBe(20000);
    expect(info.srtt).toBe(10000);
    expect(info.rto).toBe(10000 + 80000);
  });

  it("rfc6298_5_4_rto_retransmits_earliest_segment_and_backs_off", async () => {
    // Reno's ssthresh (RFC 5681 §3.1 equation 4); CUBIC's is in cubic.test.ts.
    const { sock } = await established(host, { congestion: "reno" });
    await sock.write(pattern(3000));
    await sock.poll();
    const rto = (await sock.info()).rto as number;
    const first = await sock.advance(rto / 1000);
    expect(first.map((d) => [d.seq, d.payload.length])).toEqual([[L, 1460]]);
    const info = await sock.info();
    expect(info.rto).toBe(rto * 2);
    expect(info.cwnd).toBe(1460);
    expect(info.ssthresh).toBe(2920);
    expect(info.rtos).toBe(1);
    expect(await sock.advance((2 * rto) / 1000 - 1)).toEqual([]);
    expect((await sock.advance(1)).map((d) => d.seq)).toEqual([L]);
  });

  it("rfc5681_3_1_after_rto_go_back_n_in_slow_start", async () => {
    const { sock } = await established(host);
    await sock.write(pattern(5840));
    await sock.poll();
    await sock.advance(200);
    const out = await sock.send({ flags: "A", seq: R, ack: L + 1460 });
    // cwnd 1460 + 1460 (slow start): the next two segments are resent.
    expect(out.map((d) => d.seq)).toEqual([L + 1460, L + 2920]);
  });

  it("rfc6298_3_karn_no_sample_from_a_retransmitted_segment", async () => {
    const { sock } = await established(host);
    const before = await sock.info();
    await sock.write(pattern(100));
    await sock.poll();
    await sock.advance(200);
    await host.advance(7);
    await sock.send({ flags: "A", seq: R, ack: L + 100 });
    const after = await sock.info();
    expect(after.srtt).toBe(before.srtt);
    expect(after.rto).toBe(400000); // the backed-off RTO is kept (RFC 6298 §5.7)
  });

  it("rfc6298_5_2_timer_stops_when_all_data_is_acked", async () => {
    const { sock } = await established(host);
    await sock.write(pattern(100));
    await sock.poll();
    expect((await sock.info()).rto_at).toBeGreaterThan(0);
    await sock.send({ flags: "A", seq: R, ack: L + 100 });
    expect((await sock.info()).rto_at).toBe(-1);
  });

  it("rfc9293_3_8_3_gives_up_after_max_retries", async () => {
    const { sock } = await established(host, { maxRetries: 2 });
    await sock.write(pattern(100));
    await sock.poll();
    await sock.advance(200);
    await sock.advance(400);
    await sock.advance(800);
    expect(await sock.state()).toBe("CLOSED");
    expect((await sock.info()).error).toBe("timeout");
  });
});

describe("sequence space wrap", () => {
  it("rfc9293_3_4_send_across_2_32", async () => {
    const iss = 0xfffffc00;
    const sock = await Sock.create(host, { iss });
    await sock.listen();
    await sock.send({ flags: "S", seq: RISN, mss: 1460 });
    await sock.send({ flags: "A", seq: R, ack: iss + 1 });
    expect(await sock.state()).toBe("ESTABLISHED");
    await sock.write(pattern(3000));
    const out = await sock.poll();
    expect(out.map((d) => d.seq)).toEqual([iss + 1, iss + 1 + 1460 - 2 ** 32, iss + 1 + 2920 - 2 ** 32]);
    await sock.send({ flags: "A", seq: R, ack: (iss + 1 + 3000) % 2 ** 32 });
    const info = await sock.info();
    expect(info.send_queued).toBe(0);
    expect(info.snd_una).toBe((iss + 1 + 3000) % 2 ** 32);
    expect(info.rto_at).toBe(-1);
  });
});

describe("what held the sender back (timed, as Linux's tcp_chrono)", () => {
  it("send_limits_charge_waiting_time_to_cwnd_window_buffer_or_application", async () => {
    const cases: [Record<string, unknown>, number, number, string][] = [
      [{}, 65535, 30000, "cwnd_limited_us"], // more than the initial window
      [{}, 3000, 10000, "rwnd_limited_us"], // the peer's window is 3000 bytes
      [{ sendBufferSize: 10000 }, 65535, 10000, "sndbuf_limited_us"], // all sent, the buffer full
      [{}, 65535, 5000, "app_limited_us"], // all sent, room for more
    ];
    for (const [config, win, bytes, limit] of cases) {
      const { sock } = await established(host, config, { mss: 1460, win });
      await sock.write(pattern(bytes));
      await sock.poll();
      await host.advance(7);
      const i = await sock.info();
      for (const key of ["cwnd_limited_us", "rwnd_limited_us", "sndbuf_limited_us", "app_limited_us"]) {
        expect(i[key], `${limit}: ${key}`).toBe(key === limit ? 7000 : 0);
      }
    }
  });
});

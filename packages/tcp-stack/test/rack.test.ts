// RACK-TLP (RFC 8985) and D-SACK (RFC 2883) on the sender: losses found by
// time, lost retransmissions, the reordering window, tail loss probes. The
// test plays the receiver with literal ACKs; the handshake takes 10 ms, so
// SRTT is 10 ms and ACKs arrive 10 ms after the data they acknowledge.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { L, MSS, pattern, R, RISN, seg, Sock } from "./support/tcp.ts";
import type { Seg } from "./support/wire.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

const RTT_MS = 10;

/** A sender in ESTABLISHED with SACK (no timestamps), SRTT 10 ms, `segments` full segments just sent. */
async function sending(segments: number, config: Record<string, unknown> = {}, extra = 0): Promise<Sock> {
  const sock = await Sock.create(host, config);
  await sock.listen();
  await sock.send({ flags: "S", seq: RISN, win: 65535, mss: MSS, sackPerm: true });
  await host.advance(RTT_MS);
  await sock.send({ flags: "A", seq: R, ack: L, win: 65535 });
  await sock.write(pattern(segments * MSS + extra));
  const out = await sock.poll();
  if (out.length !== Math.min(Math.ceil((segments * MSS + extra) / MSS), 10)) throw new Error(`sent ${out.length} segments`);
  return sock;
}

const ack = (upTo: number, sack?: [number, number][], extra: Partial<Seg> = {}): Seg =>
  ({ flags: "A", seq: R, ack: upTo, win: 65535, ...(sack ? { sack } : {}), ...extra });
const seqs = (out: { seq: number }[]): number[] => out.map((d) => d.seq);

describe("RACK (RFC 8985 §6)", () => {
  it("rfc8985_6_2_a_segment_is_lost_once_a_later_one_is_delivered_and_the_reordering_window_passes", async () => {
    const sock = await sending(10);
    await host.advance(RTT_MS);
    // Segment 1 arrived, segment 0 did not: maybe reordered. Wait min_RTT/4 = 2.5 ms.
    expect(await sock.send(ack(L, [[seg(1), seg(2)]]))).toEqual([]);
    const i = await sock.info();
    expect(i.lost_bytes).toBe(0);
    expect((i.reorder_at as number) - ((await host.call("tcp_now"))[0] as number)).toBe(2500);
    await host.advance(2);
    expect(seqs(await sock.advance(1))).toEqual([seg(0)]);
    expect((await sock.info()).fastRetransmits).toBe(1);
  });

  it("rfc8985_6_2_with_three_segments_sacked_the_reordering_window_is_zero", async () => {
    const sock = await sending(10);
    await host.advance(RTT_MS);
    const out = await sock.send(ack(L, [[seg(1), seg(4)]]));
    expect(seqs(out)).toEqual([seg(0)]);
  });

  it("rfc8985_6_2_a_late_original_shows_reordering_and_keeps_the_window", async () => {
    const sock = await sending(10);
    await host.advance(RTT_MS);
    await sock.send(ack(L, [[seg(1), seg(2)]]));
    // Segment 0 turns up before the timer: it was reordered, not lost.
    await sock.send(ack(seg(2)));
    expect((await sock.info()).reordering_seen).toBe(true);
    // Now even three SACKed segments above a hole leave it its reordering window.
    expect(await sock.send(ack(seg(2), [[seg(3), seg(6)]]))).toEqual([]);
    expect((await sock.info()).reorder_at).toBeGreaterThan(0);
  });

  it("rfc8985_6_2_a_lost_retransmission_is_detected_and_sent_again", async () => {
    const sock = await sending(10, {}, 10 * MSS);
    await host.advance(RTT_MS);
    expect(seqs(await sock.send(ack(L, [[seg(1), seg(4)]])))).toEqual([seg(0)]);
    // More SACKs open the pipe: new data goes out after the retransmission.
    await host.advance(1);
    const fresh = await sock.send(ack(L, [[seg(1), seg(10)]]));
    expect(seqs(fresh)).toContain(seg(10));
    // The new data is delivered, the retransmission sent before it is not: it was lost too.
    await host.advance(RTT_MS);
    const again = await sock.send(ack(L, [[seg(1), seg(11)]]));
    expect(seqs(again)[0]).toBe(seg(0));
    const i = await sock.info();
    expect(i.lostRetransmits).toBe(1);
    expect(i.rtos).toBe(0);
  });

  it("rfc8985_6_2_recovery_sends_every_lost_segment_the_pipe_allows_at_once", async () => {
    const sock = await sending(10, {}, 10 * MSS);
    await host.advance(RTT_MS);
    // Segments 0, 2, 4 lost; the rest SACKed in one ACK: all three go out together (RFC 6675 §5 (C)).
    const out = await sock.send(ack(L, [[seg(5), seg(10)], [seg(3), seg(4)], [seg(1), seg(2)]]));
    expect(seqs(out).slice(0, 3)).toEqual([seg(0), seg(2), seg(4)]);
  });

  it("rfc8985_6_2_dsack_widens_the_reordering_window", async () => {
    const sock = await sending(10, {}, 10 * MSS);
    await host.advance(RTT_MS);
    // Everything acknowledged, with a D-SACK: segment 3 arrived twice (a spurious retransmission).
    await sock.send(ack(seg(10), [[seg(3), seg(4)]]));
    expect((await sock.info()).dsacks).toBe(1);
    await sock.poll();
    await host.advance(RTT_MS);
    await sock.send(ack(seg(10), [[seg(11), seg(12)]]));
    // reo_wnd = 2 * min_RTT / 4.
    expect((await sock.info()).reorder_at as number - ((await host.call("tcp_now"))[0] as number)).toBe(5000);
  });
});

describe("D-SACK (RFC 2883)", () => {
  it("rfc2883_4_a_dsack_block_is_not_new_sack_information", async () => {
    const sock = await sending(10);
    await host.advance(RTT_MS);
    await sock.send(ack(seg(5), [[seg(2), seg(3)]]));
    const i = await sock.info();
    expect(i.dsacks).toBe(1);
    expect(i.sacked_bytes).toBe(0);
    // A first block inside the second is a D-SACK too.
    await sock.send(ack(seg(5), [[seg(7), seg(8)], [seg(6), seg(9)]]));
    expect((await sock.info()).dsacks).toBe(2);
    expect((await sock.info()).sacked_bytes).toBe(3 * MSS);
  });
});

describe("tail loss probe (RFC 8985 §7)", () => {
  const now = async (): Promise<number> => (await host.call("tcp_now"))[0] as number;

  it("rfc8985_7_2_the_probe_timeout_is_two_srtt", async () => {
    const sock = await sending(10);
    // PTO = 2 * SRTT (+ 2 ms of timer slack, as Linux).
    expect((await sock.info()).probe_at as number - (await now())).toBe(2 * RTT_MS * 1000 + 2000);
  });

  it("rfc8985_7_2_a_lone_segment_allows_for_a_delayed_ack", async () => {
    const sock = await sending(0, { minRtoUs: 1_000_000 }, 100);
    expect((await sock.info()).probe_at as number - (await now())).toBe(2 * RTT_MS * 1000 + 2000 + 200_000);
  });

  it("rfc8985_7_3_the_probe_is_new_data_when_the_window_allows", async () => {
    const sock = await sending(10, {}, 5 * MSS);
    const out = await sock.advance(22);
    expect(seqs(out)).toEqual([seg(10)]);
    const i = await sock.info();
    expect(i.lossProbes).toBe(1);
    expect(i.retransmits).toBe(0);
    expect(i.rto_at as number - (await now())).toBe(i.rto);
  });

  it("rfc8985_7_3_without_new_data_the_probe_resends_the_last_segment", async () => {
    const sock = await sending(10);
    const out = await sock.advance(22);
    expect(out.map((d) => [d.seq, d.payload.length])).toEqual([[seg(9), MSS]]);
    expect((await sock.info()).retransmits).toBe(1);
  });

  it("rfc8985_7_3_the_probe_lets_rack_find_the_tail_losses", async () => {
    const sock = await sending(10);
    await host.advance(RTT_MS);
    await sock.send(ack(seg(7)));
    // Segments 7 and 8 lost, 9 too: the probe resends 9, whose SACK shows 7 and 8 missing.
    expect(seqs(await sock.advance(22))).toEqual([seg(9)]);
    await host.advance(RTT_MS);
    const out = await sock.send(ack(seg(7), [[seg(9), seg(10)]]));
    expect(seqs(out)).toEqual([seg(7), seg(8)]);
    expect((await sock.info()).rtos).toBe(0);
  });

  it("rfc8985_7_4_a_probe_that_repaired_a_loss_reduces_cwnd", async () => {
    const sock = await sending(10);
    await sock.advance(22); // the probe resends segment 9
    await host.advance(RTT_MS);
    await sock.send(ack(seg(10)));
    await sock.write(pattern(2 * MSS));
    await sock.poll();
    const cwnd = (await sock.info()).cwnd as number;
    await host.advance(RTT_MS);
    await sock.send(ack(seg(12)));
    const i = await sock.info();
    expect(i.lossProbeRecoveries).toBe(1);
    expect(i.ssthresh).toBe(Math.floor((cwnd * 717) / 1024));
  });

  it("rfc8985_7_4_a_dsack_for_the_probe_shows_it_was_spurious", async () => {
    const sock = await sending(10);
    await sock.advance(22);
    await host.advance(RTT_MS);
    await sock.send(ack(seg(10)));
    // The original segment 9 had arrived: the receiver reports the probe as a duplicate.
    await sock.send(ack(seg(10), [[seg(9), seg(10)]]));
    await sock.write(pattern(2 * MSS));
    await sock.poll();
    await host.advance(RTT_MS);
    await sock.send(ack(seg(12)));
    const i = await sock.info();
    expect(i.lossProbeRecoveries).toBe(0);
    expect(i.ssthresh).toBe(0x7fffffff);
  });

  it("rfc8985_7_no_probe_without_sack_or_with_rack_off", async () => {
    for (const config of [{ sack: false }, { rack: false }]) {
      const sock = await sending(10, config);
      expect((await sock.info()).probe_at).toBe(-1);
    }
  });
});

// Both roles of the stack talking to each other, with one segment of each
// kind lost: each loss must be repaired by the mechanism the RFCs give for
// it, and every byte must arrive. Server -> client transfer, server closes.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { runPair, type Packet, type PairOptions } from "./support/pair.ts";
import { pattern } from "./support/tcp.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

async function transfer(opts: PairOptions): Promise<Awaited<ReturnType<typeof runPair>>> {
  const r = await runPair(host, opts);
  const ctx = `\n${r.log.slice(-30).join("\n")}`;
  expect(r.received.length, ctx).toBe(opts.bytes);
  expect(r.received.equals(pattern(opts.bytes)), "bytes differ").toBe(true);
  expect(r.clientState, ctx).toBe("CLOSED");
  expect(["TIME-WAIT", "CLOSED"], ctx).toContain(r.serverState);
  return r;
}

/** Drops the first packet matching `match`, once. */
function once(match: (p: Packet) => boolean): (p: Packet) => boolean {
  let done = false;
  return (p) => {
    if (done || !match(p)) return false;
    done = true;
    return true;
  };
}

const S2C = (p: Packet): boolean => !p.toServer;
const C2S = (p: Packet): boolean => p.toServer;

describe("no loss", () => {
  it("rfc9293_3_5_both_roles_transfer_and_close", async () => {
    const r = await transfer({ bytes: 100_000 });
    expect(r.dropped).toHaveLength(0);
    expect(r.server.retransmits).toBe(0);
    expect(r.server.ts).toBe(true);
    expect(r.server.sack).toBe(true);
    expect(r.server.ws).toBe(true);
  });

  it("rfc9293_3_5_one_byte_transfer", async () => {
    await transfer({ bytes: 1 });
  });

  it("rfc9293_3_5_transfer_without_any_option", async () => {
    const off = { timestamps: false, sack: false, windowScaling: false };
    const r = await transfer({ bytes: 50_000, client: off, server: off });
    expect(r.server.ts).toBe(false);
    expect(r.server.smss).toBe(1460);
  });

  it("rfc9293_3_4_transfer_across_sequence_wrap_both_ways", async () => {
    // The client's ISS is near 2^32 (see runPair); the server's too here.
    await transfer({ bytes: 300_000, server: { iss: 0xffff0000 } });
  });
});

describe("loss of each kind of segment", () => {
  it("rfc6298_5_lost_syn_is_retransmitted", async () => {
    const r = await transfer({ bytes: 5000, drop: once((p) => C2S(p) && p.seg.flags === "S") });
    expect(r.dropped.map((p) => p.seg.flags)).toEqual(["S"]);
    expect(r.elapsedUs).toBeGreaterThanOrEqual(1_000_000); // the initial RTO
  });

  it("rfc6298_5_lost_syn_ack_is_repaired", async () => {
    const r = await transfer({ bytes: 5000, drop: once((p) => S2C(p) && p.seg.flags === "SA") });
    expect(r.dropped.map((p) => p.seg.flags)).toEqual(["SA"]);
  });

  it("rfc9293_3_10_7_4_lost_handshake_ack_is_recovered", async () => {
    const r = await transfer({ bytes: 5000, drop: once((p) => C2S(p) && p.seg.flags === "A" && p.index === 1) });
    expect(r.dropped).toHaveLength(1);
  });

  it("rfc6298_5_lost_last_data_segment_retransmitted_on_timeout", async () => {
    const r = await transfer({ bytes: 3000, drop: once((p) => S2C(p) && p.seg.payload.length > 0 && p.seg.flags.includes("P")) });
    expect(r.server.rtos).toBe(1);
  });

  it("rfc5681_3_2_lost_data_segment_repaired_by_fast_retransmit", async () => {
    const r = await transfer({ bytes: 200_000, drop: once((p) => S2C(p) && p.seg.payload.length > 0 && p.index === 3) });
    expect(r.server.fastRetransmits).toBe(1);
    expect(r.server.rtos).toBe(0);
  });

  it("rfc6582_lost_data_without_sack_repaired_by_newreno", async () => {
    let n = 0;
    const r = await transfer({
      bytes: 200_000, client: { sack: false },
      drop: (p) => S2C(p) && p.seg.payload.length > 0 && [3, 6].includes(p.index) && n++ < 2,
    });
    expect(r.server.sack).toBe(false);
    expect(r.server.fastRetransmits).toBe(1);
    expect(r.server.rtos).toBe(0);
  });

  it("rfc6675_several_losses_in_one_window_repaired_with_sack", async () => {
    let n = 0;
    const r = await transfer({
      bytes: 200_000,
      drop: (p) => S2C(p) && p.seg.payload.length > 0 && [3, 5, 8].includes(p.index) && n++ < 3,
    });
    expect(r.server.fastRetransmits).toBe(1);
    expect(r.server.rtos).toBe(0);
    expect(r.server.retransmits).toBe(3);
  });

  it("rfc5681_lost_acks_are_covered_by_later_acks", async () => {
    const r = await transfer({ bytes: 100_000, drop: (p) => C2S(p) && p.seg.flags === "A" && p.index % 2 === 0 && p.index > 2 });
    expect(r.server.retransmits).toBe(0);
  });

  it("rfc6298_5_5_lost_retransmission_backs_off_again", async () => {
    let n = 0;
    const r = await transfer({ bytes: 1000, drop: (p) => S2C(p) && p.seg.payload.length > 0 && n++ < 3 });
    expect(r.server.rtos).toBe(3);
    // 200 + 400 + 800 ms of back-off.
    expect(r.elapsedUs).toBeGreaterThanOrEqual(1_400_000);
  });

  it("rfc9293_3_6_lost_fin_is_retransmitted", async () => {
    const r = await transfer({ bytes: 1000, drop: once((p) => S2C(p) && p.seg.flags.includes("F")) });
    expect(r.dropped[0]!.seg.flags).toContain("F");
  });

  it("rfc9293_3_6_lost_client_fin_is_retransmitted", async () => {
    await transfer({ bytes: 1000, drop: once((p) => C2S(p) && p.seg.flags.includes("F")) });
  });

  it("rfc9293_3_6_lost_last_ack_makes_peer_resend_fin_answered_from_time_wait", async () => {
    // The server's ACK of the client's FIN is its last segment.
    let serverFinSeen = false;
    let drops = 0;
    const r = await transfer({
      bytes: 1000,
      drop: (p) => {
        if (S2C(p) && p.seg.flags.includes("F")) serverFinSeen = true;
        return S2C(p) && serverFinSeen && p.seg.flags === "A" && p.seg.payload.length === 0 && drops++ === 0;
      },
    });
    expect(r.dropped).toHaveLength(1);
    expect(r.serverState).toBe("TIME-WAIT");
  });
});

describe("losses that cost a timeout without RACK-TLP (RFC 8985)", () => {
  it("rfc8985_6_2_a_lost_retransmission_is_repaired_without_a_timeout", async () => {
    let seq = -1;
    let drops = 0;
    const r = await transfer({
      bytes: 200_000,
      // Segment 3 and then its first retransmission.
      drop: (p) => {
        if (!S2C(p) || p.seg.payload.length === 0 || drops >= 2) return false;
        if (p.index === 3) seq = p.seg.seq;
        if (p.seg.seq !== seq) return false;
        drops += 1;
        return true;
      },
    });
    expect(r.dropped).toHaveLength(2);
    expect(r.server.rtos).toBe(0);
    expect(r.server.lostRetransmits).toBe(1);
  });

  it("rfc8985_7_tail_losses_are_repaired_by_a_probe_without_a_timeout", async () => {
    const bytes = 30_000; // 20 segments of 1448 bytes and one of 1040
    const firstOfLastThree = 7001 + 18 * 1448;
    let highest = 0;
    const r = await transfer({
      bytes,
      // The last three data segments, the first time they are sent.
      drop: (p) => {
        if (!S2C(p) || p.seg.payload.length === 0) return false;
        const end = p.seg.seq + p.seg.payload.length;
        const original = end > highest;
        if (original) highest = end;
        return original && p.seg.seq >= firstOfLastThree;
      },
    });
    expect(r.dropped.map((p) => p.seg.seq)).toEqual([firstOfLastThree, firstOfLastThree + 1448, firstOfLastThree + 2896]);
    expect(r.server.lossProbes).toBe(1);
    expect(r.server.rtos, JSON.stringify([r.elapsedUs, r.server, r.client])).toBe(0);
    expect(r.elapsedUs).toBeLessThan(200_000);
  });
});

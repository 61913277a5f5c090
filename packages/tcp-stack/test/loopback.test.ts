// Bulk transfers between two sockets of the stack inside Lua (loopback.ts):
// a simulated 1 Gbit/s link with delay and random loss, every byte checked,
// both sides closed. Loss rates as in the interoperability plan.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";

let host: Host;
beforeAll(async () => { host = await createHost(); });
afterAll(() => host.close());

interface Outcome {
  ok: boolean;
  received: number;
  corrupt: boolean;
  time_us: number;
  packets: number;
  lost: number;
  retransmits: number;
  fast_retransmits: number;
  rtos: number;
}

async function loopback(opts: Record<string, unknown>): Promise<Outcome> {
  return (await host.call("tcp_loopback_transfer", [opts]))[0] as Outcome;
}

const KiB = 1024;
const MiB = 1024 * 1024;

describe("loopback transfers", () => {
  it("transfers_1_byte", async () => {
    const r = await loopback({ bytes: 1 });
    expect(r.ok).toBe(true);
  });

  it("transfers_1_KiB", async () => {
    const r = await loopback({ bytes: KiB, delayUs: 1000 });
    expect(r).toMatchObject({ ok: true, received: KiB, retransmits: 0 });
  });

  it("transfers_1_MiB_near_link_rate", async () => {
    const r = await loopback({ bytes: MiB, delayUs: 100 });
    expect(r).toMatchObject({ ok: true, received: MiB, retransmits: 0 });
    // 1 MiB at 1 Gbit/s is 8.4 ms on the wire; slow start adds a few RTTs.
    expect(r.time_us).toBeLessThan(20_000);
  });

  it("transfers_8_MiB_at_link_rate", async () => {
    const r = await loopback({ bytes: 8 * MiB, delayUs: 100 });
    expect(r.ok).toBe(true);
    const mbps = Math.round((8 * MiB * 8) / r.time_us);
    expect(mbps).toBeGreaterThan(850);
  });

  it("rfc5681_transfers_1_MiB_with_1_percent_loss", async () => {
    const r = await loopback({ bytes: MiB, lossPpm: 10_000, delayUs: 1000, seed: 7 });
    expect(r.ok).toBe(true);
    expect(r.lost).toBeGreaterThan(0);
    expect(r.fast_retransmits).toBeGreaterThan(0);
  });

  it("rfc5681_transfers_1_MiB_with_5_percent_loss", async () => {
    const r = await loopback({ bytes: MiB, lossPpm: 50_000, delayUs: 1000, seed: 3 });
    expect(r.ok).toBe(true);
    expect(r.lost).toBeGreaterThan(20);
  });

  it("rfc8985_recovers_5_percent_loss_without_timeouts", async () => {
    const r = await loopback({ bytes: MiB, lossPpm: 50_000, delayUs: 1000, seed: 3 });
    expect(r).toMatchObject({ ok: true, rtos: 0 });
    // Recovery by RTOs took ~3 s here; RACK-TLP needs no timer of 200 ms.
    expect(r.time_us).toBeLessThan(600_000);
  });

  it("rfc9438_8_MiB_with_1_percent_loss_near_the_link_rate", async () => {
    const r = await loopback({ bytes: 8 * MiB, lossPpm: 10_000, delayUs: 100, seed: 11 });
    expect(r).toMatchObject({ ok: true, rtos: 0 });
    // 67 ms on the wire; CUBIC's β = 0.7 and RACK keep the link busy.
    expect(r.time_us).toBeLessThan(200_000);
  });

  it("rfc6582_transfers_1_MiB_with_5_percent_loss_without_sack", async () => {
    const r = await loopback({ bytes: MiB, lossPpm: 50_000, delayUs: 1000, seed: 5, client: { sack: false } });
    expect(r.ok).toBe(true);
  });

  it("transfers_with_no_options_and_small_buffers", async () => {
    const off = { timestamps: false, sack: false, windowScaling: false, recvBufferSize: 16 * KiB, sendBufferSize: 16 * KiB };
    const r = await loopback({ bytes: MiB, lossPpm: 10_000, delayUs: 500, client: off, server: off });
    expect(r.ok).toBe(true);
  });

  it("transfers_with_segmentation_offload_units", async () => {
    const r = await loopback({ bytes: 4 * MiB, delayUs: 100, server: { segmentOffloadBytes: 65536 } });
    expect(r.ok).toBe(true);
    // Super-segments: far fewer sends than MSS-sized packets would need (4 MiB / 1448 = 2897).
    expect(r.packets).toBeLessThan(1500);
  });

  it("transfers_with_segmentation_offload_units_and_2_percent_loss", async () => {
    const r = await loopback({ bytes: 2 * MiB, lossPpm: 20_000, delayUs: 500, seed: 9, server: { segmentOffloadBytes: 65536 } });
    expect(r.ok).toBe(true);
    expect(r.lost).toBeGreaterThan(0);
  });

  it("rfc7323_transfers_with_a_4_MiB_window_across_a_long_path", async () => {
    const big = { recvBufferSize: 4 * MiB, sendBufferSize: 4 * MiB };
    const r = await loopback({ bytes: 16 * MiB, delayUs: 20_000, client: big, server: big });
    expect(r.ok).toBe(true);
    // 40 ms RTT: a 64 KiB window would need > 10 s; a scaled 4 MiB window is near the link rate after slow start.
    expect(r.time_us).toBeLessThan(1_000_000);
  });

  it("transfers_with_delayed_acks_off_and_nagle_off", async () => {
    const r = await loopback({ bytes: 256 * KiB, lossPpm: 20_000, delayUs: 2000, client: { delayedAck: false }, server: { nagle: false } });
    expect(r.ok).toBe(true);
  });
});

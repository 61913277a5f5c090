// CUBIC (RFC 9438) in integers, section by section: the algorithm alone
// (cc_* in congestion-driver.ts), fed ACKs and losses on virtual time; then
// as the sockets' default.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { established, ISS, pattern, RISN } from "./support/tcp.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

const SMSS = 1000;
const call = async (fn: string, ...args: unknown[]): Promise<unknown> => (await host.call(fn, args))[0];
const info = async (id: number): Promise<Record<string, number | string>> => (await call("cc_info", id)) as Record<string, number | string>;
/** cwnd (segments) at the end of each of `rounds` round trips of `rttUs` from `startUs`. */
const rounds = async (id: number, n: number, rttUs: number, startUs = 0): Promise<number[]> =>
  (await call("cc_rounds", id, n, rttUs, SMSS, startUs)) as number[];

/** A CUBIC controller that has just lost at a window of `wMax` segments. */
async function afterLossAt(wMax: number): Promise<number> {
  const id = (await call("cc_new", "cubic", wMax * SMSS)) as number;
  await call("cc_loss", id, wMax * SMSS, SMSS, 0);
  return id;
}

const increments = (w: number[]): number[] => w.slice(1).map((x, i) => x - w[i]!);

describe("CUBIC (RFC 9438)", () => {
  it("rfc9438_4_2_cube_root_is_within_a_fraction_of_a_percent", async () => {
    for (const x of [1, 8, 27, 1000, 12345, 1_000_000, 2 ** 30, 2 ** 40 + 12345, 2 ** 50, 2 ** 52 + 1]) {
      const root = (await call("cc_cubic_root", x)) as number;
      const exact = Math.cbrt(x);
      if (x < 2 ** 20) expect(Math.abs(root - exact), `cbrt(${x})`).toBeLessThanOrEqual(1);
      else expect(Math.abs(root - exact) / exact, `cbrt(${x})`).toBeLessThan(0.003);
    }
  });

  it("rfc9438_4_2_k_is_the_time_to_climb_back_to_w_max", async () => {
    const id = await afterLossAt(100);
    await rounds(id, 1, 100_000);
    // K = cbrt(W_max (1 - β) / C) = cbrt(100 * 0.3 / 0.4) s = 4.22 s, in 1/1024 s.
    const k = (await info(id)).k as number;
    expect(k / 1024).toBeGreaterThan(4.15);
    expect(k / 1024).toBeLessThan(4.28);
  });

  it("rfc9438_4_4_concave_region_slows_down_towards_w_max", async () => {
    const id = await afterLossAt(100);
    // 100 ms RTT: K is 42 rounds away; the window climbs quickly, then ever more slowly.
    const w = await rounds(id, 40, 100_000);
    const d = increments(w);
    const early = d.slice(0, 10).reduce((a, b) => a + b, 0);
    const late = d.slice(25, 35).reduce((a, b) => a + b, 0);
    expect(early).toBeGreaterThan(10);
    expect(late).toBeLessThan(3);
    expect(Math.max(...w)).toBeLessThanOrEqual(100);
    expect(w.at(-1)).toBeGreaterThanOrEqual(99);
  });

  it("rfc9438_4_5_convex_region_speeds_up_beyond_w_max", async () => {
    const id = await afterLossAt(100);
    // 1 s RTT: K is 4 rounds; beyond it each round adds more than the one before.
    const w = await rounds(id, 14, 1_000_000);
    const d = increments(w.slice(5));
    for (let i = 1; i < d.length; i++) expect(d[i], `round ${i + 6}: ${w.join(" ")}`).toBeGreaterThan(d[i - 1]!);
    expect(w.at(-1)).toBeGreaterThan(300);
  });

  it("rfc9438_4_2_window_grows_by_at_most_half_per_rtt", async () => {
    const id = await afterLossAt(100);
    const w = await rounds(id, 16, 1_000_000);
    for (let i = 1; i < w.length; i++) expect(w[i]! / w[i - 1]!).toBeLessThanOrEqual(1.5);
  });

  it("rfc9438_4_3_reno_friendly_region_on_a_short_rtt", async () => {
    const id = await afterLossAt(100);
    // 1 ms RTT: the cubic curve barely moves in 20 ms; W_est grows by α = 3(1-β)/(1+β) ≈ 0.53 per RTT.
    const w = await rounds(id, 20, 1000);
    expect(w.at(-1)! - 70).toBeGreaterThanOrEqual(9);
    expect(w.at(-1)! - 70).toBeLessThanOrEqual(12);
    // Once W_est reaches W_max, α = 1: one segment per RTT, as Reno.
    const more = await rounds(id, 60, 1000, 20_000);
    const d = increments(more.slice(-20));
    expect(d.every((x) => x === 1)).toBe(true);
  });

  it("rfc9438_4_6_multiplicative_decrease_is_beta_0_7", async () => {
    const id = (await call("cc_new", "cubic", 100_000)) as number;
    expect(await call("cc_loss", id, 100_000, SMSS, 0)).toBe(Math.floor((100_000 * 717) / 1024));
    expect((await info(id)).ssthresh).toBe(70_019);
    // Never below 2 SMSS.
    const small = (await call("cc_new", "cubic", 2 * SMSS)) as number;
    expect(await call("cc_loss", small, 2 * SMSS, SMSS, 0)).toBe(2 * SMSS);
  });

  it("rfc9438_4_7_fast_convergence_lowers_w_max", async () => {
    const id = await afterLossAt(100);
    expect((await info(id)).w_max).toBe(100);
    const w = await rounds(id, 20, 1000);
    // A second loss below the previous W_max: W_max = cwnd (1 + β) / 2.
    await call("cc_loss", id, w.at(-1)! * SMSS, SMSS, 20_000);
    const cwndSegments = w.at(-1)!;
    expect((await info(id)).w_max).toBe(Math.floor((cwndSegments * (1024 + 717)) / 2048));
  });

  it("rfc9438_4_8_timeout_restarts_from_the_loss_window_with_k_0", async () => {
    const id = (await call("cc_new", "cubic", 100 * SMSS)) as number;
    await call("cc_rto", id, 100 * SMSS, SMSS, 0);
    const after = await info(id);
    expect(after.cwnd).toBe(SMSS);
    expect(after.ssthresh).toBe(70_019);
    expect(after.w_max).toBe(0);
    // Slow start back to ssthresh, then an epoch with K = 0 from there.
    await rounds(id, 12, 100_000);
    expect((await info(id)).k).toBe(0);
  });

  it("rfc9438_4_10_slow_start_counts_every_acknowledged_byte", async () => {
    // One ACK for a 64 KiB offload unit (45 segments): cwnd grows by all of it (as Linux).
    const cubic = (await call("cc_new", "cubic", 10 * SMSS)) as number;
    const sample = { acked: 45 * SMSS, smss: SMSS, nowUs: 1000, rttUs: 100, minRttUs: 100, ack: 45 * SMSS, sndMax: 90 * SMSS };
    expect(await call("cc_ack", cubic, sample)).toBe(55 * SMSS);
    // Reno keeps RFC 3465's limit of 2 SMSS per ACK.
    const reno = (await call("cc_new", "reno", 10 * SMSS)) as number;
    expect(await call("cc_ack", reno, sample)).toBe(12 * SMSS);
  });

  it("rfc9438_sockets_use_cubic_by_default", async () => {
    const { sock } = await established(host);
    await sock.write(pattern(10 * 1460));
    await sock.poll();
    expect((await sock.info()).congestion).toBe("cubic");
    // Three duplicate ACKs: ssthresh = cwnd * β (RFC 9438 §4.6), not FlightSize / 2.
    for (let i = 0; i < 3; i++) await sock.send({ flags: "A", seq: RISN + 1, ack: ISS + 1 });
    const i = await sock.info();
    expect(i.fastRetransmits).toBe(1);
    expect(i.ssthresh).toBe(Math.floor((14600 * 717) / 1024));
  });
});

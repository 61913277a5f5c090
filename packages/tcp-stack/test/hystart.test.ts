// HyStart++ (RFC 9406) in the initial slow start, driven through a
// congestion controller (cc_* in congestion-driver.ts) with ACKs whose
// sequence numbers mark the rounds and whose RTT samples are chosen.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

const SMSS = 1000;
const MS = 1000;
const call = async (fn: string, ...args: unknown[]): Promise<unknown> => (await host.call(fn, args))[0];

/** A controller with HyStart++ and ACKs arranged in rounds: each round ends when SND.MAX at its start is acknowledged. */
async function hystart(name = "cubic") {
  const id = (await call("cc_new", name, 10 * SMSS, true)) as number;
  let seq = 0;
  let now = 0;
  const state = async () => (await call("cc_info", id)) as Record<string, number | string>;
  return {
    id,
    state,
    /** One round of `n` ACKs of `acked` bytes each, all measuring `rttUs`; returns cwnd after it. */
    async round(n: number, rttUs: number, acked = SMSS): Promise<number> {
      const roundEnd = seq + n * acked;
      let cwnd = 0;
      for (let i = 0; i < n; i++) {
        seq += acked;
        now += 100;
        // SND.MAX is taken to end just past this round's data, so that the next round starts with its first ACK.
        cwnd = (await call("cc_ack", id, { acked, smss: SMSS, nowUs: now, rttUs, minRttUs: 10 * MS, ack: seq, sndMax: roundEnd + 1 })) as number;
      }
      return cwnd;
    },
  };
}

describe("HyStart++ (RFC 9406)", () => {
  it("rfc9406_4_2_rtt_rise_in_a_round_moves_to_conservative_slow_start", async () => {
    const h = await hystart();
    await h.round(8, 20 * MS);
    await h.round(8, 20 * MS);
    expect((await h.state()).hystart).toBe("ss");
    // RttThresh = max(4 ms, min(20 ms / 8, 16 ms)) = 4 ms: a round whose minimum is 24 ms leaves slow start.
    await h.round(8, 24 * MS);
    expect((await h.state()).hystart).toBe("css");
  });

  it("rfc9406_4_2_a_rise_below_rtt_thresh_stays_in_slow_start", async () => {
    const h = await hystart();
    await h.round(8, 20 * MS);
    await h.round(8, 23 * MS);
    expect((await h.state()).hystart).toBe("ss");
  });

  it("rfc9406_4_2_fewer_than_n_rtt_sample_samples_do_not_decide", async () => {
    const h = await hystart();
    await h.round(7, 20 * MS);
    await h.round(7, 40 * MS);
    expect((await h.state()).hystart).toBe("ss");
  });

  it("rfc9406_4_2_css_grows_a_quarter_as_fast", async () => {
    const h = await hystart();
    await h.round(8, 20 * MS);
    await h.round(8, 30 * MS);
    const before = (await h.state()).cwnd as number;
    const after = await h.round(4, 30 * MS, 4 * SMSS);
    // Four ACKs of 4 SMSS each: slow start would add 16 SMSS, CSS adds 4.
    expect(after - before).toBe(4 * SMSS);
  });

  it("rfc9406_4_2_rtt_back_below_the_baseline_resumes_slow_start", async () => {
    const h = await hystart();
    await h.round(8, 20 * MS);
    await h.round(8, 30 * MS);
    expect((await h.state()).hystart).toBe("css");
    await h.round(8, 21 * MS);
    await h.round(1, 21 * MS);
    expect((await h.state()).hystart).toBe("ss");
  });

  it("rfc9406_4_2_css_rounds_end_in_congestion_avoidance", async () => {
    const h = await hystart();
    await h.round(8, 20 * MS);
    await h.round(8, 30 * MS); // CSS from here: this partial round counts as the first
    for (let i = 0; i < 4; i++) await h.round(8, 30 * MS);
    expect((await h.state()).hystart).toBe("css");
    const cwnd = await h.round(1, 30 * MS); // the sixth round starts: five are complete
    const s = await h.state();
    expect(s.hystart).toBe("done");
    expect(s.ssthresh).toBe(cwnd);
  });

  it("rfc9406_4_3_one_ack_grows_cwnd_by_at_most_l_smss", async () => {
    const h = await hystart();
    // L = 8 for a sender that does not pace: an ACK of 20 SMSS adds 8.
    expect(await h.round(1, 20 * MS, 20 * SMSS)).toBe(18 * SMSS);
  });

  it("rfc9406_4_a_loss_ends_hystart", async () => {
    const h = await hystart("reno");
    await h.round(8, 20 * MS);
    await call("cc_loss", h.id, 20 * SMSS, SMSS, 0);
    expect((await h.state()).hystart).toBe("done");
  });
});

// Less common paths of RFC 9293 §3.10.7.4 and RFC 7323 §4.3.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { established, L, pattern, R } from "./support/tcp.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

describe("segment text and FIN", () => {
  it("rfc9293_3_10_7_4_fin_with_data_delivers_the_data_then_closes", async () => {
    const { sock } = await established(host);
    const out = await sock.send({ flags: "FPA", seq: R, ack: L, payload: "last words" });
    expect(out.map((d) => [d.flags, d.ack])).toEqual([["A", R + 11]]);
    expect((await sock.read()).toString()).toBe("last words");
    expect(await sock.state()).toBe("CLOSE-WAIT");
  });

  it("rfc9293_3_10_7_4_text_in_close_wait_is_ignored", async () => {
    const { sock } = await established(host);
    await sock.send({ flags: "FA", seq: R, ack: L });
    await sock.send({ flags: "PA", seq: R + 1, ack: L, payload: "after fin" });
    expect((await sock.info()).readable).toBe(0);
    expect((await sock.info()).rcv_nxt).toBe(R + 1);
  });

  it("rfc9293_3_9_1_urgent_data_is_delivered_inline", async () => {
    const { sock } = await established(host, { delayedAck: false });
    await sock.send({ flags: "UPA", seq: R, ack: L, payload: "urgent" });
    expect((await sock.read()).toString()).toBe("urgent");
  });
});

describe("window updates", () => {
  it("rfc9293_3_10_7_4_window_update_only_from_newer_segments", async () => {
    const { sock } = await established(host);
    await sock.send({ flags: "PA", seq: R, ack: L, payload: pattern(10), win: 30000 });
    await sock.send({ flags: "PA", seq: R + 10, ack: L, payload: pattern(10), win: 40000 });
    // A reordered older segment with a smaller window must not move SND.WND.
    await sock.send({ flags: "A", seq: R, ack: L, win: 0 });
    expect((await sock.info()).snd_wnd).toBe(40000);
  });

  it("rfc9293_3_8_6_peer_shrinking_its_window_stops_new_data", async () => {
    const { sock } = await established(host);
    await sock.write(pattern(30000));
    expect(await sock.poll()).toHaveLength(10);
    const out = await sock.send({ flags: "A", seq: R, ack: L + 1460, win: 2000 });
    expect(out).toEqual([]);
    expect((await sock.info()).snd_wnd).toBe(2000);
  });
});

describe("timestamps", () => {
  it("rfc7323_4_3_out_of_order_segment_does_not_update_ts_recent", async () => {
    const { sock } = await established(host, { delayedAck: false }, { mss: 1460, ts: [100, 0] });
    const [dup] = await sock.send({ flags: "A", seq: R + 100, ack: L, payload: pattern(10), ts: [500, 0] });
    // The handshake ACK carried TSval 101 (see established()); the out-of-order segment is not covered by Last.ACK.sent.
    expect(dup!.ts![1]).toBe(101);
    const [ack] = await sock.send({ flags: "A", seq: R, ack: L, payload: pattern(100), ts: [501, 0] });
    expect(ack!.ts![1]).toBe(501);
  });
});

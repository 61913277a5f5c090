// Opening connections: RFC 9293 §3.5 (both roles), §3.10.7.1-3, option
// negotiation (RFC 9293 §3.7.1 MSS, RFC 7323 window scale and timestamps,
// RFC 2018 SACK-permitted), SYN retransmission (RFC 6298).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { established, EV, ISS, RISN, Sock } from "./support/tcp.ts";
import { LOCAL, REMOTE } from "./support/wire.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

describe("RFC 9293 §3.5 passive open", () => {
  it("rfc9293_3_5_listen_answers_syn_with_syn_ack", async () => {
    const sock = await Sock.create(host);
    await sock.listen();
    const out = await sock.send({ flags: "S", seq: RISN, mss: 1400 });
    expect(out).toHaveLength(1);
    const [sa] = out;
    expect(sa!.flags).toBe("SA");
    expect(sa!.seq).toBe(ISS);
    expect(sa!.ack).toBe(RISN + 1);
    expect(sa!.srcAddr).toBe(LOCAL.addr);
    expect(sa!.dstAddr).toBe(REMOTE.addr);
    expect(sa!.dstPort).toBe(REMOTE.port);
    expect(sa!.mss).toBe(1460);
    expect(await sock.state()).toBe("SYN-RECEIVED");
  });

  it("rfc9293_3_5_handshake_ack_establishes", async () => {
    const { sock } = await established(host);
    expect(await sock.state()).toBe("ESTABLISHED");
    expect((await sock.events()) & EV.CONNECTED).toBe(EV.CONNECTED);
    const info = await sock.info();
    expect(info.snd_una).toBe(ISS + 1);
    expect(info.rcv_nxt).toBe(RISN + 1);
  });

  it("rfc9293_3_10_7_2_listen_answers_ack_with_rst", async () => {
    const sock = await Sock.create(host);
    await sock.listen();
    const out = await sock.send({ flags: "A", seq: 77, ack: 4242 });
    expect(out.map((d) => [d.flags, d.seq])).toEqual([["R", 4242]]);
    expect(await sock.state()).toBe("LISTEN");
  });

  it("rfc9293_3_10_7_2_listen_ignores_rst", async () => {
    const sock = await Sock.create(host);
    await sock.listen();
    expect(await sock.send({ flags: "R", seq: 77 })).toEqual([]);
    expect(await sock.state()).toBe("LISTEN");
  });

  it("rfc9293_3_10_7_2_listen_only_for_its_address", async () => {
    const sock = await Sock.create(host);
    await sock.listen();
    expect(await sock.send({ flags: "S", seq: RISN, dstAddr: LOCAL.addr + 1 })).toEqual([]);
    expect((await sock.info()).last_drop).toBe("not this address");
  });

  it("rfc9293_3_5_listen_on_any_address_answers_as_that_address", async () => {
    const sock = await Sock.create(host);
    await sock.listen(0, 80);
    const other = LOCAL.addr + 7;
    const [sa] = await sock.send({ flags: "S", seq: RISN, dstAddr: other });
    expect(sa!.srcAddr).toBe(other);
  });

  it("rfc9293_3_10_7_1_closed_socket_answers_syn_with_rst_ack", async () => {
    const sock = await Sock.create(host);
    await sock.listen();
    await sock.close();
    const out = await sock.send({ flags: "S", seq: RISN, dstPort: 80 });
    expect(out.map((d) => [d.flags, d.seq, d.ack])).toEqual([["RA", 0, RISN + 1]]);
  });

  it("rfc9293_3_10_7_4_syn_ack_retransmitted_on_duplicate_syn", async () => {
    const sock = await Sock.create(host);
    await sock.listen();
    await sock.send({ flags: "S", seq: RISN });
    const again = await sock.send({ flags: "S", seq: RISN });
    expect(again.map((d) => [d.flags, d.seq, d.ack])).toEqual([["SA", ISS, RISN + 1]]);
  });

  it("rfc9293_3_10_7_4_bad_ack_in_syn_received_gets_rst", async () => {
    const sock = await Sock.create(host);
    await sock.listen();
    await sock.send({ flags: "S", seq: RISN });
    const out = await sock.send({ flags: "A", seq: RISN + 1, ack: ISS + 50 });
    expect(out.map((d) => [d.flags, d.seq])).toEqual([["R", ISS + 50]]);
    expect(await sock.state()).toBe("SYN-RECEIVED");
  });
});

describe("RFC 9293 §3.5 active open", () => {
  it("rfc9293_3_5_connect_sends_syn_with_options", async () => {
    const sock = await Sock.create(host);
    const [syn] = await sock.connect();
    expect(syn!.flags).toBe("S");
    expect(syn!.seq).toBe(ISS);
    expect(syn!.dstAddr).toBe(REMOTE.addr);
    expect(syn!.mss).toBe(1460);
    expect(syn!.ws).toBe(3); // 256 KiB buffer needs a shift of 3
    expect(syn!.sackPerm).toBe(true);
    expect(syn!.ts).toBeDefined();
    expect(syn!.ts![1]).toBe(0);
    expect(await sock.state()).toBe("SYN-SENT");
  });

  it("rfc9293_3_10_7_3_syn_ack_establishes_and_is_acked", async () => {
    const sock = await Sock.create(host);
    await sock.connect();
    const out = await sock.send({ flags: "SA", seq: RISN, ack: ISS + 1, srcAddr: REMOTE.addr, mss: 1400, ws: 7, sackPerm: true, ts: [900, 0] });
    expect(out.map((d) => [d.flags, d.seq, d.ack])).toEqual([["A", ISS + 1, RISN + 1]]);
    expect(await sock.state()).toBe("ESTABLISHED");
    const info = await sock.info();
    expect(info.snd_wscale).toBe(7);
    expect(info.smss).toBe(1400 - 12);
    expect(info.ts).toBe(true);
    expect(info.sack).toBe(true);
    expect(out[0]!.ts![1]).toBe(900);
  });

  it("rfc9293_3_10_7_3_unacceptable_ack_in_syn_sent_gets_rst", async () => {
    const sock = await Sock.create(host);
    await sock.connect();
    const out = await sock.send({ flags: "SA", seq: RISN, ack: ISS + 9 });
    expect(out.map((d) => [d.flags, d.seq])).toEqual([["R", ISS + 9]]);
    expect(await sock.state()).toBe("SYN-SENT");
  });

  it("rfc9293_3_10_7_3_rst_with_acceptable_ack_refuses_connection", async () => {
    const sock = await Sock.create(host);
    await sock.connect();
    await sock.send({ flags: "RA", seq: 0, ack: ISS + 1 });
    expect(await sock.state()).toBe("CLOSED");
    expect((await sock.info()).error).toBe("refused");
    expect((await sock.events()) & EV.RESET).toBe(EV.RESET);
  });

  it("rfc5961_3_2_rst_without_ack_in_syn_sent_is_ignored", async () => {
    const sock = await Sock.create(host);
    await sock.connect();
    await sock.send({ flags: "R", seq: RISN });
    expect(await sock.state()).toBe("SYN-SENT");
  });

  it("rfc9293_3_5_simultaneous_open", async () => {
    const sock = await Sock.create(host, { timestamps: false });
    await sock.connect();
    const out = await sock.send({ flags: "S", seq: RISN, mss: 1460 });
    expect(out.map((d) => [d.flags, d.seq, d.ack])).toEqual([["SA", ISS, RISN + 1]]);
    expect(await sock.state()).toBe("SYN-RECEIVED");
    await sock.send({ flags: "SA", seq: RISN, ack: ISS + 1, mss: 1460 });
    expect(await sock.state()).toBe("ESTABLISHED");
  });

  it("rfc6298_5_syn_retransmitted_with_backoff_then_gives_up", async () => {
    const sock = await Sock.create(host, { maxSynRetries: 2 });
    await sock.connect();
    expect(await sock.advance(999)).toEqual([]);
    const first = await sock.advance(1);
    expect(first.map((d) => [d.flags, d.seq])).toEqual([["S", ISS]]);
    expect(await sock.advance(1999)).toEqual([]);
    expect((await sock.advance(1)).map((d) => d.flags)).toEqual(["S"]);
    expect(await sock.advance(3999)).toEqual([]);
    expect(await sock.advance(1)).toEqual([]);
    expect(await sock.state()).toBe("CLOSED");
    expect((await sock.info()).error).toBe("timeout");
  });

  it("rfc6298_5_syn_ack_retransmitted_on_timeout", async () => {
    const sock = await Sock.create(host);
    await sock.listen();
    await sock.send({ flags: "S", seq: RISN });
    const out = await sock.advance(1000);
    expect(out.map((d) => [d.flags, d.seq, d.ack])).toEqual([["SA", ISS, RISN + 1]]);
    expect((await sock.info()).retransmits).toBe(1);
  });
});

describe("option negotiation", () => {
  it("rfc9293_3_7_1_no_mss_option_means_536", async () => {
    const { sock } = await established(host, {}, {});
    expect((await sock.info()).smss).toBe(536);
  });

  it("rfc9293_3_7_1_send_mss_is_the_smaller_of_both", async () => {
    const { sock } = await established(host, {}, { mss: 9000 });
    expect((await sock.info()).smss).toBe(1460);
  });

  it("rfc7323_2_2_window_scale_only_when_both_offer_it", async () => {
    const { sock, synAck } = await established(host, {}, { mss: 1460 });
    expect(synAck.ws).toBeUndefined();
    const info = await sock.info();
    expect(info.ws).toBe(false);
    expect(info.rcv_wscale).toBe(0);
  });

  it("rfc7323_2_2_window_scale_negotiated", async () => {
    const { sock, synAck } = await established(host, {}, { mss: 1460, ws: 5 });
    expect(synAck.ws).toBe(3);
    const info = await sock.info();
    expect(info.snd_wscale).toBe(5);
    expect(info.rcv_wscale).toBe(3);
  });

  it("rfc7323_2_3_shift_above_14_is_treated_as_14", async () => {
    const { sock } = await established(host, {}, { mss: 1460, ws: 20 });
    expect((await sock.info()).snd_wscale).toBe(14);
  });

  it("rfc7323_2_2_syn_window_is_never_scaled", async () => {
    const { synAck } = await established(host, {}, { mss: 1460, ws: 5 });
    expect(synAck.win).toBe(65535);
  });

  it("rfc7323_3_2_timestamps_echoed_in_syn_ack", async () => {
    const { sock, synAck } = await established(host, {}, { mss: 1460, ts: [12345, 0] });
    expect(synAck.ts![1]).toBe(12345);
    expect((await sock.info()).ts).toBe(true);
  });

  it("rfc2018_2_sack_permitted_only_when_offered", async () => {
    const a = await established(host, {}, { mss: 1460, sackPerm: true });
    expect(a.synAck.sackPerm).toBe(true);
    const b = await established(host, {}, { mss: 1460 });
    expect(b.synAck.sackPerm).toBeUndefined();
  });

  it("rfc2018_2_sack_disabled_by_config", async () => {
    const { synAck } = await established(host, { sack: false }, { mss: 1460, sackPerm: true });
    expect(synAck.sackPerm).toBeUndefined();
  });
});

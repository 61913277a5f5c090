// Limited transmit (RFC 3042): on the first two duplicate ACKs a new
// segment goes out, so that a small window still gets the third duplicate
// ACK fast retransmit needs; with SACK, RFC 6675 §5 step (3) lets pipe
// decide. Reno's numbers, so that FlightSize shows in ssthresh.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { established, L, MSS, pattern, R, seg, type Sock } from "./support/tcp.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

const RENO = { congestion: "reno", rack: false };

async function tenInFlight(sack: boolean, config: Record<string, unknown> = RENO): Promise<Sock> {
  const { sock } = await established(host, config, sack ? { mss: MSS, sackPerm: true } : { mss: MSS });
  await sock.write(pattern(20 * MSS));
  expect(await sock.poll()).toHaveLength(10);
  return sock;
}

describe("limited transmit (RFC 3042)", () => {
  it("rfc3042_2_first_two_duplicate_acks_each_send_a_new_segment", async () => {
    const sock = await tenInFlight(false);
    expect((await sock.send({ flags: "A", seq: R, ack: L })).map((d) => d.seq)).toEqual([seg(10)]);
    expect((await sock.send({ flags: "A", seq: R, ack: L })).map((d) => d.seq)).toEqual([seg(11)]);
    // The third starts fast retransmit; limited transmit sends nothing more.
    const third = await sock.send({ flags: "A", seq: R, ack: L });
    expect(third.map((d) => d.seq)).toEqual([seg(0)]);
  });

  it("rfc3042_2_limited_transmit_data_is_not_part_of_flight_size", async () => {
    const sock = await tenInFlight(false);
    for (let i = 0; i < 3; i++) await sock.send({ flags: "A", seq: R, ack: L });
    // ssthresh = FlightSize / 2 of the ten segments sent before the losses (RFC 5681 §3.2 step 2).
    expect((await sock.info()).ssthresh).toBe(5 * MSS);
  });

  it("rfc3042_2_off_sends_nothing_on_duplicate_acks", async () => {
    const sock = await tenInFlight(false, { ...RENO, limitedTransmit: false });
    expect(await sock.send({ flags: "A", seq: R, ack: L })).toEqual([]);
    expect(await sock.send({ flags: "A", seq: R, ack: L })).toEqual([]);
  });

  it("rfc6675_5_3_with_sack_new_data_goes_out_as_pipe_allows", async () => {
    const sock = await tenInFlight(true);
    // One segment SACKed: pipe drops by one, one new segment fits.
    const out = await sock.send({ flags: "A", seq: R, ack: L, sack: [[seg(1), seg(2)]] });
    expect(out.map((d) => d.seq)).toEqual([seg(10)]);
    // A duplicate ACK without new SACK information frees nothing.
    expect(await sock.send({ flags: "A", seq: R, ack: L, sack: [[seg(1), seg(2)]] })).toEqual([]);
  });
});

// Malformed packets are dropped, each with its reason, and never answered
// (RFC 9293 §3.1 checksum and data offset; RFC 9293 §3.2 option lengths).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { established, L, R } from "./support/tcp.ts";
import { encode } from "./support/wire.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

async function rejected(pkt: Buffer, reason: string): Promise<void> {
  const { sock } = await established(host);
  expect(await sock.sendRaw(pkt)).toEqual([]);
  const info = await sock.info();
  expect(info.last_drop).toBe(reason);
  expect(info.readable).toBe(0);
  expect(info.state).toBe("ESTABLISHED");
}

describe("malformed segments", () => {
  it("rfc9293_3_1_bad_checksum_is_dropped", async () => {
    const pkt = encode({ flags: "PA", seq: R, ack: L, payload: "data" });
    pkt[pkt.length - 1] ^= 0x01;
    await rejected(pkt, "bad checksum");
  });

  it("rfc9293_3_1_checksum_covers_the_pseudo_header", async () => {
    const pkt = encode({ flags: "PA", seq: R, ack: L, payload: "data" });
    // Change the IPv4 source (and fix the IPv4 header checksum): the TCP checksum no longer matches.
    pkt[15] = 7;
    pkt.writeUInt16BE(0, 10);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += pkt.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    pkt.writeUInt16BE(~sum & 0xffff, 10);
    const { sock } = await established(host);
    expect(await sock.sendRaw(pkt)).toEqual([]);
    expect((await sock.info()).last_drop).toBe("bad checksum");
  });

  it("rfc9293_3_1_data_offset_below_five_is_dropped", async () => {
    const pkt = encode({ flags: "PA", seq: R, ack: L, payload: "data" });
    pkt[32] = (4 << 4) | (pkt[32]! & 0x0f);
    await rejected(pkt, "bad data offset");
  });

  it("rfc9293_3_1_data_offset_past_the_segment_is_dropped", async () => {
    const pkt = encode({ flags: "PA", seq: R, ack: L, payload: "data" });
    pkt[32] = (15 << 4) | (pkt[32]! & 0x0f);
    await rejected(pkt, "bad data offset");
  });

  it("rfc9293_3_2_truncated_option_is_dropped", async () => {
    await rejected(encode({ flags: "A", seq: R, ack: L }, Buffer.from([1, 1, 2, 4])), "truncated options");
  });

  it("rfc9293_3_2_option_length_below_two_is_dropped", async () => {
    await rejected(encode({ flags: "A", seq: R, ack: L }, Buffer.from([8, 1, 1, 1])), "bad option length");
  });

  it("rfc9293_3_2_option_kind_without_length_byte_is_dropped", async () => {
    await rejected(encode({ flags: "A", seq: R, ack: L }, Buffer.from([1, 1, 1, 8])), "truncated options");
  });

  it("rfc9293_3_2_known_option_with_wrong_length_is_ignored", async () => {
    const { sock } = await established(host, { delayedAck: false });
    const out = await sock.sendRaw(encode({ flags: "PA", seq: R, ack: L, payload: "ok" }, Buffer.from([3, 4, 7, 0])));
    expect(out.map((d) => d.ack)).toEqual([R + 2]);
    expect((await sock.read()).toString()).toBe("ok");
  });

  it("short_packet_is_dropped", async () => {
    await rejected(encode({ flags: "A", seq: R, ack: L }).subarray(0, 30), "bad IPv4 length");
  });

  it("truncated_ipv4_header_is_dropped", async () => {
    await rejected(encode({ flags: "A", seq: R, ack: L }).subarray(0, 12), "short IPv4 header");
  });

  it("non_tcp_packet_is_dropped", async () => {
    const pkt = encode({ flags: "A", seq: R, ack: L });
    pkt[9] = 17;
    await rejected(pkt, "not TCP");
  });

  it("ipv4_fragment_is_dropped", async () => {
    const pkt = encode({ flags: "A", seq: R, ack: L });
    pkt.writeUInt16BE(0x2000, 6);
    await rejected(pkt, "IPv4 fragment");
  });

  it("segment_for_another_connection_is_dropped", async () => {
    await rejected(encode({ flags: "PA", seq: R, ack: L, payload: "x", srcPort: 40001 }), "not this connection");
  });
});

// Initial sequence numbers, RFC 6528: a keyed hash (SipHash-2-4) of the
// 4-tuple plus a 4 µs clock.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

const isn = async (lport: number, rport = 80): Promise<number> =>
  (await host.call("tcp_isn", [0xc6120001, lport, 0xc6120102, rport]))[0] as number;

describe("RFC 6528", () => {
  it("siphash24_matches_the_reference_vector", async () => {
    // Reference implementation's vector for key 00..0f and message 00..0f (16 bytes).
    const [hi, lo] = await host.call("tcp_siphash", [0x07060504, 0x03020100, 0x0f0e0d0c, 0x0b0a0908, 0x07060504, 0x03020100, 0x0f0e0d0c, 0x0b0a0908]);
    expect([hi, lo]).toEqual([0x3f2acc7f, 0x57c29bdb]);
  });

  it("rfc6528_3_isn_depends_on_the_4_tuple", async () => {
    const a = await isn(40000);
    const b = await isn(40001);
    const c = await isn(40000, 81);
    expect(new Set([a, b, c]).size).toBe(3);
    expect(await isn(40000)).toBe(a);
  });

  it("rfc6528_3_isn_advances_with_a_4_us_clock", async () => {
    const a = await isn(40000);
    await host.advance(1);
    expect(((await isn(40000)) - a + 2 ** 32) % 2 ** 32).toBe(250);
  });

  it("rfc6528_3_sockets_without_a_fixed_iss_use_it", async () => {
    const [id] = await host.call("tcp_socket", [{}]);
    const [pkts] = await host.call("tcp_connect", [id, 0xc6120001, 40000, 0xc6120102, 80]);
    const syn = Buffer.from((pkts as string[])[0]!, "latin1");
    expect(syn.readUInt32BE(24)).toBe(await isn(40000));
  });
});

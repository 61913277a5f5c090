// Robustness: whatever arrives, the stack must not raise a Lua error (in the
// packet path an error costs the packet its fail verdict) and must stay in a
// valid state. Seeded random segments, near and far from the windows, with
// random flags, options and payloads, then random bytes.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHost, type Host } from "./support/host.ts";
import { established, ISS, RISN, Sock } from "./support/tcp.ts";
import { encode, type Seg } from "./support/wire.ts";

let host: Host;
beforeEach(async () => { host = await createHost(); });
afterEach(() => host.close());

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 8;
  };
}

const STATES = new Set(["CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
  "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"]);
const FLAGS = ["A", "PA", "FA", "R", "RA", "S", "SA", "", "FPA", "SFA", "SR", "U", "UA"];

function randomSeg(r: () => number): { seg: Seg; raw?: Buffer } {
  const near = (base: number): number => (base + (r() % 200_000) - 100_000 + 2 ** 32) % 2 ** 32;
  const seg: Seg = {
    flags: FLAGS[r() % FLAGS.length]!,
    seq: r() % 4 === 0 ? r() * 257 % 2 ** 32 : near(RISN + 1),
    ack: r() % 4 === 0 ? r() * 263 % 2 ** 32 : near(ISS + 1),
    win: r() % 65536,
    payload: Buffer.alloc(r() % 5 === 0 ? r() % 3000 : r() % 100, r() & 0xff),
  };
  if (r() % 3 === 0) seg.ts = [r() * 7 % 2 ** 32, r() * 11 % 2 ** 32];
  if (r() % 5 === 0) seg.sack = [[near(ISS + 1), near(ISS + 1)], [near(ISS + 1), near(ISS + 1)]];
  if (r() % 7 === 0) seg.mss = r() % 65536;
  if (r() % 7 === 0) seg.ws = r() % 256;
  if (r() % 9 === 0) {
    // Random option bytes (often malformed).
    const len = (r() % 10) * 4;
    const raw = Buffer.alloc(len);
    for (let i = 0; i < len; i++) raw[i] = r() % 12;
    return { seg, raw };
  }
  return { seg };
}

describe("robustness", () => {
  it("random_segments_never_raise_an_error", async () => {
    const r = rng(Number(process.env.TCP_FUZZ_SEED ?? 42));
    for (let round = 0; round < 12; round++) {
      const config = { timestamps: r() % 2 === 0, sack: r() % 2 === 0, recvBufferSize: 1024 + (r() % 300_000) };
      const synOptions: Partial<Seg> = { mss: 536 + (r() % 1000), ...(r() % 2 ? { ts: [5, 0] as [number, number] } : {}),
        ...(r() % 2 ? { sackPerm: true } : {}), ...(r() % 2 ? { ws: r() % 15 } : {}) };
      const { sock } = round % 3 === 0
        ? { sock: await Sock.create(host, config) }
        : await established(host, config, synOptions);
      if (round % 3 === 0) await sock.listen();
      await sock.write(Buffer.alloc(r() % 50_000, 1));
      for (let i = 0; i < 150; i++) {
        const { seg, raw } = randomSeg(r);
        await sock.sendRaw(encode(seg, raw));
        if (r() % 10 === 0) await sock.advance(r() % 2000);
        if (r() % 15 === 0) await sock.read();
        if (r() % 40 === 0) await sock.close();
      }
      const info = await sock.info();
      expect(STATES.has(info.state as string)).toBe(true);
      expect(info.rcv_wnd as number).toBeGreaterThanOrEqual(0);
    }
  });

  it("random_acks_and_sack_blocks_keep_the_scoreboard_consistent", async () => {
    // The sender's scoreboard (RFC 6675, RFC 8985) under ACKs and SACK blocks anywhere in and around
    // the flight, with time passing: its byte counts stay within what is in flight.
    const r = rng(Number(process.env.TCP_FUZZ_SEED ?? 42) + 1);
    for (let round = 0; round < 6; round++) {
      const config = round % 2 === 0 ? {} : { segmentOffloadBytes: 65536 };
      const { sock } = await established(host, config, { mss: 1460, sackPerm: true, ws: 7, win: 65535 });
      await sock.write(Buffer.alloc(200_000, 1));
      await sock.poll();
      for (let i = 0; i < 120; i++) {
        const info = await sock.info();
        const [una, max] = [info.snd_una as number, info.snd_max as number];
        const flight = (max - una + 2 ** 32) % 2 ** 32;
        const at = (): number => (una + (flight > 0 ? r() % (flight + 3000) : 0) - 1500 + 2 ** 32) % 2 ** 32;
        const blocks: [number, number][] = [];
        for (let b = r() % 4; b > 0; b--) {
          const left = at();
          blocks.push([left, (left + 1 + (r() % 20_000)) % 2 ** 32]);
        }
        const ack = r() % 3 === 0 ? at() : una;
        await sock.send({ flags: "A", seq: RISN + 1, ack, win: 65535, ...(blocks.length > 0 ? { sack: blocks } : {}) });
        if (r() % 6 === 0) await sock.advance(r() % 300);
        const after = await sock.info();
        const inFlight = ((after.snd_max as number) - (after.snd_una as number) + 2 ** 32) % 2 ** 32;
        for (const key of ["sacked_bytes", "lost_bytes", "retrans_bytes"]) {
          expect(after[key] as number, key).toBeGreaterThanOrEqual(0);
          expect(after[key] as number, key).toBeLessThanOrEqual(inFlight);
        }
        expect((after.sacked_bytes as number) + (after.lost_bytes as number)).toBeLessThanOrEqual(inFlight);
      }
    }
  });

  it("random_bytes_are_rejected_without_error", async () => {
    const r = rng(7);
    const { sock } = await established(host);
    for (let i = 0; i < 300; i++) {
      const pkt = Buffer.alloc(r() % 120);
      for (let j = 0; j < pkt.length; j++) pkt[j] = r() & 0xff;
      if (pkt.length > 0 && r() % 2 === 0) pkt[0] = 0x45;
      if (pkt.length > 9 && r() % 2 === 0) pkt[9] = 6;
      expect(await sock.sendRaw(pkt)).toEqual([]);
    }
    expect(await sock.state()).toBe("ESTABLISHED");
  });
});

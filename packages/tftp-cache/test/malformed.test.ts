// Bad input: every malformed request gets ERROR 4 or is dropped, is
// counted, and never disturbs another transfer or the cache.
import { afterEach, describe, expect, it } from "vitest";
import { ipv4, udp, type Engine } from "@kcache/kmod";
import { CLIENT, decode, download, file, newCache, NF_ACCEPT, NF_DROP, ORIGIN, originServes, rrq, stats } from "./support/tftp.ts";

let engine: Engine;
afterEach(() => engine?.close());

const content = file(3000, 11);

function request(payload: Buffer, sport = 43000): number {
  return engine.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport, dport: 69, payload })).verdict;
}

const bad: [string, Buffer][] = [
  ["truncated (2 bytes)", Buffer.from([0, 1])],
  ["filename not terminated", Buffer.from("\x00\x01boot.img", "latin1")],
  ["mode not terminated", Buffer.from("\x00\x01f\x00octet", "latin1")],
  ["empty filename", Buffer.from("\x00\x01\x00octet\x00", "latin1")],
  ["unknown mode", Buffer.from("\x00\x01f\x00binary\x00", "latin1")],
  ["option without value", Buffer.from("\x00\x01f\x00octet\x00blksize\x00", "latin1")],
  ["huge option value", rrq("f", "octet", { blksize: "9".repeat(40) })],
  ["too many options", rrq("f", "octet", Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`o${i}`, "1"])))],
  ["longer than 512 bytes", rrq("x".repeat(600))],
  ["opcode 3 to port 69", Buffer.from("\x00\x03\x00\x01data", "latin1")],
  ["opcode 99", Buffer.from("\x00\x63abc\x00", "latin1")],
];

describe("malformed requests", () => {
  for (const [name, payload] of bad) {
    it(`${name}: ERROR 4 and dropped`, () => {
      engine = newCache();
      expect(request(payload)).toBe(NF_DROP);
      const [reply] = engine.takeSent().map(decode);
      expect(reply).toMatchObject({ opcode: 5, code: 4, src: ORIGIN, dst: CLIENT, dport: 43000 });
      expect(stats(engine).malformed).toBe(1);
    });
  }

  it("a huge numeric option value in a valid request is ignored, not trusted", () => {
    engine = newCache();
    originServes(engine, "f", content);
    const hit = download(engine, "f", { options: { blksize: "99999999999999999", windowsize: "123456789012" } });
    expect(hit.oack).toEqual({ blksize: "1468" });
    expect(hit.content.equals(content)).toBe(true);
  });

  it("a UDP length beyond the IP packet is dropped at port 69 and passed elsewhere", () => {
    engine = newCache();
    const packet = udp({ src: CLIENT, dst: ORIGIN, sport: 43000, dport: 69, payload: rrq("f") });
    packet.writeUInt16BE(200, 24);
    expect(engine.inject("FORWARD", packet).verdict).toBe(NF_DROP);
    const other = udp({ src: CLIENT, dst: ORIGIN, sport: 43000, dport: 53, payload: "dns" });
    other.writeUInt16BE(200, 24);
    expect(engine.inject("FORWARD", other).verdict).toBe(NF_ACCEPT);
    expect(stats(engine).malformed).toBe(1);
  });

  it("passes truncated or non-UDP IP packets and fragments untouched", () => {
    engine = newCache();
    const tiny = ipv4({ src: CLIENT, dst: ORIGIN, protocol: 17, payload: Buffer.from([0, 69]) });
    expect(engine.inject("FORWARD", tiny).verdict).toBe(NF_ACCEPT);
    const fragment = ipv4({ src: CLIENT, dst: ORIGIN, protocol: 17, payload: Buffer.alloc(16), flags: 1 });
    expect(engine.inject("FORWARD", fragment).verdict).toBe(NF_ACCEPT);
    expect(engine.takeLogs()).toEqual([]);
  });

  it("a truncated ACK to a hit's port is dropped and the transfer goes on", () => {
    engine = newCache();
    originServes(engine, "f", content);
    request(rrq("f"), 41000);
    const [first] = engine.takeSent().map(decode);
    const verdict = engine.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport: 41000, dport: first!.sport, payload: Buffer.from([0, 4, 0]) })).verdict;
    expect(verdict).toBe(NF_DROP);
    expect(stats(engine)).toMatchObject({ malformed: 1, transfers_active: 1 });
  });

  it("a truncated message from the origin aborts only its recording", () => {
    engine = newCache();
    request(rrq("f"), 40000);
    engine.inject("FORWARD", udp({ src: ORIGIN, dst: CLIENT, sport: 50000, dport: 40000, payload: Buffer.from([0, 3]) }));
    originServes(engine, "g", content, { cport: 40001, otid: 50001 });
    expect(stats(engine)).toMatchObject({ record_aborts: 1, recorded: 1, recordings_active: 0 });
  });
});

describe("garbage never breaks a transfer in progress", () => {
  it("a hit completes while malformed requests, other TIDs and random bytes arrive", () => {
    engine = newCache();
    originServes(engine, "f", content);
    let i = 0;
    const hit = download(engine, "f", {
      sendAck: () => {
        i++;
        for (const [, payload] of bad) request(payload, 43000 + i);
        engine.inject("FORWARD", udp({ src: "198.18.1.77", dst: ORIGIN, sport: 1234, dport: 69, payload: Buffer.from(file(64, i)) }));
        return true;
      },
      deliver: (m) => m.opcode !== 5 || m.dport === 41000,
    });
    expect(hit.content.equals(content)).toBe(true);
    expect(engine.takeLogs()).toEqual([]);
  });
});

describe("floods", () => {
  it("bounds the transfers served at once; the rest go to the origin", () => {
    engine = newCache({ max_transfers: 4 });
    originServes(engine, "f", content);
    const verdicts = Array.from({ length: 10 }, (_, i) => request(rrq("f"), 45000 + i));
    expect(verdicts.filter((v) => v === NF_DROP)).toHaveLength(4);
    expect(verdicts.filter((v) => v === NF_ACCEPT)).toHaveLength(6);
    expect(stats(engine)).toMatchObject({ hits: 4, overload: 6, transfers_active: 4 });
    // Unanswered hits time out and free their places.
    engine.advance(10_000);
    expect(stats(engine).transfers_active).toBe(0);
    expect(request(rrq("f"), 46000)).toBe(NF_DROP);
  });

  it("bounds the recordings; an RRQ flood of misses keeps no more state than that", () => {
    engine = newCache({ max_transfers: 8 });
    for (let i = 0; i < 1000; i++) request(rrq(`file-${i}`), 20000 + i);
    expect(stats(engine)).toMatchObject({ misses: 1000, recordings_active: 8, overload: 992 });
    engine.advance(16_000);
    expect(stats(engine).recordings_active).toBe(0);
    originServes(engine, "g", content, { cport: 40001 });
    expect(download(engine, "g").verdict).toBe(NF_DROP);
  });
});

describe("configure", () => {
  it("rejects bad settings and changes nothing then", () => {
    engine = newCache();
    for (const bad of [{ max_blksize: 4 }, { ttl_ms: -1 }, { nope: 1 }, { never_cache: ["[unclosed"] }, { never_cache: "x" }, { max_windowsize: 0 }]) {
      const [ok, why] = engine.call(0, "configure", [bad]);
      expect(ok).toBe(false);
      expect(typeof why).toBe("string");
    }
    const [settings] = engine.call(0, "settings") as [Record<string, unknown>];
    expect(settings).toMatchObject({ max_blksize: 1468, ttl_ms: 3_600_000, max_windowsize: 64 });
    expect(engine.call(0, "configure", [{ max_blksize: 8192, never_cache: ["%.tmp$"] }])).toEqual([true, null]);
  });
});

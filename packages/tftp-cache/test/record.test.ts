// The miss path: what gets committed and what never does.
import { afterEach, describe, expect, it } from "vitest";
import { udp, type Engine } from "@kcache/kmod";
import { ack, CLIENT, data, download, file, newCache, NF_ACCEPT, NF_DROP, ORIGIN, originServes, stats } from "./support/tftp.ts";

let engine: Engine;
afterEach(() => engine?.close());

const content = file(3000, 6);

function committed(name: string, cport = 41500): boolean {
  return download(engine, name, { cport, maxWaits: 0 }).verdict === NF_DROP;
}

function abortReasons(): Record<string, number> {
  return (engine.call(0, "stats")[0] as { abort_reasons: Record<string, number> }).abort_reasons;
}

describe("commits", () => {
  it("records with the origin's OACK (blksize, tsize) and its ACK 0", () => {
    engine = newCache();
    originServes(engine, "f", content, { options: { blksize: 1024, tsize: 0 }, oack: { blksize: 1024, tsize: 3000 }, blksize: 1024 });
    expect(download(engine, "f").content.equals(content)).toBe(true);
  });

  it("records an origin that ignores the options (DATA 1 at 512)", () => {
    engine = newCache();
    originServes(engine, "f", content, { options: { blksize: 1024, windowsize: 16 } });
    expect(committed("f")).toBe(true);
  });

  it("records an origin that agrees rollover 0 (the npm tftp client asks it), not rollover 1", () => {
    engine = newCache();
    originServes(engine, "f", content, { options: { blksize: 1024, rollover: 0 }, oack: { blksize: 1024, rollover: 0 }, blksize: 1024 });
    expect(download(engine, "f").content.equals(content)).toBe(true);
    originServes(engine, "g", content, { cport: 40001, options: { rollover: 1 }, oack: { rollover: 1 } });
    expect(committed("g")).toBe(false);
    expect(abortReasons()).toEqual({ "OACK rollover other than 0": 1 });
  });

  it("ignores retransmitted blocks from the origin", () => {
    engine = newCache();
    const otid = 50000;
    const inject = (src: string, sport: number, dst: string, dport: number, payload: Buffer) =>
      engine.inject("FORWARD", udp({ src, dst, sport, dport, payload })).verdict;
    inject(CLIENT, 40000, ORIGIN, 69, Buffer.from("\x00\x01f\x00octet\x00", "latin1"));
    for (const n of [1, 2, 2, 1, 3, 4, 5, 5, 6]) {
      expect(inject(ORIGIN, otid, CLIENT, 40000, data(n, content.subarray((n - 1) * 512, n * 512)))).toBe(NF_ACCEPT);
      inject(CLIENT, 40000, ORIGIN, otid, ack(n));
    }
    expect(download(engine, "f").content.equals(content)).toBe(true);
  });

  it("fills a gap when a windowed origin rolls back and resends (RFC 7440)", () => {
    engine = newCache();
    const inject = (payload: Buffer) => engine.inject("FORWARD", udp({ src: ORIGIN, dst: CLIENT, sport: 50000, dport: 40000, payload }));
    engine.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport: 40000, dport: 69, payload: Buffer.from("\x00\x01f\x00octet\x00", "latin1") }));
    for (const n of [1, 2, 4, 5, 3, 4, 5, 6]) inject(data(n, content.subarray((n - 1) * 512, n * 512)));
    expect(download(engine, "f").content.equals(content)).toBe(true);
  });
});

describe("never commits", () => {
  it("a transfer that ends in ERROR from the origin", () => {
    engine = newCache();
    originServes(engine, "f", content, { stopAfter: 3, end: "error" });
    expect(committed("f")).toBe(false);
    expect(abortReasons()).toEqual({ "origin sent ERROR": 1 });
    expect(engine.storeStats().entries).toBe(0);
  });

  it("a transfer the client aborts with ERROR", () => {
    engine = newCache();
    originServes(engine, "f", content, { stopAfter: 2 });
    engine.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport: 40000, dport: 50000, payload: Buffer.from("\x00\x05\x00\x00stop\x00", "latin1") }));
    originServes(engine, "g", content, { cport: 40001 });
    expect(committed("f")).toBe(false);
    expect(committed("g", 41501)).toBe(true);
    expect(abortReasons()).toEqual({ "client sent ERROR": 1 });
  });

  it("a transfer with a gap the router never saw filled", () => {
    engine = newCache();
    originServes(engine, "f", content, { skip: [3] });
    expect(committed("f")).toBe(false);
    expect(stats(engine).recordings_active).toBe(1);
    engine.advance(15_000);
    expect(abortReasons()).toEqual({ "origin transfer timed out": 1 });
    expect(stats(engine).recordings_active).toBe(0);
  });

  it("a transfer that stalls past the idle time, even if it resumes", () => {
    engine = newCache({ record_idle_ms: 5000 });
    const inject = (payload: Buffer) => engine.inject("FORWARD", udp({ src: ORIGIN, dst: CLIENT, sport: 50000, dport: 40000, payload }));
    engine.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport: 40000, dport: 69, payload: Buffer.from("\x00\x01f\x00octet\x00", "latin1") }));
    inject(data(1, content.subarray(0, 512)));
    engine.advance(4000);
    inject(data(2, content.subarray(512, 1024)));
    engine.advance(4000); // 4 s idle: still alive
    expect(stats(engine).recordings_active).toBe(1);
    engine.advance(1500);
    expect(stats(engine).recordings_active).toBe(0);
    for (let n = 3; n <= 6; n++) inject(data(n, content.subarray((n - 1) * 512, n * 512)));
    expect(committed("f")).toBe(false);
  });

  it("an OACK with an option the cache cannot follow, or that the client did not ask", () => {
    engine = newCache();
    originServes(engine, "f", content, { options: { blksize: 1024, multicast: "" }, oack: { blksize: 1024, multicast: "1" }, blksize: 1024 });
    originServes(engine, "g", content, { cport: 40001, options: { tsize: 0 }, oack: { blksize: 1024 }, blksize: 1024 });
    originServes(engine, "h", content, { cport: 40002, options: { blksize: 4 }, oack: { blksize: 4 }, blksize: 4 });
    expect(committed("f")).toBe(false);
    expect(committed("g", 41501)).toBe(false);
    expect(committed("h", 41502)).toBe(false);
    expect(Object.keys(abortReasons()).sort()).toEqual([
      "OACK blksize out of range", "OACK with an option the client did not ask", "OACK with an unknown option",
    ]);
  });

  it("a transfer whose size differs from the OACK's tsize", () => {
    engine = newCache();
    originServes(engine, "f", content, { options: { tsize: 0 }, oack: { tsize: 9999 } });
    expect(committed("f")).toBe(false);
    expect(abortReasons()).toEqual({ "size differs from the OACK's tsize": 1 });
  });

  it("DATA longer than the agreed block size", () => {
    engine = newCache();
    originServes(engine, "f", content, { blksize: 1024 });
    expect(committed("f")).toBe(false);
  });

  it("a block with a bad UDP checksum (it is skipped; the origin's resend is taken)", () => {
    engine = newCache();
    engine.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport: 40000, dport: 69, payload: Buffer.from("\x00\x01f\x00octet\x00", "latin1") }));
    for (let n = 1; n <= 6; n++) {
      const packet = udp({ src: ORIGIN, dst: CLIENT, sport: 50000, dport: 40000, payload: data(n, content.subarray((n - 1) * 512, n * 512)) });
      if (n === 2) {
        const corrupt = Buffer.from(packet);
        corrupt[40] = corrupt[40]! ^ 0xff;
        expect(engine.inject("FORWARD", corrupt).verdict).toBe(NF_ACCEPT);
      }
      engine.inject("FORWARD", packet);
    }
    expect(stats(engine).malformed).toBe(1);
    expect(download(engine, "f").content.equals(content)).toBe(true);
  });

  it("a file larger than max_entry_bytes (the transfer still passes)", () => {
    engine = newCache({ max_entry_bytes: 2000 });
    const verdicts = originServes(engine, "f", content);
    expect(verdicts.every((v) => v === NF_ACCEPT)).toBe(true);
    expect(committed("f")).toBe(false);
    expect(abortReasons()).toEqual({ "file larger than the maximum entry size": 1 });
  });

  it("a file larger than the store's own maximum entry", () => {
    engine = newCache();
    engine.configureStore({ maxEntryBytes: 2000 });
    originServes(engine, "f", content);
    expect(committed("f")).toBe(false);
    expect(stats(engine).record_aborts).toBe(1);
  });
});

describe("concurrency", () => {
  it("records one transfer per file at a time; the second client just passes", () => {
    engine = newCache();
    const a = (payload: Buffer, sport: number, dport: number) => engine.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport, dport, payload }));
    a(Buffer.from("\x00\x01f\x00octet\x00", "latin1"), 40000, 69);
    a(Buffer.from("\x00\x01f\x00octet\x00", "latin1"), 40001, 69);
    expect(stats(engine)).toMatchObject({ misses: 2, recordings_active: 1, passed: 1 });
  });
});

describe("requests from a client port already in a transfer", () => {
  it("a repeated RRQ before the origin's answer passes once more and is recorded once", () => {
    engine = newCache();
    const rq = Buffer.from("\x00\x01f\x00octet\x00", "latin1");
    engine.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport: 40000, dport: 69, payload: rq }));
    expect(engine.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport: 40000, dport: 69, payload: rq })).verdict).toBe(NF_ACCEPT);
    expect(stats(engine)).toMatchObject({ misses: 1, duplicate_requests: 1, recordings_active: 1 });
    // The origin answers both requests from two TIDs; the first one is recorded, the other ignored.
    for (let n = 1; n <= 6; n++) {
      const body = content.subarray((n - 1) * 512, n * 512);
      engine.inject("FORWARD", udp({ src: ORIGIN, dst: CLIENT, sport: 50000, dport: 40000, payload: data(n, body) }));
      engine.inject("FORWARD", udp({ src: ORIGIN, dst: CLIENT, sport: 50001, dport: 40000, payload: data(n, file(512, n)) }));
    }
    expect(download(engine, "f").content.equals(content)).toBe(true);
  });

  it("a new request from the port of an unfinished recording ends that recording", () => {
    engine = newCache();
    originServes(engine, "f", content, { stopAfter: 2 });
    originServes(engine, "g", content);
    expect(abortReasons()).toEqual({ "client started another transfer": 1 });
    expect(committed("g")).toBe(true);
    expect(committed("f", 41501)).toBe(false);
  });
});

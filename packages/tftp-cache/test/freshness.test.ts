// Freshness and memory: entries expire, the store's byte budget evicts the
// least recently used file, and the cache keeps working.
import { afterEach, describe, expect, it } from "vitest";
import type { Engine } from "@kcache/kmod";
import { decode, download, file, newCache, NF_ACCEPT, NF_DROP, originServes, stats } from "./support/tftp.ts";

let engine: Engine;
afterEach(() => engine?.close());

describe("expiry", () => {
  it("serves until the ttl, then passes to the origin and records again", () => {
    engine = newCache({ ttl_ms: 60_000 });
    const content = file(2000);
    originServes(engine, "f", content);
    engine.advance(59_000);
    expect(download(engine, "f", { cport: 41001 }).verdict).toBe(NF_DROP);
    engine.advance(2_000);
    // Expired: the request passes to the origin, whose new answer is recorded.
    const fresh = file(2100, 2);
    const verdicts = originServes(engine, "f", fresh, { cport: 40001 });
    expect(verdicts.every((v) => v === NF_ACCEPT)).toBe(true);
    const hit = download(engine, "f", { cport: 41003 });
    expect(hit.verdict).toBe(NF_DROP);
    expect(hit.content.equals(fresh)).toBe(true);
    expect(stats(engine)).toMatchObject({ recorded: 2, hits: 2, misses: 2 });
    expect(engine.storeStats().expired).toBe(1);
  });

  it("keeps entries forever with ttl 0", () => {
    engine = newCache({ ttl_ms: 0 });
    originServes(engine, "f", file(100));
    engine.advance(1_000_000_000);
    expect(download(engine, "f").verdict).toBe(NF_DROP);
  });
});

describe("eviction under a byte budget", () => {
  it("evicts the least recently used file to fit a new one", () => {
    engine = newCache();
    engine.configureStore({ budgetBytes: 10_000 });
    const a = file(4000, 1), b = file(4000, 2), c = file(4000, 3);
    originServes(engine, "a", a, { cport: 40001 });
    originServes(engine, "b", b, { cport: 40002 });
    expect(download(engine, "a", { cport: 41001 }).verdict).toBe(NF_DROP); // a is now the most recent
    originServes(engine, "c", c, { cport: 40003 });
    const store = engine.storeStats();
    expect(store.entries).toBe(2);
    expect(store.bytes).toBeLessThanOrEqual(10_000);
    expect(store.evictions).toBe(1);
    expect(download(engine, "b", { cport: 41002 }).verdict).toBe(NF_ACCEPT);
    expect(download(engine, "a", { cport: 41003 }).content.equals(a)).toBe(true);
    expect(download(engine, "c", { cport: 41004 }).content.equals(c)).toBe(true);
  });

  it("ends a hit whose file is evicted mid-transfer with ERROR, not with other bytes", () => {
    engine = newCache();
    engine.configureStore({ budgetBytes: 10_000 });
    originServes(engine, "a", file(6000, 1), { cport: 40001 });
    const first = download(engine, "a", { cport: 41001, sendAck: () => false, maxWaits: 0 });
    expect(first.messages.map((m) => m.block)).toEqual([1]);
    originServes(engine, "b", file(6000, 2), { cport: 40002 });
    expect(engine.storeStats().entries).toBe(1);
    engine.advance(1000); // the retransmission finds the file gone
    expect(engine.takeSent().map(decode).map((m) => [m.opcode, m.code, m.text])).toEqual([[5, 0, "file no longer cached"]]);
    expect(stats(engine).transfers_active).toBe(0);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../src/index.ts";
import { BUILD } from "./helpers.ts";

const STORE = `${BUILD}store.lua`;
let engine: Engine;
beforeEach(() => {
  engine = Engine.sim();
  engine.loadScript(0, STORE);
});
afterEach(() => engine.close());

const call = (name: string, ...args: unknown[]) => engine.call(0, name, args);
const header = "H".repeat(20);

function put(key: string, blocks: string[], ttlMs?: number): void {
  expect(call("begin", key)).toEqual([true, null]);
  for (const block of blocks) expect(call("append", key, block)).toEqual([true, null]);
  expect(call("commit", key, ttlMs)).toEqual([true]);
}

describe("the content store", () => {
  it("builds an entry block by block and serves it only once committed", () => {
    call("begin", "file");
    call("append", "file", "abc");
    expect(call("lookup", "file")).toEqual([null]);
    call("append", "file", "def");
    call("commit", "file");
    expect(call("lookup", "file")).toEqual([6]);
    expect(call("read", "file")).toEqual(["abcdef"]);
    expect(call("read", "file", 2, 3)).toEqual(["cde"]);
    expect(engine.storeStats()).toMatchObject({ entries: 1, bytes: 6, hits: 1, misses: 1 });
  });

  it("an aborted entry is never served and frees its bytes", () => {
    call("begin", "gone", 1000);
    call("append", "gone", "x".repeat(500));
    expect(call("abort", "gone")).toEqual([true]);
    expect(call("lookup", "gone")).toEqual([null]);
    expect(engine.storeStats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it("sends a range of an entry as a packet part without copying it into Lua", () => {
    put("file", ["0123456789"]);
    expect(call("send_from_store", "file", header, 2, 5)).toEqual([true]);
    const [sent] = engine.takeSent();
    expect(sent!.toString("latin1")).toBe(`${header}23456`);
    expect(() => call("write_kept_view")).toThrow(/read-only/);
  });

  it("evicts the least recently used entries to stay within its byte budget", () => {
    engine.configureStore({ budgetBytes: 300 });
    put("a", ["a".repeat(100)]);
    put("b", ["b".repeat(100)]);
    put("c", ["c".repeat(100)]);
    call("lookup", "a"); // a is now more recent than b
    put("d", ["d".repeat(100)]);
    expect(call("lookup", "b")).toEqual([null]);
    expect(call("lookup", "a")).toEqual([100]);
    expect(call("lookup", "c")).toEqual([100]);
    expect(engine.storeStats()).toMatchObject({ evictions: 1, entries: 3 });
    expect(engine.storeStats().bytes).toBeLessThanOrEqual(300);
  });

  it("a view of an evicted entry raises when touched", () => {
    engine.configureStore({ budgetBytes: 150 });
    put("a", ["a".repeat(100)]);
    call("send_from_store", "a", header, 0, 10);
    expect(call("touch_kept_view")).toEqual([0x61]);
    put("b", ["b".repeat(100)]);
    expect(() => call("touch_kept_view")).toThrow(/evicted or removed/);
  });

  it("refuses entries over the maximum entry size, and appends past the budget", () => {
    engine.configureStore({ budgetBytes: 10_000, maxEntryBytes: 1000 });
    expect(call("begin", "big", 2000)).toEqual([false, "entry larger than the maximum entry size"]);
    call("begin", "grows");
    expect(call("append", "grows", "x".repeat(999))).toEqual([true, null]);
    expect(call("append", "grows", "xx")).toEqual([false, "entry larger than the maximum entry size"]);
    expect(engine.storeStats().rejected).toBe(2);
  });

  it("expires entries after their time to live", () => {
    put("short", ["x"], 1000);
    put("forever", ["y"]);
    engine.advance(999);
    expect(call("lookup", "short")).toEqual([1]);
    engine.advance(1);
    expect(call("lookup", "short")).toEqual([null]);
    engine.advance(1_000_000);
    expect(call("lookup", "forever")).toEqual([1]);
    expect(engine.storeStats().expired).toBe(1);
  });

  it("a new commit replaces the old entry of the same key", () => {
    put("k", ["old"]);
    put("k", ["newer"]);
    expect(call("read", "k")).toEqual(["newer"]);
    expect(engine.storeStats()).toMatchObject({ entries: 1, bytes: 5 });
  });

  it("keeps its entries when the script is unloaded and loaded again (state gone and back)", () => {
    put("kept", ["still here"]);
    engine.unloadScript(0, STORE);
    expect(engine.counters().states).toBe(0);
    engine.insertRule({ hook: "FORWARD", script: STORE, state: 3 });
    expect(engine.call(3, "read", ["kept"])).toEqual(["still here"]);
  });

  it("is shared by every state", () => {
    put("shared", ["one"]);
    engine.loadScript(7, STORE);
    expect(engine.call(7, "lookup", ["shared"])).toEqual([3]);
  });
});

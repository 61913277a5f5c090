import { afterEach, describe, expect, it } from "vitest";
import { udp, type Engine } from "@kcache/kmod";
import {
  BUNDLE, CLIENT, decode, download, file, newCache, NF_ACCEPT, NF_DROP, ORIGIN, originServes, rrq, stats, type Options,
} from "./support/tftp.ts";

let engine: Engine;
afterEach(() => engine?.close());

describe("miss then hit", () => {
  it("records a miss and serves the hit itself, byte for byte, from the origin's address", () => {
    engine = newCache();
    const content = file(5000);
    const verdicts = originServes(engine, "boot.img", content);
    expect(verdicts.every((v) => v === NF_ACCEPT)).toBe(true);
    expect(engine.takeSent()).toHaveLength(0); // a miss only watches
    expect(engine.storeStats().entries).toBe(1);

    const hit = download(engine, "boot.img");
    // The RRQ is dropped: the origin never sees a request for a hit.
    expect(hit.verdict).toBe(NF_DROP);
    expect(hit.content.equals(content)).toBe(true);
    expect(hit.oack).toBeUndefined();
    expect(hit.messages.map((m) => m.block)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(hit.messages.every((m) => m.src === ORIGIN && m.sport !== 69 && m.sport >= 61000)).toBe(true);
    const s = stats(engine);
    expect(s).toMatchObject({ hits: 1, misses: 1, recorded: 1, served: 1, bytes_served: 5000, transfers_active: 0, recordings_active: 0 });
  });

  it("ends a file that is a multiple of the block size with an empty block", () => {
    engine = newCache();
    const content = file(1024, 2);
    originServes(engine, "even", content);
    const hit = download(engine, "even");
    expect(hit.messages.map((m) => m.body!.length)).toEqual([512, 512, 0]);
    expect(hit.content.equals(content)).toBe(true);
  });

  it("serves an empty file", () => {
    engine = newCache();
    originServes(engine, "empty", Buffer.alloc(0));
    const hit = download(engine, "empty");
    expect(hit.verdict).toBe(NF_DROP);
    expect(hit.messages).toHaveLength(1);
    expect(hit.content.length).toBe(0);
  });

  it("keys by origin, mode and name: another name or mode is a miss", () => {
    engine = newCache();
    originServes(engine, "a.txt", file(100));
    expect(download(engine, "b.txt").verdict).toBe(NF_ACCEPT);
    expect(download(engine, "a.txt", { mode: "netascii" }).verdict).toBe(NF_ACCEPT);
    expect(download(engine, "a.txt", { mode: "OCTET", cport: 41001 }).verdict).toBe(NF_DROP);
  });

  it("records netascii transfers as their own entry (the wire bytes)", () => {
    engine = newCache();
    const text = Buffer.from("line one\r\nline two\r\n", "latin1");
    originServes(engine, "motd", text, { mode: "netascii" });
    const hit = download(engine, "motd", { mode: "netascii" });
    expect(hit.verdict).toBe(NF_DROP);
    expect(hit.content.equals(text)).toBe(true);
    expect(download(engine, "motd", { cport: 41002 }).verdict).toBe(NF_ACCEPT);
  });

  it("passes mail mode through uncached", () => {
    engine = newCache();
    originServes(engine, "root", file(10), { mode: "mail" });
    expect(engine.storeStats().entries).toBe(0);
  });

  it("survives a script reload with its entries (the store is the engine's)", () => {
    engine = newCache();
    const content = file(3000, 9);
    originServes(engine, "kept", content);
    const rules = engine.stats();
    expect(engine.deleteRule(rules[0]!.id)).toBe(true);
    newRule(engine);
    // A fresh Lua state (its counters start again), the same store.
    expect(stats(engine)).toMatchObject({ recorded: 0, misses: 0 });
    const hit = download(engine, "kept");
    expect(hit.verdict).toBe(NF_DROP);
    expect(hit.content.equals(content)).toBe(true);
  });

  it("answers a repeated RRQ once (the timer retransmits, not the request)", () => {
    engine = newCache();
    originServes(engine, "f", file(2000));
    const first = download(engine, "f", { deliver: () => false, maxWaits: 0 });
    expect(first.verdict).toBe(NF_DROP);
    engine.takeSent();
    const again = download(engine, "f", { maxWaits: 0 });
    expect(again.verdict).toBe(NF_DROP);
    expect(stats(engine).duplicate_requests).toBe(1);
  });

  it("never caches names matching a never-cache pattern", () => {
    engine = newCache({ never_cache: ["%.cfg$", "^pxelinux%.cfg/"] });
    originServes(engine, "pxelinux.cfg/default", file(100));
    originServes(engine, "host.cfg", file(100), { cport: 40001 });
    originServes(engine, "kernel", file(100), { cport: 40002 });
    expect(engine.storeStats().entries).toBe(1);
    expect(download(engine, "host.cfg").verdict).toBe(NF_ACCEPT);
    expect(download(engine, "kernel", { cport: 41001 }).verdict).toBe(NF_DROP);
  });

  it("forgets a file when a client writes it (WRQ)", () => {
    engine = newCache();
    originServes(engine, "cfg", file(100));
    const verdict = engine.inject("FORWARD", udpRequest("cfg", 2)).verdict;
    expect(verdict).toBe(NF_ACCEPT);
    expect(stats(engine).invalidated).toBe(1);
    expect(download(engine, "cfg").verdict).toBe(NF_ACCEPT);
  });

  it("serves a client on a link without a 6-byte MAC through the IP output path", () => {
    engine = newCache();
    const content = file(3000, 5);
    originServes(engine, "f", content);
    const hit = download(engine, "f", { link: { indev: 3, hwaddr: Buffer.alloc(8, 2) }, options: { windowsize: 4 } });
    expect(hit.content.equals(content)).toBe(true);
    expect(stats(engine)).toMatchObject({ served: 1, gso_sends: 0, link_layer_fallbacks: 0, errors_sent: 0 });
  });

  it("checksums of every packet it sends are valid", () => {
    engine = newCache();
    originServes(engine, "sum", file(777, 3));
    engine.inject("FORWARD", udpRequest("sum", 1, { blksize: 100, tsize: 0 }));
    for (const packet of engine.takeSent()) {
      const m = decode(packet);
      expect(m.checksumOk && m.ipChecksumOk).toBe(true);
    }
  });
});


function newRule(e: Engine): void {
  e.insertRule({ hook: "FORWARD", script: BUNDLE, match: { protocol: "udp" } });
}

function udpRequest(name: string, opcode: number, options: Options = {}): Buffer {
  return udp({ src: CLIENT, dst: ORIGIN, sport: 42000, dport: 69, payload: rrq(name, "octet", options, opcode) });
}

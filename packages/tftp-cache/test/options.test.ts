// RFC 2347 OACK on hits: blksize (RFC 2348), tsize and timeout (RFC 2349),
// windowsize (RFC 7440) — granted from the stored bytes whatever the origin
// would have said.
import { afterEach, describe, expect, it } from "vitest";
import { udp, type Engine } from "@kcache/kmod";
import { CLIENT, decode, download, file, newCache, NF_DROP, ORIGIN, originServes, stats } from "./support/tftp.ts";

let engine: Engine;
afterEach(() => engine?.close());

const content = file(20_000, 5);

function cached(settings: Record<string, unknown> = {}): Engine {
  engine = newCache(settings);
  originServes(engine, "f", content); // recorded at 512-byte blocks, no options
  return engine;
}

describe("blksize (RFC 2348)", () => {
  it("serves a file recorded at 512 in any block size", () => {
    cached();
    for (const [i, blksize] of [8, 100, 1024, 1468].entries()) {
      const hit = download(engine, "f", { cport: 41000 + i, options: { blksize } });
      expect(hit.verdict).toBe(NF_DROP);
      expect(hit.oack).toEqual({ blksize: String(blksize) });
      expect(hit.content.equals(content)).toBe(true);
      const sizes = hit.messages.filter((m) => m.opcode === 3).map((m) => m.body!.length);
      expect(sizes.slice(0, -1).every((n) => n === blksize)).toBe(true);
      expect(sizes.at(-1)).toBe(content.length % blksize);
    }
  });

  it("clamps a block size above the limit to the limit (default 1468, fits a 1500 MTU)", () => {
    cached();
    expect(download(engine, "f", { options: { blksize: 65464 } }).oack).toEqual({ blksize: "1468" });
  });

  it("grants up to 65464 when configured, and clamps larger requests to 65464", () => {
    cached({ max_blksize: 65464 });
    const big = download(engine, "f", { options: { blksize: 65464 } });
    expect(big.oack).toEqual({ blksize: "65464" });
    expect(big.messages.filter((m) => m.opcode === 3)).toHaveLength(1);
    expect(big.content.equals(content)).toBe(true);
    expect(download(engine, "f", { cport: 41001, options: { blksize: 99999 } }).oack).toEqual({ blksize: "65464" });
  });

  it("ignores a block size below 8 or not a number (no OACK, 512-byte DATA)", () => {
    cached();
    for (const [i, blksize] of ["7", "0", "abc", "-5"].entries()) {
      const hit = download(engine, "f", { cport: 41000 + i, options: { blksize } });
      expect(hit.oack).toBeUndefined();
      expect(hit.messages[0]!.body!.length).toBe(512);
      expect(hit.content.equals(content)).toBe(true);
    }
  });
});

describe("tsize and timeout (RFC 2349)", () => {
  it("answers tsize 0 with the file's size", () => {
    cached();
    const hit = download(engine, "f", { options: { tsize: 0 } });
    expect(hit.oack).toEqual({ tsize: "20000" });
    expect(hit.content.equals(content)).toBe(true);
  });

  it("retransmits after the client's timeout, not the default", () => {
    cached();
    const hit = download(engine, "f", { options: { timeout: 3 }, sendAck: () => false, maxWaits: 0 });
    expect(hit.oack).toEqual({ timeout: "3" });
    // The client's ACK 0 was lost: no retransmission of the OACK before 3 s.
    engine.advance(2900);
    expect(engine.takeSent()).toHaveLength(0);
    engine.advance(200);
    const again = engine.takeSent().map(decode);
    expect(again.map((m) => m.opcode)).toEqual([6]);
  });

  it("ignores a timeout outside 1..255", () => {
    cached();
    expect(download(engine, "f", { options: { timeout: 0 } }).oack).toBeUndefined();
    expect(download(engine, "f", { cport: 41001, options: { timeout: 256 } }).oack).toBeUndefined();
  });
});

describe("windowsize (RFC 7440)", () => {
  it("sends 16 blocks per ACK for windowsize 16", () => {
    cached();
    const hit = download(engine, "f", { options: { windowsize: 16, blksize: 512 } });
    expect(hit.oack).toEqual({ blksize: "512", windowsize: "16" });
    expect(hit.content.equals(content)).toBe(true);
    // 40 blocks in 3 windows (16, 16, 8): ACK 0, 16, 32, 40.
    expect(hit.acksSent).toBe(4);
  });

  it("clamps windowsize to the configured maximum", () => {
    cached({ max_windowsize: 4 });
    const hit = download(engine, "f", { options: { windowsize: 16 } });
    expect(hit.oack).toEqual({ windowsize: "4" });
    expect(hit.content.equals(content)).toBe(true);
  });

  it("rolls the window back to the block after the one acknowledged when a block is lost", () => {
    cached();
    let dropped = false;
    const hit = download(engine, "f", {
      options: { windowsize: 8 },
      deliver: (m) => { if (m.block === 5 && !dropped) { dropped = true; return false; } return true; },
    });
    expect(hit.content.equals(content)).toBe(true);
    const blocks = hit.messages.filter((m) => m.opcode === 3).map((m) => m.block);
    // Window 1..8 (5 lost, client ACKs 4), then 5..12.
    expect(blocks.slice(0, 16)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});

describe("all options together, and unknown ones", () => {
  it("answers every option it knows in one OACK and leaves unknown ones out", () => {
    cached();
    const hit = download(engine, "f", { options: { blksize: 1468, tsize: 0, timeout: 2, windowsize: 16, multicast: "", "x-vendor": "1" } });
    expect(hit.oack).toEqual({ blksize: "1468", tsize: "20000", timeout: "2", windowsize: "16" });
    expect(hit.content.equals(content)).toBe(true);
    expect(stats(engine).served).toBe(1);
  });

  it("ends the transfer when the client refuses the OACK with ERROR 8", () => {
    cached();
    const hit = download(engine, "f", { options: { blksize: 1024 }, sendAck: () => false, maxWaits: 0 });
    expect(hit.oack).toBeDefined();
    expect(stats(engine).transfers_active).toBe(1);
    injectFromClient(engine, 41000, hit.tid!, Buffer.from("\x00\x05\x00\x08no\x00", "latin1"));
    expect(stats(engine).transfers_active).toBe(0);
  });
});


function injectFromClient(e: Engine, sport: number, dport: number, payload: Buffer): number {
  return e.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport, dport, payload })).verdict;
}

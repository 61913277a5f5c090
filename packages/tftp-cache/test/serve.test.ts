// The hit path's transfer: retransmission, duplicate ACKs (no Sorcerer's
// Apprentice), block-number rollover, bad ACKs, unknown TIDs.
import { afterEach, describe, expect, it } from "vitest";
import { udp, type Engine } from "@kcache/kmod";
import { ack, CLIENT, decode, download, file, newCache, NF_ACCEPT, NF_DROP, ORIGIN, originServes, stats } from "./support/tftp.ts";

let engine: Engine;
afterEach(() => engine?.close());

const content = file(3000, 4); // 6 blocks of 512 (5 full, one of 440)

function fromClient(sport: number, dport: number, payload: Buffer, src = CLIENT): number {
  return engine.inject("FORWARD", udp({ src, dst: ORIGIN, sport, dport, payload })).verdict;
}

/** Starts a hit without options; returns our TID after DATA 1. */
function startHit(cport = 41000): number {
  fromClient(cport, 69, Buffer.from("\x00\x01f\x00octet\x00", "latin1"));
  const [first] = engine.takeSent().map(decode);
  expect(first).toMatchObject({ opcode: 3, block: 1 });
  return first!.sport;
}

function sent(): { opcode: number; block?: number; code?: number; sport: number; dport: number; dst: string }[] {
  return engine.takeSent().map(decode);
}

describe("retransmission", () => {
  it("resends a lost DATA after the timeout", () => {
    engine = newCache();
    originServes(engine, "f", content);
    let lost = false;
    const hit = download(engine, "f", { deliver: (m) => (m.block === 3 && !lost ? ((lost = true), false) : true) });
    expect(hit.content.equals(content)).toBe(true);
    expect(hit.messages.filter((m) => m.opcode === 3).map((m) => m.block)).toEqual([1, 2, 3, 3, 4, 5, 6]);
    expect(hit.waits).toBe(1);
    expect(stats(engine).retransmissions).toBe(1);
  });

  it("resends the DATA whose ACK was lost, and the client's repeated ACK moves on", () => {
    engine = newCache();
    originServes(engine, "f", content);
    let lost = false;
    const hit = download(engine, "f", { sendAck: (b) => (b === 2 && !lost ? ((lost = true), false) : true) });
    expect(hit.content.equals(content)).toBe(true);
    expect(hit.messages.filter((m) => m.opcode === 3).map((m) => m.block)).toEqual([1, 2, 2, 3, 4, 5, 6]);
  });

  it("retransmits at the timeout, not before, and gives up after max_retries with ERROR", () => {
    engine = newCache({ timeout_ms: 500, max_retries: 2 });
    originServes(engine, "f", content);
    startHit();
    engine.advance(499);
    expect(sent()).toHaveLength(0);
    engine.advance(1);
    expect(sent().map((m) => m.block)).toEqual([1]);
    engine.advance(500);
    expect(sent().map((m) => m.block)).toEqual([1]);
    engine.advance(500);
    expect(sent().map((m) => [m.opcode, m.code])).toEqual([[5, 0]]);
    expect(stats(engine)).toMatchObject({ transfers_active: 0, timeouts: 1 });
    engine.advance(5000);
    expect(sent()).toHaveLength(0);
  });
});

describe("duplicate ACKs (RFC 1123 §4.2.3.1, Sorcerer's Apprentice)", () => {
  it("sends nothing for a duplicate ACK", () => {
    engine = newCache();
    originServes(engine, "f", content);
    const tid = startHit();
    expect(fromClient(41000, tid, ack(1))).toBe(NF_DROP);
    expect(sent().map((m) => m.block)).toEqual([2]);
    // The duplicate ACK 1 (a delayed copy): no second DATA 2.
    expect(fromClient(41000, tid, ack(1))).toBe(NF_DROP);
    expect(sent()).toHaveLength(0);
    fromClient(41000, tid, ack(2));
    expect(sent().map((m) => m.block)).toEqual([3]);
    // An older ACK still: ignored too.
    fromClient(41000, tid, ack(1));
    expect(sent()).toHaveLength(0);
    expect(stats(engine).transfers_active).toBe(1);
  });

  it("does not double the DATA stream when every ACK arrives twice", () => {
    engine = newCache();
    originServes(engine, "f", content);
    const tid = startHit();
    let count = 1;
    for (let b = 1; b <= 6; b++) {
      expect(fromClient(41000, tid, ack(b))).toBe(NF_DROP);
      // The last duplicate comes after the end: still dropped, never passed to the origin.
      expect(fromClient(41000, tid, ack(b))).toBe(NF_DROP);
      count += sent().filter((m) => m.opcode === 3).length;
    }
    expect(count).toBe(6);
    expect(stats(engine)).toMatchObject({ served: 1, duplicate_acks: 6, transfers_active: 0 });
    // After the linger time the port is forgotten: traffic to it is not the cache's.
    engine.advance(2000);
    expect(fromClient(41000, tid, ack(6))).toBe(NF_ACCEPT);
  });
});

describe("block-number rollover", () => {
  it("serves a file of more than 65535 blocks, block numbers wrapping to 0", () => {
    // 560 000 bytes recorded at 1468-byte blocks, served at 8: 70 000 full blocks and an empty one.
    engine = newCache();
    const big = file(560_000, 8);
    originServes(engine, "big", big, { options: { blksize: 1468 }, oack: { blksize: 1468 }, blksize: 1468 });
    expect(engine.storeStats().entries).toBe(1);
    const hit = download(engine, "big", { options: { blksize: 8 } });
    expect(hit.content.equals(big)).toBe(true);
    const blocks = hit.messages.filter((m) => m.opcode === 3).map((m) => m.block!);
    expect(blocks).toHaveLength(70_001);
    expect(blocks.slice(65_534, 65_538)).toEqual([65_535, 0, 1, 2]);
    expect(blocks.at(-1)).toBe(70_001 - 65_536);
    expect(stats(engine).served).toBe(1);
  });
});

describe("bad ACKs and unknown TIDs (RFC 1350 §4, §7)", () => {
  it("ends with ERROR 4 on an ACK for a block never sent", () => {
    engine = newCache();
    originServes(engine, "f", content);
    const tid = startHit();
    fromClient(41000, tid, ack(5));
    expect(sent().map((m) => [m.opcode, m.code])).toEqual([[5, 4]]);
    expect(stats(engine)).toMatchObject({ transfers_active: 0, bad_acks: 1 });
  });

  it("ends with ERROR 4 when the OACK is answered with an ACK other than 0", () => {
    engine = newCache();
    originServes(engine, "f", content);
    fromClient(41000, 69, Buffer.from("\x00\x01f\x00octet\x00blksize\x001024\x00", "latin1"));
    const [oack] = sent();
    expect(oack).toMatchObject({ opcode: 6 });
    fromClient(41000, oack!.sport, ack(1));
    expect(sent().map((m) => [m.opcode, m.code])).toEqual([[5, 4]]);
    expect(stats(engine)).toMatchObject({ transfers_active: 0, bad_acks: 1 });
  });

  it("answers a packet from another TID with ERROR 5 and goes on with the transfer", () => {
    engine = newCache();
    originServes(engine, "f", content);
    const tid = startHit();
    expect(fromClient(41999, tid, ack(1))).toBe(NF_DROP);
    expect(fromClient(41000, tid, ack(1), "198.18.1.99")).toBe(NF_DROP);
    const errors = sent();
    expect(errors.map((m) => [m.opcode, m.code, m.dst, m.dport])).toEqual([[5, 5, CLIENT, 41999], [5, 5, "198.18.1.99", 41000]]);
    fromClient(41000, tid, ack(1));
    expect(sent().map((m) => m.block)).toEqual([2]);
    expect(stats(engine).unknown_tid).toBe(2);
  });

  it("ends with ERROR 4 on a message other than ACK, and quietly on the client's ERROR", () => {
    engine = newCache();
    originServes(engine, "f", content);
    const tid = startHit();
    fromClient(41000, tid, Buffer.from("\x00\x03\x00\x01xx", "latin1"));
    expect(sent().map((m) => [m.opcode, m.code])).toEqual([[5, 4]]);
    const tid2 = startHit(41001);
    fromClient(41001, tid2, Buffer.from("\x00\x05\x00\x00bye\x00", "latin1"));
    expect(sent()).toHaveLength(0);
    expect(stats(engine).transfers_active).toBe(0);
  });

  it("ends a hit whose entry was removed mid-transfer with ERROR", () => {
    engine = newCache();
    originServes(engine, "f", content);
    const tid = startHit();
    // A WRQ of the same file removes the entry.
    fromClient(42000, 69, Buffer.from("\x00\x02f\x00octet\x00", "latin1"));
    fromClient(41000, tid, ack(1));
    expect(sent().map((m) => [m.opcode, m.code])).toEqual([[5, 0]]);
    expect(stats(engine).transfers_active).toBe(0);
  });
});

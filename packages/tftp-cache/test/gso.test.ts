// Windows (RFC 7440) sent as UDP-GSO super-datagrams (kmod.send_gso), which
// the sim cuts into datagrams as the kernel does: the datagrams must be the
// ones a send per block puts on the wire, at rollover and on retransmission
// too.
import { afterEach, describe, expect, it } from "vitest";
import { udp, type Engine } from "@kcache/kmod";
import {
  ack, CLIENT, CLIENT_LINK, decode, download, file, newCache, ORIGIN, originServes, rrq, stats, type ClientOptions, type Message,
} from "./support/tftp.ts";

let engines: Engine[] = [];
afterEach(() => {
  for (const e of engines) e.close();
  engines = [];
});

const hex = (messages: Message[]) => messages.filter((m) => m.opcode === 3).map((m) => m.packet.toString("hex"));

/** An engine with `content` cached as "f" (recorded at 1468-byte blocks). */
function cached(content: Buffer, settings: Record<string, unknown> = {}): Engine {
  const engine = newCache(settings);
  engines.push(engine);
  originServes(engine, "f", content, { options: { blksize: 1468 }, oack: { blksize: 1468 }, blksize: 1468 });
  return engine;
}

/** A hit with the client's link known (GSO windows), and the same hit through one send per block. */
function bothWays(content: Buffer, client: ClientOptions) {
  const gsoEngine = cached(content);
  const perBlockEngine = cached(content, { link_layer_sends: false });
  const gso = download(gsoEngine, "f", { ...client, link: CLIENT_LINK });
  const perBlock = download(perBlockEngine, "f", { ...client, link: CLIENT_LINK });
  return { gso, perBlock, gsoStats: stats(gsoEngine), perBlockStats: stats(perBlockEngine) };
}

describe("windows as UDP-GSO super-datagrams", () => {
  it("sends each window in one super-datagram whose datagrams are byte-identical to one send per block", () => {
    // A short last block, a last block that is empty and ends a window, and an empty block alone in the last window.
    for (const [size, superDatagrams] of [[100_000, 5], [1468 * 31, 2], [1468 * 32, 2]] as const) {
      const content = file(size, size);
      const { gso, perBlock, gsoStats, perBlockStats } = bothWays(content, { options: { blksize: 1468, windowsize: 16 } });
      expect(gso.content.equals(content)).toBe(true);
      expect(gsoStats).toMatchObject({ gso_sends: superDatagrams, gso_fallbacks: 0, served: 1, data_sent: Math.floor(size / 1468) + 1 });
      expect(perBlockStats.gso_sends).toBe(0);
      expect(hex(gso.messages)).toEqual(hex(perBlock.messages));
      // The IP id is the block number, the one the kernel counts up to in a super-datagram.
      expect(gso.messages.filter((m) => m.opcode === 3).every((m) => m.packet.readUInt16BE(4) === m.block)).toBe(true);
    }
  });

  it("cuts a window larger than one super-datagram holds (64 KiB) into several", () => {
    // 64 blocks of 1468 + 4 bytes: 44 per super-datagram, then 20.
    const content = file(1468 * 100, 3);
    const { gso, perBlock, gsoStats } = bothWays(content, { options: { blksize: 1468, windowsize: 64 } });
    expect(gso.content.equals(content)).toBe(true);
    expect(gso.acksSent).toBe(3); // ACK 0, 64, 101
    expect(gsoStats.gso_sends).toBe(3); // 44 + 20, then 37 blocks (36 full and the empty last one)
    expect(hex(gso.messages)).toEqual(hex(perBlock.messages));
  });

  it("sends blocks too small for a GSO segment one by one", () => {
    const content = file(1000, 4);
    const { gso, perBlock, gsoStats } = bothWays(content, { options: { blksize: 32, windowsize: 8 } });
    expect(gso.content.equals(content)).toBe(true);
    expect(gsoStats).toMatchObject({ gso_sends: 0, data_sent: 32 });
    expect(hex(gso.messages)).toEqual(hex(perBlock.messages));
  });

  it("wraps block numbers and IP ids to 0 inside a super-datagram at rollover", () => {
    // 66 000 blocks of 60 bytes (the smallest block a GSO segment takes): the window 65521..65536 spans the wrap.
    const content = file(60 * 66_000 + 7, 5);
    const { gso, perBlock, gsoStats } = bothWays(content, { options: { blksize: 60, windowsize: 16 } });
    expect(gso.content.equals(content)).toBe(true);
    expect(gsoStats.gso_sends).toBe(4125);
    const data = gso.messages.filter((m) => m.opcode === 3);
    expect(data.slice(65_533, 65_539).map((m) => [m.block, m.packet.readUInt16BE(4)])).toEqual(
      [[65_534, 65_534], [65_535, 65_535], [0, 0], [1, 1], [2, 2], [3, 3]]);
    expect(hex(gso.messages)).toEqual(hex(perBlock.messages));
  });
});

describe("retransmission and duplicate ACKs with GSO windows", () => {
  it("rolls back after a lost DATA and sends the rest of the window from there in one super-datagram", () => {
    const content = file(1468 * 20, 6);
    let lost = false;
    const deliver = (m: Message) => {
      if (m.block !== 5 || lost) return true;
      lost = true;
      return false;
    };
    const gsoEngine = cached(content);
    const hit = download(gsoEngine, "f", { options: { blksize: 1468, windowsize: 8 }, link: CLIENT_LINK, deliver });
    expect(hit.content.equals(content)).toBe(true);
    const blocks = hit.messages.filter((m) => m.opcode === 3).map((m) => m.block);
    // 1..8 (5 lost: the client ACKs 4), then 5..12, 13..20, 21 (empty, alone).
    expect(blocks).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
    expect(stats(gsoEngine)).toMatchObject({ gso_sends: 3, data_sent: 25, served: 1 });
    // The second copies of 5..8 are the first ones, byte for byte.
    const data = hit.messages.filter((m) => m.opcode === 3);
    expect(data.slice(8, 12).map((m) => m.packet.toString("hex"))).toEqual(data.slice(4, 8).map((m) => m.packet.toString("hex")));
  });

  it("resends a whole window in one super-datagram when its ACK is lost (timeout)", () => {
    const content = file(1468 * 20, 7);
    let lost = false;
    const gsoEngine = cached(content);
    const sendAck = (block: number) => {
      if (block !== 8 || lost) return true;
      lost = true;
      return false;
    };
    const hit = download(gsoEngine, "f", { options: { blksize: 1468, windowsize: 8 }, link: CLIENT_LINK, sendAck });
    expect(hit.content.equals(content)).toBe(true);
    expect(hit.waits).toBe(1);
    const data = hit.messages.filter((m) => m.opcode === 3);
    expect(data.map((m) => m.block).slice(0, 16)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(data.slice(8, 16).map((m) => m.packet.toString("hex"))).toEqual(data.slice(0, 8).map((m) => m.packet.toString("hex")));
    expect(stats(gsoEngine)).toMatchObject({ gso_sends: 4, retransmissions: 1, served: 1 });
  });

  it("sends nothing for a duplicate ACK of a window", () => {
    const engine = cached(file(1468 * 40, 8));
    const fromClient = (dport: number, payload: Buffer) =>
      engine.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport: 41000, dport, payload }), CLIENT_LINK);
    fromClient(69, rrq("f", "octet", { blksize: 1468, windowsize: 8 }));
    const [oack] = engine.takeSent().map(decode);
    fromClient(oack!.sport, ack(0));
    expect(engine.takeSent().map(decode).map((m) => m.block)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    fromClient(oack!.sport, ack(8));
    expect(engine.takeSent().map(decode).map((m) => m.block)).toEqual([9, 10, 11, 12, 13, 14, 15, 16]);
    fromClient(oack!.sport, ack(8));
    expect(engine.takeSent()).toHaveLength(0);
    expect(stats(engine)).toMatchObject({ gso_sends: 2, transfers_active: 1 });
  });
});

// The netem bundle on the engine's simulated wire (no root needed): delay on
// the virtual clock, jitter bounds and order, loss rates, stats, refusals.
import { afterEach, describe, expect, it } from "vitest";
import { Engine, NF_ACCEPT, NF_DROP, NF_STOLEN, udp } from "@kcache/kmod";
import { configureNetem, NETEM_BUNDLE, netemStats, type NetemOptions } from "../src/netem.ts";

const CLIENT = "198.18.1.2";
const ORIGIN = "198.18.2.2";

/** A UDP packet whose payload is its sequence number (4 bytes, big-endian). */
function packet(seq: number, src = CLIENT, dst = ORIGIN): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(seq);
  return udp({ src, dst, sport: 40000, dport: 69, payload });
}

function seqOf(p: Buffer): number {
  return p.readUInt32BE(28);
}

/** netem's seeded generator in JS: lowbias32 over a Weyl sequence (the reference the bundle must match). */
function referenceGenerator(seed: number): () => number {
  let weyl = seed >>> 0;
  return () => {
    weyl = (weyl + 0x9e3779b9) >>> 0;
    let x = weyl;
    x = (x ^ (x >>> 16)) >>> 0;
    x = Math.imul(x, 0x7feb352d) >>> 0;
    x = (x ^ (x >>> 15)) >>> 0;
    x = Math.imul(x, 0x846ca68b) >>> 0;
    return (x ^ (x >>> 16)) >>> 0;
  };
}

function take(next: () => number, n: number): number[] {
  return Array.from({ length: n }, next);
}

/** A uniform integer in [0, n) the way the bundle draws it (Lemire's multiply-and-reject), n small. */
function referenceBelow(next: () => number, n: number): number {
  let product = next() * n;
  if (product % 2 ** 32 < n) {
    const threshold = (2 ** 32 - n) % n;
    while (product % 2 ** 32 < threshold) product = next() * n;
  }
  return Math.floor(product / 2 ** 32);
}

let engine: Engine;

function start(options?: NetemOptions, engineSeed = 1): void {
  engine = Engine.sim({ seed: engineSeed });
  engine.insertRule({ hook: "FORWARD", script: NETEM_BUNDLE });
  if (options) configureNetem(engine, options);
}

/** Injects and returns the verdict (held packets: NF_STOLEN). */
function send(seq: number, src?: string, dst?: string): number {
  return engine.inject("FORWARD", packet(seq, src, dst)).verdict;
}

/** Sequence numbers released since the last call, all with NF_ACCEPT. */
function releasedSeqs(): number[] {
  return engine.takeReleased().map((r) => {
    expect(r.verdict).toBe(NF_ACCEPT);
    return seqOf(r.packet);
  });
}

/** Advances `totalUs` in `stepUs` steps, noting in `times` when each packet is released (µs, rounded up to a step). */
function advanceNoting(times: Map<number, number>, totalUs: number, stepUs: number): void {
  for (let t = 0; t < totalUs; t += stepUs) {
    engine.advanceUs(stepUs);
    for (const seq of releasedSeqs()) times.set(seq, engine.nowUs());
  }
}

/** Advances in `stepUs` steps until nothing is held or `maxUs` passed; returns seq -> release time (µs). */
function releaseTimes(stepUs: number, maxUs: number, times = new Map<number, number>()): Map<number, number> {
  const end = engine.nowUs() + maxUs;
  while (netemStats(engine).held > 0 && engine.nowUs() < end) advanceNoting(times, stepUs, stepUs);
  return times;
}

afterEach(() => {
  expect(engine.takeLogs()).toEqual([]);
  engine.close();
});

describe("delay", () => {
  it("holds a packet for exactly the default 20 ms on the virtual clock, then accepts it unchanged", () => {
    start();
    engine.advanceUs(7_300);
    const sent = packet(1);
    const result = engine.inject("FORWARD", sent);
    expect(result).toMatchObject({ verdict: NF_STOLEN, held: true });
    expect(netemStats(engine)).toMatchObject({ seen: 1, delayed: 1, held: 1, released: 0 });
    engine.advanceUs(19_999);
    expect(engine.takeReleased()).toEqual([]);
    engine.advanceUs(1);
    const released = engine.takeReleased();
    expect(released).toHaveLength(1);
    expect(released[0]!.verdict).toBe(NF_ACCEPT);
    expect(released[0]!.packet.equals(sent)).toBe(true);
    expect(engine.nowUs()).toBe(27_300);
    expect(netemStats(engine)).toMatchObject({ seen: 1, delayed: 1, held: 0, released: 1, queues: 0 });
  });

  it("a configured delay is exact for every packet, in arrival order", () => {
    start({ delay_ms: 35 });
    const arrivals: number[] = [];
    for (let seq = 0; seq < 40; seq++) {
      engine.advanceUs(seq % 3 === 0 ? 0 : 400 + seq * 17); // some arrive together; all within 35 ms
      arrivals.push(engine.nowUs());
      expect(send(seq)).toBe(NF_STOLEN);
    }
    const groups = new Map<number, number[]>(); // arrival time -> its packets, in order
    for (const [seq, at] of arrivals.entries()) groups.set(at, [...(groups.get(at) ?? []), seq]);
    expect(groups.size).toBeLessThan(40);
    for (const [at, seqs] of groups) {
      engine.advanceUs(at + 35_000 - 1 - engine.nowUs());
      expect(releasedSeqs()).toEqual([]);
      engine.advanceUs(1);
      expect(releasedSeqs()).toEqual(seqs);
    }
    expect(netemStats(engine)).toMatchObject({ seen: 40, delayed: 40, released: 40, held: 0 });
  });

  it("delay 0 without jitter accepts at once, holding nothing", () => {
    start({ delay_ms: 0 });
    expect(engine.inject("FORWARD", packet(1))).toMatchObject({ verdict: NF_ACCEPT, held: false });
    expect(netemStats(engine)).toMatchObject({ seen: 1, passed: 1, delayed: 0, held: 0 });
  });

  it("directions are separate queues, and a new configuration applies to new packets only", () => {
    start({ delay_ms: 100 });
    send(1); // client -> origin, due at 100 ms
    configureNetem(engine, { delay_ms: 10 });
    send(2); // same direction: waits behind packet 1
    send(3, ORIGIN, CLIENT); // the other direction: 10 ms
    expect(netemStats(engine)).toMatchObject({ held: 3, queues: 2 });
    engine.advanceUs(10_000);
    expect(releasedSeqs()).toEqual([3]);
    engine.advanceUs(89_999);
    expect(releasedSeqs()).toEqual([]);
    engine.advanceUs(1);
    expect(releasedSeqs()).toEqual([1, 2]);
    expect(netemStats(engine)).toMatchObject({ held: 0, queues: 0, released: 3 });
  });
});

describe("jitter", () => {
  it("each delay is within delay ± jitter and spreads over the whole range", () => {
    start({ delay_ms: 30, jitter_ms: 10, seed: 7 });
    const step = 100;
    const delays: number[] = [];
    for (let seq = 0; seq < 400; seq++) {
      const at = engine.nowUs();
      send(seq);
      engine.advanceUs(20_000 - 1);
      expect(releasedSeqs()).toEqual([]);
      engine.advanceUs(1);
      let got = releasedSeqs();
      while (got.length === 0 && engine.nowUs() - at < 40_000) {
        engine.advanceUs(step);
        got = releasedSeqs();
      }
      expect(got).toEqual([seq]);
      delays.push(engine.nowUs() - at);
    }
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(20_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(40_000);
    expect(Math.min(...delays)).toBeLessThan(20_500);
    expect(Math.max(...delays)).toBeGreaterThan(39_500);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(Math.abs(mean - 30_000)).toBeLessThan(1_200); // sd of the mean: 5.77 ms / 20 = 0.29 ms
    const quarters = [0, 0, 0, 0];
    for (const d of delays) quarters[Math.min(3, Math.floor((d - 20_000) / 5_000))]! += 1;
    for (const q of quarters) expect(q).toBeGreaterThan(60); // 100 expected in each
  });

  it("without reorder a direction stays in order: each release is the latest due time so far", () => {
    // The same seed draws the same delays in both runs: with reorder, packet i
    // leaves at its own due time; without, at the latest due time of packets 0..i.
    const run = (reorder: boolean) => {
      start({ delay_ms: 30, jitter_ms: 10, seed: 3, reorder });
      const times = new Map<number, number>();
      for (let seq = 0; seq < 200; seq++) {
        expect(send(seq)).toBe(NF_STOLEN);
        advanceNoting(times, 1_000, 50);
      }
      releaseTimes(50, 100_000, times);
      const order = [...times.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([seq]) => seq);
      expect(times.size).toBe(200);
      expect(netemStats(engine)).toMatchObject({ held: 0, released: 200, queues: 0 });
      engine.close();
      return { times, order };
    };
    const free = run(true);
    const fifo = run(false);
    start(); // for afterEach

    // Pairs that overtook: about 600 expected for ±10 ms of jitter at 1 ms spacing (sum over gaps k of (20-k)^2/800).
    let inversions = 0;
    for (let i = 0; i < 200; i++) for (let j = i + 1; j < 200; j++) if (free.times.get(i)! > free.times.get(j)!) inversions += 1;
    expect(inversions).toBeGreaterThan(300);
    expect(free.order).not.toEqual([...Array(200).keys()]);
    expect(fifo.order).toEqual([...Array(200).keys()]);
    let latest = 0;
    for (let seq = 0; seq < 200; seq++) {
      latest = Math.max(latest, free.times.get(seq)!);
      expect(fifo.times.get(seq)).toBe(latest);
      const sentAt = seq * 1_000;
      expect(fifo.times.get(seq)! - sentAt).toBeGreaterThanOrEqual(20_000);
      expect(fifo.times.get(seq)! - sentAt).toBeLessThanOrEqual(40_050);
    }
  });

  it("with a seed, each delay is exactly delay - jitter + below(2 jitter + 1) µs of the reference generator", () => {
    start({ delay_ms: 10, jitter_ms: 3, seed: 5, reorder: true });
    const next = referenceGenerator(5);
    for (let seq = 0; seq < 200; seq++) {
      const wait = 10_000 - 3_000 + referenceBelow(next, 6_001);
      send(seq);
      engine.advanceUs(wait - 1);
      expect(releasedSeqs()).toEqual([]);
      engine.advanceUs(1);
      expect(releasedSeqs()).toEqual([seq]);
    }
  });

  it("jitter larger than the delay never makes a negative delay", () => {
    start({ delay_ms: 2, jitter_ms: 5, seed: 11, reorder: true });
    let passed = 0;
    for (let seq = 0; seq < 300; seq++) if (send(seq) === NF_ACCEPT) passed += 1;
    const times = releaseTimes(100, 10_000);
    expect(Math.max(...times.values())).toBeLessThanOrEqual(7_000);
    expect(netemStats(engine)).toMatchObject({ seen: 300, passed, delayed: 300 - passed, released: 300 - passed, held: 0 });
  });
});

describe("loss", () => {
  /** Sends n packets with no delay; returns the indexes dropped. */
  function drops(n: number): number[] {
    const dropped: number[] = [];
    for (let seq = 0; seq < n; seq++) {
      const verdict = send(seq);
      if (verdict === NF_DROP) dropped.push(seq);
      else expect(verdict).toBe(NF_ACCEPT);
    }
    return dropped;
  }

  it("loss_permille 50 drops 5% of 10,000 packets (within 4.5 standard deviations)", () => {
    start({ delay_ms: 0, loss_permille: 50, seed: 2024 });
    const lost = drops(10_000).length;
    expect(Math.abs(lost - 500)).toBeLessThan(100); // sd = sqrt(10000 * 0.05 * 0.95) = 21.8
    expect(netemStats(engine)).toMatchObject({ seen: 10_000, lost, dropped: lost, passed: 10_000 - lost, overflow: 0 });
  });

  it("loss_percent 10 drops 10% of 10,000 packets, with the engine's random numbers", () => {
    start({ delay_ms: 0, loss_percent: 10 });
    const lost = drops(10_000).length;
    expect(Math.abs(lost - 1_000)).toBeLessThan(135); // sd = 30
    expect(engine.call(0, "current_config")[0]).toMatchObject({ loss_permille: 100 });
  });

  it("the drop pattern repeats for the same engine seed, and for the same configured seed on any engine seed", () => {
    const pattern = (engineSeed: number, seed?: number) => {
      start({ delay_ms: 0, loss_permille: 300, seed }, engineSeed);
      const result = drops(500).join(",");
      engine.close();
      return result;
    };
    expect(pattern(1)).toBe(pattern(1));
    expect(pattern(1)).not.toBe(pattern(2));
    expect(pattern(1, 99)).toBe(pattern(2, 99));
    expect(pattern(1, 99)).not.toBe(pattern(1, 100));
    start();
  });

  it("loss 0 drops none of 10,000 delayed packets; loss 1000 drops all", () => {
    start({ delay_ms: 5, loss_permille: 0 });
    for (let seq = 0; seq < 10_000; seq++) expect(send(seq)).toBe(NF_STOLEN);
    engine.advanceUs(5_000);
    const released = releasedSeqs();
    expect(released).toEqual([...Array(10_000).keys()]);
    expect(netemStats(engine)).toMatchObject({ seen: 10_000, delayed: 10_000, dropped: 0, released: 10_000, held: 0 });
    configureNetem(engine, { loss_permille: 1000 });
    expect(drops(100)).toHaveLength(100);
  });
});

describe("stats and limits", () => {
  it("counts seen, delayed, dropped and held; reset_stats zeroes the counters", () => {
    start({ delay_ms: 10, limit: 3 });
    expect(netemStats(engine)).toEqual({ seen: 0, passed: 0, delayed: 0, dropped: 0, lost: 0, overflow: 0, released: 0, release_failed: 0, held: 0, queues: 0 });
    for (let seq = 0; seq < 5; seq++) send(seq);
    expect(netemStats(engine)).toEqual({ seen: 5, passed: 0, delayed: 3, dropped: 2, lost: 0, overflow: 2, released: 0, release_failed: 0, held: 3, queues: 1 });
    configureNetem(engine, { delay_ms: 10, limit: 3, loss_permille: 1000 });
    send(9);
    expect(netemStats(engine)).toMatchObject({ seen: 6, dropped: 3, lost: 1, overflow: 2, held: 3 });
    engine.call(0, "reset_stats");
    expect(netemStats(engine)).toMatchObject({ seen: 0, dropped: 0, held: 3, queues: 1 });
    engine.advanceUs(10_000);
    expect(releasedSeqs()).toEqual([0, 1, 2]);
    expect(netemStats(engine)).toMatchObject({ released: 3, held: 0, queues: 0 });
  });
});

describe("configuration", () => {
  it("defaults to 20 ms, no jitter, no loss, no reordering; configure returns what is in force", () => {
    start();
    expect(engine.call(0, "current_config")).toEqual([{ delay_ms: 20, jitter_ms: 0, loss_permille: 0, reorder: false, limit: 10_000 }]);
    expect(configureNetem(engine, { jitter_ms: 3, seed: 5 })).toEqual({ delay_ms: 20, jitter_ms: 3, loss_permille: 0, reorder: false, limit: 10_000, seed: 5 });
    expect(configureNetem(engine, {})).toEqual({ delay_ms: 20, jitter_ms: 0, loss_permille: 0, reorder: false, limit: 10_000 });
  });

  const refused: [unknown, RegExp][] = [
    [{ delay_ms: -1 }, /netem: delay_ms must be an integer from 0 to 1000000 ms, got -1/],
    [{ delay_ms: "20" }, /netem: delay_ms must be an integer from 0 to 1000000 ms, got "20"/],
    [{ jitter_ms: 1_000_001 }, /netem: jitter_ms must be an integer from 0 to 1000000 ms, got 1000001/],
    [{ loss_permille: 1001 }, /netem: loss_permille must be an integer from 0 to 1000 \(per mille\), got 1001/],
    [{ loss_percent: 101 }, /netem: loss_percent must be an integer from 0 to 100 \(per cent\), got 101/],
    [{ loss_percent: 5, loss_permille: 50 }, /netem: give loss_permille or loss_percent, not both/],
    [{ delay: 20 }, /netem: unknown option "delay" \(known: delay_ms, /],
    [{ reorder: "yes" }, /netem: reorder must be true or false, got "yes"/],
    [{ limit: 0 }, /netem: limit must be an integer from 1 to 1000000 packets, got 0/],
    [{ seed: "x" }, /netem: seed must be an integer, got "x"/],
    [[20], /netem: unknown option 1/],
    [5, /netem: configure takes a table of options, got number 5/],
  ];
  it.each(refused)("refuses %j with its reason and keeps the configuration in force", (bad, reason) => {
    start({ delay_ms: 7, loss_permille: 1 });
    expect(() => engine.call(0, "configure", [bad])).toThrow(reason);
    expect(engine.call(0, "current_config")[0]).toMatchObject({ delay_ms: 7, loss_permille: 1 });
  });

  it("refuses a fraction before it reaches Lua (bundles are integer-only)", () => {
    start();
    expect(() => configureNetem(engine, { loss_percent: 2.5 })).toThrow(/not an integer/);
    expect(engine.call(0, "current_config")[0]).toMatchObject({ loss_permille: 0 });
  });

  it("a configured seed restarts netem's generator: lowbias32 over a Weyl sequence", () => {
    start({ seed: 42 });
    const draws = () => Array.from({ length: 5 }, () => engine.call(0, "draw32")[0] as number);
    const first = draws();
    expect(first).toEqual(take(referenceGenerator(42), 5));
    configureNetem(engine, { seed: 42 });
    expect(draws()).toEqual(first);
    configureNetem(engine, {});
    expect(draws()).not.toEqual(first); // back on kmod.random32
  });
});

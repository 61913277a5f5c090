// Hostile input: seeded random mutations of valid messages (bytes
// replaced, inserted, deleted, lines duplicated). Whatever the parser
// decides (accept or reject, and where), it must decide the same for every
// split of the input: whole (fast paths), byte by byte (no fast path), and
// in two chunks at every position. And it must never raise a Lua error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "@kcache/kmod";
import { asList, engineWithBundle, type SplitReport } from "./bundle.ts";

const SEEDS: { kind: "request" | "response"; text: string }[] = [
  { kind: "request", text: "GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n" },
  { kind: "request", text: "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n" },
  { kind: "request", text: "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n" },
  { kind: "response", text: "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 304 Not Modified\r\n\r\n" },
  { kind: "response", text: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n" },
  { kind: "response", text: "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody until close" },
  { kind: "request", text: "GET /x HTTP/1.1\r\nHost: a.example\r\nUser-Agent: Mozilla/5.0 (X11)\r\nConnection: keep-alive\r\nX: 1\r\n\r\n" },
];

const ALPHABET = "\r\n :;,\t\"\\0123456789abcdefABCDEF-/?#HTTPchunkedContent-LengthTransfer-Encoding\x00\x7f\xff";

/** mulberry32: a small seeded generator, so failures can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(text: string, rnd: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const ch = ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
    const op = rnd();
    if (op < 0.35) s = s.slice(0, at) + ch + s.slice(at + 1);
    else if (op < 0.7) s = s.slice(0, at) + ch + s.slice(at);
    else if (op < 0.9) s = s.slice(0, at) + s.slice(at + 1);
    else {
      const lineStart = s.lastIndexOf("\r\n", at);
      const lineEnd = s.indexOf("\r\n", at);
      if (lineStart >= 0 && lineEnd > lineStart) s = s.slice(0, lineEnd) + s.slice(lineStart, lineEnd) + s.slice(lineEnd);
    }
  }
  return s;
}

let engine: Engine;
beforeAll(() => {
  engine = engineWithBundle();
});
afterAll(() => engine?.close());

describe("mutated messages", () => {
  it.each(SEEDS.map((s, i) => [i, s] as const))("seed message %i: every split gives the same decision", (i, seed) => {
    const rnd = random(1000 + i);
    const outcomes = new Map<string, number>();
    for (let n = 0; n < 60; n++) {
      const input = mutate(seed.text, rnd);
      const [report] = engine.call(0, "traceSplits", [seed.kind, Buffer.from(input, "latin1"), { maxHeaderSize: 64 + (n % 3) * 32 }]) as [SplitReport];
      expect(engine.takeLogs(), JSON.stringify(input)).toEqual([]);
      expect(asList(report.differing), JSON.stringify(input)).toEqual([]);
      const last = report.events[report.events.length - 1];
      const outcome = last?.e === "error" ? `error ${last.code}` : "accepted";
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    // The mutations reach both outcomes: the check is not vacuous.
    expect(outcomes.get("accepted") ?? 0).toBeGreaterThan(0);
    expect([...outcomes.keys()].some((k) => k.startsWith("error"))).toBe(true);
  });
});

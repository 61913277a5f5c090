// The convenience API the HTTP cache uses (MessageReader, parseHead,
// headerValue) and finish(), in the engine's Lua.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "@kcache/kmod";
import { engineWithBundle } from "./bundle.ts";

interface Head {
  method: number; methodName: string; url: string; status: number; reason: string;
  versionMajor: number; versionMinor: number; headers: { name: string; value: string }[];
  flags: number; contentLength: number; chunked: boolean; keepAlive: boolean; upgrade: boolean;
}
interface Collected {
  messages: { head: Head; body: string; trailers?: { name: string; value: string }[]; complete: boolean }[];
  error: number; reason: string; errorOffset: number; finish?: number;
}

let engine: Engine;
beforeAll(() => {
  engine = engineWithBundle();
});
afterAll(() => engine?.close());

const collect = (kind: string, chunks: string[], options: Record<string, unknown> = {}): Collected =>
  engine.call(0, "collectMessages", [kind, chunks.map((c) => Buffer.from(c, "latin1")), options])[0] as Collected;

describe("parseHead", () => {
  it("collects a request head into a table and says where the body starts", () => {
    const [r] = engine.call(0, "parseHead", ["request", "GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nAccept: text/html \r\nAccept:\t*/*\r\nContent-Length: 4\r\n\r\nbody"]) as [
      { head: Head; length: number; error: number }];
    expect(r.error).toBe(0);
    expect(r.length).toBe(94);
    expect(r.head).toMatchObject({
      method: 1, methodName: "GET", url: "/a?b=1", versionMajor: 1, versionMinor: 1, contentLength: 4, keepAlive: true,
      headers: [{ name: "Host", value: "example.com" }, { name: "Accept", value: "text/html" }, { name: "Accept", value: "*/*" }, { name: "Content-Length", value: "4" }],
    });
    expect(engine.call(0, "headerValue", [r.head, "ACCEPT"])).toEqual(["text/html, */*"]);
    expect(engine.call(0, "headerValue", [r.head, "X-Missing"])).toEqual([null]);
  });

  it("reports an incomplete head without error, and an invalid one with the reason", () => {
    expect(engine.call(0, "parseHead", ["response", "HTTP/1.1 200 OK\r\nContent-Le"])[0]).toMatchObject({ error: 0, reason: "incomplete" });
    expect(engine.call(0, "parseHead", ["response", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"])[0])
      .toMatchObject({ error: 4, reason: "Duplicate Content-Length" });
  });
});

describe("MessageReader", () => {
  it("reads pipelined responses from arbitrary chunks: heads, bodies, trailers", () => {
    const stream = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nETag: \"x\"\r\n\r\n" +
      "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    for (const size of [1, 7, 64, stream.length]) {
      const chunks: string[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.slice(i, i + size));
      const r = collect("response", chunks);
      expect(r.error).toBe(0);
      expect(r.messages.map((m) => [m.head.status, m.head.reason, m.body, m.complete])).toEqual([
        [200, "OK", "hello world", true], [304, "Not Modified", "", true], [200, "OK", "abc", true],
      ]);
      expect(r.messages[0]!.head.chunked).toBe(true);
      expect(r.messages[0]!.trailers).toEqual([{ name: "ETag", value: "\"x\"" }]);
    }
  });

  it("finish() completes a response delimited by the end of the connection", () => {
    const r = collect("response", ["HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall", " of it"], { finish: true });
    expect(r.finish).toBe(0);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toMatchObject({ body: "all of it", complete: true, head: { keepAlive: false } });
  });

  it("finish() inside a message reports INVALID_EOF_STATE", () => {
    const r = collect("response", ["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"], { finish: true });
    expect(r.finish).toBe(14);
    expect(r.messages[0]!.complete).toBe(false);
  });

  it("a response to HEAD keeps the connection though it has no body", () => {
    const r = collect("response", ["HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"], { skipBody: true });
    expect(r.error).toBe(0);
    expect(r.messages.map((m) => [m.head.contentLength, m.head.keepAlive, m.body, m.complete])).toEqual([[5000, true, "", true], [5000, true, "", true]]);
  });

  it("stops at an error with the offset in the stream", () => {
    const r = collect("request", ["GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\n", "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"]);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]!.complete).toBe(true);
    expect(r.error).toBe(15);
    expect(r.errorOffset).toBe(81);
  });

  it("keeps no more than the header limit of a header section", () => {
    const big = `GET / HTTP/1.1\r\nX: ${"a".repeat(20000)}\r\n\r\n`;
    const r = collect("request", [big.slice(0, 10000), big.slice(10000)]);
    expect(r.error).toBe(40);
    expect(r.errorOffset).toBe(16384);
    expect(collect("request", [big], { maxHeaderSize: 32768 }).messages[0]!.complete).toBe(true);
  });

  it.each([
    ["request", "GET /a HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive\r\nAccept: text/html, */*  \r\nX-Empty:\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n" +
      "POST /b HTTP/1.1\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nxyz"],
    ["response", "HTTP/1.1 200 OK\r\nServer: nginx\r\nTransfer-Encoding: chunked\r\nCache-Control: max-age=60\r\n\r\n4\r\nWiki\r\n0\r\nX-T: 1\r\n\r\n" +
      "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno"],
  ] as const)("collects the same %s heads, bodies and trailers for every split of the stream", (kind, stream) => {
    const whole = collect(kind, [stream]);
    expect(whole.error).toBe(0);
    expect(whole.messages).toHaveLength(2);
    expect(whole.messages.every((m) => m.complete)).toBe(true);
    if (kind === "request") {
      expect(whole.messages[0]!.head.headers).toEqual([
        { name: "Host", value: "example.com" }, { name: "Connection", value: "keep-alive" },
        { name: "Accept", value: "text/html, */*" }, { name: "X-Empty", value: "" },
        { name: "Cookie", value: "a=1" }, { name: "Cookie", value: "b=2" },
      ]);
      expect(whole.messages[1]!.body).toBe("xyz");
    } else {
      expect(whole.messages[0]!.body).toBe("Wiki");
      expect(whole.messages[0]!.trailers).toEqual([{ name: "X-T", value: "1" }]);
    }
    for (let k = 1; k < stream.length; k++) {
      expect(collect(kind, [stream.slice(0, k), stream.slice(k)]), `split at ${k}`).toEqual(whole);
    }
    expect(collect(kind, [...stream])).toEqual(whole);
  });
});

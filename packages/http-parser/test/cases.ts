// Our own cases, one per rule of the parser, as data: an input, the kind of
// message, and what must come out of it (see summary.ts). Every case is
// also fed split at every position and byte by byte.
import type { Message } from "./summary.ts";

export interface RuleCase {
  name: string;
  kind: "request" | "response";
  input: string;
  options?: { skipBody?: boolean; logFinish?: boolean; maxHeaderSize?: number };
  /** Partial match on the summary: the messages (all of them, each partially), the error, the finish state. */
  expect: Expectation;
}

export interface Expectation {
  messages?: Partial<Message>[];
  error?: { code: number; off: number };
  finish?: number;
}

const E = {
  STRICT: 2, LF_EXPECTED: 3, UNEXPECTED_CONTENT_LENGTH: 4, CLOSED_CONNECTION: 5, INVALID_METHOD: 6,
  INVALID_URL: 7, INVALID_CONSTANT: 8, INVALID_VERSION: 9, INVALID_HEADER_TOKEN: 10,
  INVALID_CONTENT_LENGTH: 11, INVALID_CHUNK_SIZE: 12, INVALID_STATUS: 13,
  INVALID_TRANSFER_ENCODING: 15, PAUSED_UPGRADE: 22, CR_EXPECTED: 25, HEADER_OVERFLOW: 40,
  CHUNK_EXTENSIONS_OVERFLOW: 41,
} as const;

const expectError = (code: number, off: number) => ({ code, off });
const err = (code: number, off: number): Expectation => ({ error: expectError(code, off) });

export const CASES: RuleCase[] = [
  // ---- Start lines (RFC 9112 3, 4) ----
  {
    name: "request line: method, origin-form target, version",
    kind: "request",
    input: "GET /index.html?q=1#top HTTP/1.1\r\nHost: a\r\n\r\n",
    expect: { messages: [{ method: "GET", url: "/index.html?q=1#top", version: "1.1", complete: true, begin: 0, end: 45 }] },
  },
  {
    name: "absolute-form target with userinfo and port",
    kind: "request",
    input: "GET http://user:pw@example.com:8080/a/b?c HTTP/1.1\r\n\r\n",
    expect: { messages: [{ url: "http://user:pw@example.com:8080/a/b?c", complete: true }] },
  },
  {
    name: "authority-form target of CONNECT",
    kind: "request",
    input: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    expect: { messages: [{ method: "CONNECT", url: "example.com:443", upgrade: true, complete: true }], ...err(E.PAUSED_UPGRADE, 59) },
  },
  {
    name: "asterisk-form target of OPTIONS",
    kind: "request",
    input: "OPTIONS * HTTP/1.1\r\n\r\n",
    expect: { messages: [{ method: "OPTIONS", url: "*", complete: true }] },
  },
  {
    name: "status line: code and reason phrase with spaces",
    kind: "response",
    input: "HTTP/1.1 404 Not Found Here\r\nContent-Length: 0\r\n\r\n",
    expect: { messages: [{ status: "Not Found Here", version: "1.1", complete: true }] },
  },
  {
    name: "unknown method is rejected",
    kind: "request",
    input: "FETCH / HTTP/1.1\r\n\r\n",
    expect: err(E.INVALID_METHOD, 1),
  },
  {
    name: "lower-case method is rejected (methods are case-sensitive)",
    kind: "request",
    input: "get / HTTP/1.1\r\n\r\n",
    expect: err(E.INVALID_METHOD, 0),
  },
  {
    name: "RTSP-only method with HTTP is rejected",
    kind: "request",
    input: "SETUP / HTTP/1.1\r\n\r\n",
    expect: err(E.INVALID_CONSTANT, 12),
  },
  {
    name: "space inside the target is rejected",
    kind: "request",
    input: "GET /a b HTTP/1.1\r\n\r\n",
    expect: err(E.INVALID_CONSTANT, 7),
  },
  {
    name: "control byte in the target is rejected",
    kind: "request",
    input: "GET /a\x01b HTTP/1.1\r\n\r\n",
    expect: err(E.INVALID_URL, 6),
  },
  {
    name: "byte above 0x7f in the target is rejected",
    kind: "request",
    input: "GET /caf\xe9 HTTP/1.1\r\n\r\n",
    expect: err(E.INVALID_URL, 8),
  },
  {
    name: "HTTP/1.2 is rejected",
    kind: "request",
    input: "GET / HTTP/1.2\r\n\r\n",
    expect: err(E.INVALID_VERSION, 14),
  },
  {
    name: "status code of two digits is rejected",
    kind: "response",
    input: "HTTP/1.1 20 OK\r\n\r\n",
    expect: err(E.INVALID_STATUS, 11),
  },
  {
    name: "bare LF after the request line is rejected",
    kind: "request",
    input: "GET / HTTP/1.1\nHost: a\r\n\r\n",
    expect: err(E.INVALID_VERSION, 15),
  },
  {
    name: "bare LF after the status line is rejected",
    kind: "response",
    input: "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",
    expect: err(E.CR_EXPECTED, 16),
  },

  // ---- Header fields (RFC 9110 5, RFC 9112 5) ----
  {
    name: "repeated headers are kept in order, values without surrounding whitespace",
    kind: "request",
    input: "GET / HTTP/1.1\r\nAccept: a\r\nX-Y:\t b \r\nAccept: c\r\nEmpty:\r\n\r\n",
    expect: { messages: [{ headers: [["Accept", "a"], ["X-Y", "b "], ["Accept", "c"], ["Empty", ""]], complete: true }] },
  },
  {
    name: "header value bytes: obs-text allowed",
    kind: "request",
    input: "GET / HTTP/1.1\r\nX: caf\xe9\r\n\r\n",
    expect: { messages: [{ headers: [["X", "caf\xe9"]], complete: true }] },
  },
  {
    name: "header names may use every tchar (RFC 9110 5.6.2)",
    kind: "request",
    input: "GET / HTTP/1.1\r\n!#$%&'*+-.^_`|~09azAZ: 1\r\nA.B: 2\r\n\r\n",
    expect: { messages: [{ headers: [["!#$%&'*+-.^_`|~09azAZ", "1"], ["A.B", "2"]], complete: true }] },
  },
  {
    name: "special header names are found whatever their case",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh: 2\r\nCONNECTION: CLOSE\r\n\r\nab",
    expect: { messages: [{ body: "ab", contentLength: 2, flags: 2 | 32, complete: true }] },
  },
  {
    name: "names that look special but are not (same length and first letter)",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nContent-Lengthy: x\r\nCommection: close\r\nContent-Lenght: 7\r\nContent-Length: 1\r\n\r\nz",
    expect: { messages: [{ body: "z", contentLength: 1, flags: 32, complete: true }] },
  },
  {
    name: "NUL in a header value is rejected",
    kind: "request",
    input: "GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n",
    expect: err(E.INVALID_HEADER_TOKEN, 20),
  },
  {
    name: "DEL in a header value is rejected",
    kind: "request",
    input: "GET / HTTP/1.1\r\nX: a\x7fb\r\n\r\n",
    expect: err(E.INVALID_HEADER_TOKEN, 20),
  },
  {
    name: "separator in a header name is rejected",
    kind: "request",
    input: "GET / HTTP/1.1\r\nX(Y): 1\r\n\r\n",
    expect: err(E.INVALID_HEADER_TOKEN, 17),
  },
  {
    name: "whitespace between a header name and the colon is rejected",
    kind: "request",
    input: "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
    expect: err(E.INVALID_HEADER_TOKEN, 20),
  },
  {
    name: "whitespace after Transfer-Encoding before the colon is rejected (smuggling)",
    kind: "request",
    input: "POST / HTTP/1.1\r\nTransfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\n",
    expect: err(E.INVALID_HEADER_TOKEN, 35),
  },
  {
    name: "obs-fold (line folding) is rejected",
    kind: "request",
    input: "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
    expect: err(E.INVALID_HEADER_TOKEN, 22),
  },
  {
    name: "bare LF ending a header line is rejected",
    kind: "request",
    input: "GET / HTTP/1.1\r\nX: a\nY: b\r\n\r\n",
    expect: err(E.CR_EXPECTED, 20),
  },
  {
    name: "bare CR ending a header line is rejected",
    kind: "request",
    input: "GET / HTTP/1.1\r\nX: a\rY: b\r\n\r\n",
    expect: err(E.LF_EXPECTED, 21),
  },
  {
    name: "header section at the limit is accepted",
    kind: "request",
    input: "GET / HTTP/1.1\r\nX: 0123456789\r\n\r\n",
    options: { maxHeaderSize: 33 },
    expect: { messages: [{ complete: true }] },
  },
  {
    name: "header section over the limit is rejected where the limit is crossed",
    kind: "request",
    input: "GET / HTTP/1.1\r\nX: 0123456789\r\n\r\n",
    options: { maxHeaderSize: 32 },
    expect: err(E.HEADER_OVERFLOW, 32),
  },
  {
    name: "trailers count against the limit too",
    kind: "response",
    input: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Long-Trailer: ${"0123456789".repeat(4)}\r\n\r\n`,
    options: { maxHeaderSize: 50 },
    expect: err(E.HEADER_OVERFLOW, 100),
  },
  {
    name: "the limit counts each message's head, not the connection",
    kind: "request",
    input: "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n",
    options: { maxHeaderSize: 19 },
    expect: { messages: [{ url: "/1", complete: true }, { url: "/2", complete: true }, { url: "/3", complete: true }] },
  },

  // ---- Content-Length (RFC 9112 6.3) ----
  {
    name: "Content-Length body, then the next pipelined request",
    kind: "request",
    input: "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\n\r\n",
    expect: { messages: [{ body: "hello", contentLength: 5, complete: true, end: 44 }, { method: "GET", url: "/b", body: "", complete: true }] },
  },
  {
    name: "Content-Length of 2^53-1 is accepted",
    kind: "request",
    input: "POST / HTTP/1.1\r\nContent-Length: 9007199254740991\r\n\r\nab",
    expect: { messages: [{ contentLength: 9007199254740991, body: "ab", complete: false }] },
  },
  {
    name: "Content-Length of 2^53 is rejected as overflow",
    kind: "request",
    input: "POST / HTTP/1.1\r\nContent-Length: 9007199254740992\r\n\r\n",
    expect: err(E.INVALID_CONTENT_LENGTH, 48),
  },
  {
    name: "duplicate Content-Length is rejected, even with the same value",
    kind: "request",
    input: "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na",
    expect: err(E.UNEXPECTED_CONTENT_LENGTH, 52),
  },
  {
    name: "Content-Length list is rejected",
    kind: "request",
    input: "POST / HTTP/1.1\r\nContent-Length: 1,1\r\n\r\na",
    expect: err(E.INVALID_CONTENT_LENGTH, 34),
  },
  {
    name: "signed Content-Length is rejected",
    kind: "request",
    input: "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\na",
    expect: err(E.INVALID_CONTENT_LENGTH, 33),
  },
  {
    name: "Content-Length then Transfer-Encoding is rejected",
    kind: "request",
    input: "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    expect: err(E.INVALID_TRANSFER_ENCODING, 54),
  },
  {
    name: "Transfer-Encoding then Content-Length is rejected",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
    expect: err(E.INVALID_CONTENT_LENGTH, 60),
  },

  // ---- Transfer-Encoding (RFC 9112 6.1, 7.1) ----
  {
    name: "chunked body with extensions and trailers",
    kind: "request",
    input: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;a=1;b=\"x y\"\r\nWiki\r\n5\r\npedia\r\n0;last\r\nExpires: never\r\nX-Sum: 1\r\n\r\n",
    expect: {
      messages: [{
        body: "Wikipedia", chunks: [4, 5, 0], extensions: [["a", "1"], ["b", "\"x y\""], ["last"]],
        trailers: [["Expires", "never"], ["X-Sum", "1"]], complete: true, flags: 8 | 512,
      }],
    },
  },
  {
    name: "many chunks in one piece, of sizes 1 to 16 bytes",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
      Array.from({ length: 16 }, (_, i) => `${(i + 1).toString(16)}\r\n${"abcdefghijklmnop".slice(0, i + 1)}\r\n`).join("") + "0\r\n\r\n",
    expect: {
      messages: [{
        body: Array.from({ length: 16 }, (_, i) => "abcdefghijklmnop".slice(0, i + 1)).join(""),
        chunks: [...Array.from({ length: 16 }, (_, i) => i + 1), 0], complete: true,
      }],
    },
  },
  {
    name: "chunked is found case-insensitively and after other codings",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n1\r\nx\r\n0\r\n\r\n",
    expect: { messages: [{ body: "x", complete: true }] },
  },
  {
    name: "request with chunked not last is rejected",
    kind: "request",
    input: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
    expect: err(E.INVALID_TRANSFER_ENCODING, 44),
  },
  {
    name: "request with chunked in a second Transfer-Encoding after chunked is rejected",
    kind: "request",
    input: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
    expect: err(E.INVALID_TRANSFER_ENCODING, 65),
  },
  {
    name: "request with a Transfer-Encoding but chunked is rejected",
    kind: "request",
    input: "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc",
    expect: err(E.INVALID_TRANSFER_ENCODING, 44),
  },
  {
    name: "request with a Transfer-Encoding that only ends in chunked is rejected",
    kind: "request",
    input: "POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n1\r\na\r\n0\r\n\r\n",
    expect: err(E.INVALID_TRANSFER_ENCODING, 48),
  },
  {
    name: "response with chunked not last is read until the connection closes",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc",
    options: { logFinish: true },
    expect: { messages: [{ body: "3\r\nabc", complete: false }], finish: 1 },
  },
  {
    name: "chunk size with a non-hex byte is rejected",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1g\r\nx\r\n0\r\n\r\n",
    expect: err(E.INVALID_CHUNK_SIZE, 48),
  },
  {
    name: "chunk size with a sign is rejected",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n",
    expect: err(E.INVALID_CHUNK_SIZE, 47),
  },
  {
    name: "chunk size of 2^53-1 is accepted",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1fffffffffffff\r\nab",
    expect: { messages: [{ chunks: [9007199254740991], body: "ab", complete: false }] },
  },
  {
    name: "chunk size of 2^53 is rejected as overflow",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20000000000000\r\n",
    expect: err(E.INVALID_CHUNK_SIZE, 60),
  },
  {
    name: "leading zeros do not overflow a chunk size",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000000001\r\nx\r\n0\r\n\r\n",
    expect: { messages: [{ body: "x", complete: true }] },
  },
  {
    name: "bare LF after a chunk size is rejected",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n",
    expect: err(E.CR_EXPECTED, 49),
  },
  {
    name: "chunk data longer than its size is rejected",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n",
    expect: err(E.STRICT, 51),
  },
  {
    name: "chunk-size line over the limit is rejected",
    kind: "response",
    input: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${"e".repeat(60)}\r\nx\r\n0\r\n\r\n`,
    options: { maxHeaderSize: 48 },
    expect: err(E.CHUNK_EXTENSIONS_OVERFLOW, 95),
  },

  // ---- Messages without a body (RFC 9110 9.3.2, 15.2, 15.3.5, 15.4.5) ----
  {
    name: "response to HEAD: Content-Length but no body",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    options: { skipBody: true },
    expect: { messages: [{ contentLength: 1000, body: "", complete: true }, { status: "No Content", complete: true }] },
  },
  {
    name: "1xx responses come before the final one",
    kind: "response",
    input: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    expect: { messages: [{ status: "Continue", complete: true }, { status: "Early Hints", complete: true }, { status: "OK", body: "ok", complete: true }] },
  },
  {
    name: "204 and 304 have no body whatever their headers",
    kind: "response",
    input: "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n",
    expect: { messages: [{ body: "", complete: true }, { body: "", complete: true }] },
  },
  {
    name: "request without Content-Length has no body",
    kind: "request",
    input: "POST / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n",
    expect: { messages: [{ method: "POST", body: "", complete: true }, { method: "GET", complete: true }] },
  },

  // ---- Connection (RFC 9112 9) ----
  {
    name: "response delimited by the end of the connection",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\n\r\nsome bytes",
    options: { logFinish: true },
    expect: { messages: [{ body: "some bytes", complete: false }], finish: 1 },
  },
  {
    name: "Connection: close ends the stream; more data is rejected",
    kind: "request",
    input: "GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n",
    expect: { messages: [{ flags: 2, complete: true }], error: expectError(E.CLOSED_CONNECTION, 38) },
  },
  {
    name: "HTTP/1.0 is not persistent without keep-alive",
    kind: "request",
    input: "GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n",
    expect: { messages: [{ complete: true }], error: expectError(E.CLOSED_CONNECTION, 19) },
  },
  {
    name: "HTTP/1.0 with Connection: keep-alive carries the next request",
    kind: "request",
    input: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n",
    expect: { messages: [{ flags: 1, complete: true }, { url: "/2", complete: true }] },
  },
  {
    name: "Connection options are found in a list",
    kind: "request",
    input: "GET / HTTP/1.1\r\nConnection: foo, Close\r\n\r\n",
    expect: { messages: [{ flags: 2, complete: true }] },
  },
  {
    name: "a message cut short is not a safe end",
    kind: "request",
    input: "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
    options: { logFinish: true },
    expect: { messages: [{ body: "abc", complete: false }], finish: 2 },
  },

  // ---- Upgrade (RFC 9110 7.8) ----
  {
    name: "Upgrade request: stop after the head and hand back the rest",
    kind: "request",
    input: "GET /chat HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello",
    expect: { messages: [{ upgrade: true, complete: true }], error: expectError(E.PAUSED_UPGRADE, 63) },
  },
  {
    name: "101 Switching Protocols: stop after the head",
    kind: "response",
    input: "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\nPRI",
    expect: { messages: [{ upgrade: true, complete: true }], error: expectError(E.PAUSED_UPGRADE, 71) },
  },
  {
    name: "Upgrade offered by a 200 response is only informational",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nConnection: upgrade\r\nUpgrade: h2c\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    expect: { messages: [{ upgrade: false, body: "x", complete: true }, { complete: true }] },
  },

  // ---- Pipelining ----
  {
    name: "pipelined responses of every framing in one chunk",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.1 200 OK\r\n\r\nrest",
    expect: {
      messages: [
        { body: "abc", complete: true }, { body: "de", complete: true },
        { status: "Not Modified", complete: true }, { body: "rest", complete: false },
      ],
    },
  },
  // ---- Edges of the fast paths (whole lines checked with kmod.span) ----
  {
    name: "request target with every visible byte, '?' and '#' included",
    kind: "request",
    input: "GET /a!\"$%&'()*+,-./:;<=>@[\\]^_`{|}~?q=?#f#? HTTP/1.1\r\n\r\n",
    expect: { messages: [{ url: "/a!\"$%&'()*+,-./:;<=>@[\\]^_`{|}~?q=?#f#?", complete: true }] },
  },
  {
    name: "status line with an empty reason, and one with HTAB and obs-text",
    kind: "response",
    input: "HTTP/1.1 204 \r\n\r\nHTTP/1.0 404 Nicht\tgefunden \xfc\r\nContent-Length: 0\r\n\r\n",
    expect: { messages: [{ status: "", complete: true }, { status: "Nicht\tgefunden \xfc", version: "1.0", complete: true }] },
  },
  {
    name: "header value after HTAB whitespace, starting with obs-text, with HTAB and a trailing space",
    kind: "request",
    input: "GET / HTTP/1.1\r\nX:\t \xe9\ta \r\nY:z\r\n\r\n",
    expect: { messages: [{ headers: [["X", "\xe9\ta "], ["Y", "z"]], complete: true }] },
  },
  {
    name: "Content-Length longer than the fast path reads (16 digits)",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nContent-Length: 0000000000000003\r\n\r\nabc",
    expect: { messages: [{ body: "abc", contentLength: 3, complete: true }] },
  },
  {
    name: "a ' /' past the method does not make a request line (absolute-form, then a value with ' /')",
    kind: "request",
    input: "GET http://a.example/x HTTP/1.1\r\nReferer: /y\r\n\r\n",
    expect: { messages: [{ method: "GET", url: "http://a.example/x", headers: [["Referer", "/y"]], complete: true }] },
  },
  {
    name: "spaces before the target: the first ' /' follows a space, not the method",
    kind: "request",
    input: "GET  /x HTTP/1.1\r\n\r\n",
    expect: { messages: [{ method: "GET", url: "/x", complete: true }] },
  },
  {
    name: "PRI with an origin-form target is not a plain request line (HTTP/2 preface expected)",
    kind: "request",
    input: "PRI /x HTTP/1.1\r\nHost: a\r\n\r\n",
    expect: err(E.INVALID_VERSION, 17),
  },
  {
    name: "Content-Length with trailing whitespace",
    kind: "request",
    input: "POST / HTTP/1.1\r\nContent-Length: 3 \t\r\n\r\nabc",
    expect: { messages: [{ contentLength: 3, body: "abc", headers: [["Content-Length", "3 \t"]], complete: true }] },
  },
  {
    name: "Content-Length in hex is rejected",
    kind: "request",
    input: "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n",
    expect: err(E.INVALID_CONTENT_LENGTH, 34),
  },
  {
    name: "Content-Length with an exponent is rejected",
    kind: "request",
    input: "POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n",
    expect: err(E.INVALID_CONTENT_LENGTH, 34),
  },
  {
    name: "whole chunks of one size, then of another, then of the first again, in one piece",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n5\r\nghijk\r\n3\r\nlmn\r\n0\r\n\r\n",
    expect: { messages: [{ body: "abcdefghijklmn", chunks: [3, 3, 5, 3, 0], complete: true }] },
  },
  {
    name: "chunk sizes of 13 and 14 hex digits around the fast path's limit",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0000000000001\r\na\r\n00000000000002\r\nbc\r\n0\r\n\r\n",
    expect: { messages: [{ body: "abc", chunks: [1, 2, 0], complete: true }] },
  },
  // ---- Whole header lines (kmod.field_lines): where it stops, special fields among plain lines ----
  {
    name: "special fields whose values are not plain, between plain lines",
    kind: "request",
    input: "GET / HTTP/1.1\r\nA: 1\r\nConnection: keep-alive, Upgrade\r\nB: 2\r\nUpgrade: h2c\r\nC: 3\r\n\r\n",
    expect: {
      messages: [{ headers: [["A", "1"], ["Connection", "keep-alive, Upgrade"], ["B", "2"], ["Upgrade", "h2c"], ["C", "3"]], flags: 1 | 4 | 16, upgrade: true, complete: true }],
      ...err(E.PAUSED_UPGRADE, 83),
    },
  },
  {
    name: "special fields as the first and the last line",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nServer: x\r\nDate: y\r\nConnection: close\r\n\r\nab",
    expect: { messages: [{ headers: [["Content-Length", "2"], ["Server", "x"], ["Date", "y"], ["Connection", "close"]], body: "ab", flags: 2 | 32, complete: true }] },
  },
  {
    name: "long values with HTAB runs, then a control byte past the first eight",
    kind: "request",
    input: "GET / HTTP/1.1\r\nX: 0123456789\tabcdef\t\tghijklmnop\r\nY: 0123456789abcdef\x01x\r\n\r\n",
    expect: { messages: [{ headers: [["X", "0123456789\tabcdef\t\tghijklmnop"], ["Y", "0123456789abcdef"]], complete: false }], ...err(E.INVALID_HEADER_TOKEN, 69) },
  },
  {
    name: "DEL deep in a long value is rejected",
    kind: "request",
    input: "GET / HTTP/1.1\r\nX: 0123456789abcdefghij\x7fx\r\n\r\n",
    expect: err(E.INVALID_HEADER_TOKEN, 39),
  },
  {
    name: "bare CR deep in a long value is rejected",
    kind: "request",
    input: "GET / HTTP/1.1\r\nA: 0123456789abcdef\rX\r\n\r\n",
    expect: err(E.LF_EXPECTED, 36),
  },
  {
    name: "empty values between plain lines",
    kind: "request",
    input: "GET / HTTP/1.1\r\nA: 1\r\nE:\r\nB: 2\r\nF: \t \r\nC: 3\r\n\r\n",
    expect: { messages: [{ headers: [["A", "1"], ["E", ""], ["B", "2"], ["F", ""], ["C", "3"]], complete: true }] },
  },
  {
    name: "an empty Upgrade value sets no flag",
    kind: "request",
    input: "GET / HTTP/1.1\r\nA: 1\r\nUpgrade:\r\nConnection: upgrade\r\n\r\n",
    expect: { messages: [{ headers: [["A", "1"], ["Upgrade", ""], ["Connection", "upgrade"]], flags: 4, upgrade: false, complete: true }] },
  },
  {
    name: "forty plain lines",
    kind: "request",
    input: `GET / HTTP/1.1\r\n${Array.from({ length: 40 }, (_, i) => `X-${i}: v${i}\r\n`).join("")}\r\n`,
    expect: { messages: [{ headers: Array.from({ length: 40 }, (_, i): [string, string] => [`X-${i}`, `v${i}`]), complete: true, end: 438 }] },
  },
  {
    name: "obs-fold after a special field and after a long plain line is rejected",
    kind: "request",
    input: "POST / HTTP/1.1\r\nA: 1\r\nContent-Length: 1\r\n 2\r\n\r\nx",
    expect: err(E.INVALID_HEADER_TOKEN, 42),
  },
  {
    name: "obs-fold with HTAB after a long plain line is rejected",
    kind: "request",
    input: "GET / HTTP/1.1\r\nA: 0123456789abcdef0123456789\r\n\tmore\r\n\r\n",
    expect: err(E.INVALID_HEADER_TOKEN, 47),
  },
  {
    name: "trailers: plain lines, and a Content-Length among them is rejected",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-T: 1\r\nContent-Length: 5\r\nY-T: 2\r\n\r\n",
    expect: { messages: [{ body: "a", trailers: [["X-T", "1"], ["Content-Length", ""]], complete: false }], ...err(E.INVALID_CONTENT_LENGTH, 79) },
  },
  {
    name: "trailers of plain lines",
    kind: "response",
    input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-T: 1\r\nY-T: 2\r\n\r\n",
    expect: { messages: [{ body: "a", chunks: [1, 0], trailers: [["X-T", "1"], ["Y-T", "2"]], complete: true }] },
  },
];

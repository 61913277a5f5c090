// The parser's events as data, for tests and debugging: `trace` runs one
// input through a fresh parser (whole, split in two at every position, or
// byte by byte) and returns the event log with spans merged, so logs of
// different splits can be compared with each other and with llhttp's.
import { type HeaderField, type MessageHead, MessageReader } from "./collect";
import { HeadersResult } from "./constants";
import { type MessageKind, Parser, type ParserCallbacks } from "./parser";

/** One event; `data` for spans, `off` = offset from the start of the input. */
export interface TraceEvent {
  e: string;
  off: number;
  data?: string;
  method?: number;
  status?: number;
  major?: number;
  minor?: number;
  flags?: number;
  length?: number;
  upgrade?: boolean;
  code?: number;
  reason?: string;
}

export interface TraceOptions {
  /** headersComplete returns SKIP_BODY (llhttp's skipBody test switch). */
  skipBody?: boolean;
  /**
   * Take whole header lines through `headerLine`, logged as the four events
   * it stands for (field, field complete, value, value complete), with
   * their offsets: the log must not change.
   */
  headerLine?: boolean;
  /** Log the finish state at the end (llhttp's `-finish` test types). */
  logFinish?: boolean;
  maxHeaderSize?: number;
}

function run(kind: MessageKind, chunks: string[], options: TraceOptions): TraceEvent[] {
  const events: TraceEvent[] = [];
  let chunkBase = 0;
  const holder: { parser?: Parser } = {};
  const span = (name: string) => (data: string, first: number, last: number) => {
    const piece = string.sub(data, first, last);
    const previous = events[events.length - 1];
    if (previous !== undefined && previous.e === name && previous.off + (previous.data ?? "").length === chunkBase + first - 1) {
      previous.data = previous.data + piece;
    } else {
      events.push({ e: name, off: chunkBase + first - 1, data: piece });
    }
  };
  const event = (name: string) => () => {
    events.push({ e: name, off: holder.parser!.at });
  };
  const headerField = span("header_field");
  const headerValue = span("header_value");
  const callbacks: ParserCallbacks = {
    messageBegin: event("message begin"),
    method: span("method"),
    methodComplete: event("method complete"),
    url: span("url"),
    urlComplete: event("url complete"),
    protocol: span("protocol"),
    protocolComplete: event("protocol complete"),
    version: span("version"),
    versionComplete: event("version complete"),
    status: span("status"),
    statusComplete: event("status complete"),
    headerField,
    headerFieldComplete: event("header_field complete"),
    headerValue,
    headerValueComplete: event("header_value complete"),
    headersComplete: (p: Parser) => {
      events.push({
        e: "headers complete", off: p.at, method: p.method, status: p.statusCode, major: p.httpMajor,
        minor: p.httpMinor, flags: p.flags, length: p.contentLength, upgrade: p.upgrade,
      });
      return options.skipBody ? 1 : 0;
    },
    body: span("body"),
    chunkHeader: (size: number) => {
      events.push({ e: "chunk header", off: holder.parser!.at, length: size });
    },
    chunkExtensionName: span("chunk_extension_name"),
    chunkExtensionNameComplete: event("chunk_extension_name complete"),
    chunkExtensionValue: span("chunk_extension_value"),
    chunkExtensionValueComplete: event("chunk_extension_value complete"),
    chunkComplete: event("chunk complete"),
    messageComplete: event("message complete"),
  };
  if (options.headerLine) {
    // The field is complete at the colon (nameLast + 1), the value after its line's LF (valueLast + 2).
    callbacks.headerLine = (data, nameFirst, nameLast, valueFirst, valueLast) => {
      headerField(data, nameFirst, nameLast);
      events.push({ e: "header_field complete", off: chunkBase + nameLast + 1 });
      headerValue(data, valueFirst, valueLast);
      events.push({ e: "header_value complete", off: chunkBase + valueLast + 2 });
    };
  }
  const parser = new Parser(kind, callbacks, { maxHeaderSize: options.maxHeaderSize });
  holder.parser = parser;
  for (const chunk of chunks) {
    const code = parser.execute(chunk);
    chunkBase += chunk.length;
    if (code !== 0) {
      events.push({ e: "error", off: parser.errorOffset, code, reason: parser.reason });
      return events;
    }
  }
  if (options.logFinish) events.push({ e: "finish", off: chunkBase, code: parser.finishState });
  return events;
}

function key(ev: TraceEvent): string {
  return `${ev.e}|${ev.off}|${ev.data ?? ""}|${ev.method ?? ""}|${ev.status ?? ""}|${ev.major ?? ""}|${ev.minor ?? ""}|${ev.flags ?? ""}|${ev.length ?? ""}|${ev.upgrade ?? ""}|${ev.code ?? ""}|${ev.reason ?? ""}`;
}

/**
 * Whether a split gave the same log as the whole input. One difference is
 * allowed, as in llhttp (its `noScan` cases): a span cut by the end of a
 * chunk is reported up to there, and when the input turns out invalid
 * before the span ends, that piece precedes the error.
 */
function sameLog(whole: TraceEvent[], split: TraceEvent[]): boolean {
  let extra = split.length - whole.length;
  if (extra < 0 || extra > 1) return false;
  let j = 0;
  for (let i = 0; i < whole.length; i++) {
    const w = whole[i]!;
    let s = split[j]!;
    if (extra === 1 && w.e === "error" && s.data !== undefined && key(w) !== key(s)) {
      extra = 0;
      j += 1;
      s = split[j]!;
    }
    if (key(w) !== key(s)) return false;
    j += 1;
  }
  return extra === 0;
}

/** Events of `input` given whole. */
export function trace(kind: MessageKind, input: string, options: TraceOptions = {}): TraceEvent[] {
  return run(kind, [input], options);
}

/** Events of `input` given in the chunks listed. */
export function traceChunks(kind: MessageKind, chunks: string[], options: TraceOptions = {}): TraceEvent[] {
  return run(kind, chunks, options);
}

export interface SplitReport {
  /** The log of the whole input. */
  events: TraceEvent[];
  /**
   * Splits whose log differs from it: "whole", "at:<k>" (two chunks, the first of k bytes) or
   * "bytes", with " headerLine" when the difference came with whole lines taken by `headerLine`.
   */
  differing: string[];
  /** How many splits were compared (each in both forms: with and without `headerLine`). */
  runs: number;
}

/**
 * Feeds `input` whole, split in two at every position, and byte by byte;
 * compares the logs. Each split is fed twice: header lines through the four
 * header callbacks, and whole lines through `headerLine`.
 */
export function traceSplits(kind: MessageKind, input: string, options: TraceOptions = {}): SplitReport {
  const plain = { ...options, headerLine: false };
  const lines = { ...options, headerLine: true };
  const whole = run(kind, [input], plain);
  const differing: string[] = [];
  let runs = 0;
  const compare = (label: string, chunks: string[]) => {
    runs += 1;
    if (label !== "whole" && !sameLog(whole, run(kind, chunks, plain))) differing.push(label);
    if (!sameLog(whole, run(kind, chunks, lines))) differing.push(`${label} headerLine`);
  };
  compare("whole", [input]);
  const n = input.length;
  for (let k = 1; k < n; k++) compare(`at:${k}`, [string.sub(input, 1, k), string.sub(input, k + 1)]);
  const bytes: string[] = [];
  for (let i = 1; i <= n; i++) bytes.push(string.sub(input, i, i));
  compare("bytes", bytes);
  return { events: whole, differing, runs };
}

export interface CollectedMessage {
  head: MessageHead;
  body: string;
  trailers?: HeaderField[];
  complete: boolean;
}

export interface CollectOptions {
  skipBody?: boolean;
  maxHeaderSize?: number;
  /** Call `finish()` after the last chunk (the connection ended). */
  finish?: boolean;
}

/** What a MessageReader makes of `chunks`, as data (bodies joined: for tests and debugging). */
export function collectMessages(kind: MessageKind, chunks: string[], options: CollectOptions = {}): {
  messages: CollectedMessage[]; error: number; reason: string; errorOffset: number; finish?: number;
} {
  const messages: CollectedMessage[] = [];
  let body: string[] = [];
  const reader = new MessageReader(kind, {
    head: (head) => {
      messages.push({ head, body: "", complete: false });
      body = [];
      return options.skipBody ? HeadersResult.SKIP_BODY : HeadersResult.NORMAL;
    },
    body: (data, first, last) => {
      body.push(string.sub(data, first, last));
      messages[messages.length - 1]!.body = table.concat(body);
    },
    trailers: (trailers) => {
      messages[messages.length - 1]!.trailers = trailers;
    },
    complete: () => {
      messages[messages.length - 1]!.complete = true;
    },
  }, { maxHeaderSize: options.maxHeaderSize });
  let error = 0;
  for (const chunk of chunks) {
    error = reader.execute(chunk);
    if (error !== 0) break;
  }
  const finish = options.finish && error === 0 ? reader.finish() : undefined;
  return { messages, error, reason: reader.parser.reason, errorOffset: reader.parser.errorOffset, finish };
}

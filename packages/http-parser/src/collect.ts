// The convenience the HTTP cache uses: a header section collected into a
// table (start line, fields in order with repeated names kept), body spans
// passed through, trailers collected too. Header bytes are gathered only up
// to the parser's `maxHeaderSize`; bodies are never copied.
import { Err, Flag, HeadersResult, METHODS } from "./constants";
import { type MessageKind, Parser, type ParserOptions, type SpanCallback } from "./parser";

export interface HeaderField {
  /** As sent (case kept). */
  name: string;
  /** Without the whitespace around it (RFC 9110 5.5). */
  value: string;
}

export interface MessageHead {
  /** Method number (METHODS) and name, for requests. */
  method: number;
  methodName: string;
  /** Request target, as sent. */
  url: string;
  /** Status code and reason phrase, for responses. */
  status: number;
  reason: string;
  versionMajor: number;
  versionMinor: number;
  /** Fields in the order received; repeated names are kept. */
  headers: HeaderField[];
  /** Flag bits (Flag). */
  flags: number;
  /** Content-Length when present (flags & Flag.CONTENT_LENGTH), else 0. */
  contentLength: number;
  chunked: boolean;
  /** The connection may carry another message after this one. */
  keepAlive: boolean;
  /** The connection changes protocol after this message (CONNECT, Upgrade). */
  upgrade: boolean;
}

export interface ReaderEvents {
  /** The header section is complete; return HeadersResult.SKIP_BODY for a response to HEAD. */
  head?: (this: void, head: MessageHead) => number | undefined | void;
  /** Body bytes (chunked framing removed): `string.sub(data, first, last)`. */
  body?: SpanCallback;
  /** Trailer fields of a chunked message. */
  trailers?: (this: void, trailers: HeaderField[], head: MessageHead) => void;
  /** The message is complete. */
  complete?: (this: void, head: MessageHead) => void;
}

/** Method names by number: a method's bytes are its name (methods are case-sensitive), so they need not be collected. */
const METHOD_NAMES = new LuaTable<number, string>();
for (const [name, method] of pairs(METHODS)) METHOD_NAMES.set(method, name);

/** Removes the optional whitespace at the end of a field value (the parser drops it at the start). */
function trimOws(value: string): string {
  const last = string.byte(value, -1);
  if (last !== 0x20 && last !== 0x09) return value;
  const [, , inner] = string.find(value, "^[ \t]*(.-)[ \t]*$");
  return inner === undefined ? value : tostring(inner);
}

/** Reads messages from a stream and reports each one's head as a table. */
export class MessageReader {
  readonly parser: Parser;
  /** The span being gathered: its first piece, and the others when a chunk end cut it. */
  private piece: string | undefined = undefined;
  private pieces: string[] | undefined = undefined;
  private head: MessageHead | undefined = undefined;
  private fields: HeaderField[] = [];
  /** How many fields `fields` holds (cheaper than its length). */
  private fieldCount = 0;
  private fieldName = "";
  private inTrailers = false;

  constructor(kind: MessageKind, events: ReaderEvents = {}, options: ParserOptions = {}) {
    const collect = (data: string, first: number, last: number) => {
      const text = string.sub(data, first, last);
      if (this.piece === undefined) {
        this.piece = text;
      } else {
        if (this.pieces === undefined) this.pieces = [this.piece];
        this.pieces.push(text);
      }
    };
    const take = (): string => {
      const text = this.pieces !== undefined ? table.concat(this.pieces) : (this.piece ?? "");
      this.piece = undefined;
      this.pieces = undefined;
      return text;
    };
    const isRequest = kind === "request";
    const newHead = (): MessageHead => ({
      method: 0, methodName: "", url: "", status: 0, reason: "", versionMajor: 0, versionMinor: 0,
      headers: [], flags: 0, contentLength: 0, chunked: false, keepAlive: false, upgrade: false,
    });
    this.parser = new Parser(kind, {
      messageBegin: () => {
        this.head = newHead();
        this.fields = this.head.headers;
        this.fieldCount = 0;
        this.inTrailers = false;
        this.piece = undefined;
        this.pieces = undefined;
      },
      url: collect,
      urlComplete: () => {
        this.head!.url = take();
      },
      status: collect,
      statusComplete: () => {
        this.head!.reason = take();
      },
      headerField: collect,
      headerFieldComplete: () => {
        this.fieldName = take();
      },
      headerValue: collect,
      headerValueComplete: () => {
        this.fieldCount += 1;
        this.fields[this.fieldCount - 1] = { name: this.fieldName, value: trimOws(take()) };
      },
      // A line found whole (most of them): the value's last byte tells whether it needs trimming.
      headerLine: (data, nameFirst, nameLast, valueFirst, valueLast) => {
        const last = string.byte(data, valueLast);
        const value = last === 0x20 || last === 0x09 ? trimOws(string.sub(data, valueFirst, valueLast)) : string.sub(data, valueFirst, valueLast);
        this.fieldCount += 1;
        this.fields[this.fieldCount - 1] = { name: string.sub(data, nameFirst, nameLast), value };
      },
      headersComplete: (p: Parser) => {
        const head = this.head!;
        head.method = p.method;
        if (isRequest) head.methodName = METHOD_NAMES.get(p.method) ?? "";
        head.status = p.statusCode;
        head.versionMajor = p.httpMajor;
        head.versionMinor = p.httpMinor;
        head.flags = p.flags;
        head.contentLength = (p.flags & Flag.CONTENT_LENGTH) !== 0 ? p.contentLength : 0;
        head.chunked = (p.flags & Flag.CHUNKED) !== 0;
        head.upgrade = p.upgrade;
        this.piece = undefined;
        this.pieces = undefined;
        const result = events.head !== undefined ? events.head(head) : undefined;
        // RFC 9112 9.3; a body that ends with the connection ends keep-alive, unless there is none.
        const persistent = p.httpMajor > 0 && p.httpMinor > 0
          ? (p.flags & Flag.CONNECTION_CLOSE) === 0
          : (p.flags & Flag.CONNECTION_KEEP_ALIVE) !== 0;
        head.keepAlive = persistent && (result === HeadersResult.SKIP_BODY || !p.messageNeedsEof());
        return result;
      },
      body: events.body,
      chunkHeader: (size: number) => {
        if (size === 0) {
          this.inTrailers = true;
          this.fields = [];
          this.fieldCount = 0;
        }
      },
      messageComplete: () => {
        const head = this.head!;
        if (this.inTrailers && events.trailers !== undefined) events.trailers(this.fields, head);
        if (events.complete !== undefined) events.complete(head);
      },
    }, options);
  }

  /** Parses the next bytes; returns 0 or an error code (see `parser.reason`, `parser.errorPos`). */
  execute(chunk: string): number {
    return this.parser.execute(chunk);
  }

  /** The connection ended: completes a response delimited by it. */
  finish(): number {
    return this.parser.finish();
  }
}

/** The value of a field, repeated fields joined with ", " (RFC 9110 5.3); case-insensitive name. */
export function headerValue(head: MessageHead, name: string): string | undefined {
  const wanted = string.lower(name);
  let found: string | undefined;
  for (const field of head.headers) {
    if (string.lower(field.name) === wanted) found = found === undefined ? field.value : `${found}, ${field.value}`;
  }
  return found;
}

/** Result of `parseHead`. */
export interface ParsedHead {
  /** The head, or undefined when the data ends inside it or is invalid. */
  head?: MessageHead;
  /** Bytes of the start line and header section (where the body starts). */
  length: number;
  /** 0, or the error code that rejected the head. */
  error: number;
  reason: string;
}

/** Parses the head at the start of `data` (a whole request head, or a response head). */
export function parseHead(kind: MessageKind, data: string, options: ParserOptions = {}): ParsedHead {
  let found: MessageHead | undefined;
  let length = 0;
  const reader = new MessageReader(kind, {
    head: (head) => {
      found = head;
      length = reader.parser.at;
      // Stop right after the head: the rest is not ours to parse here.
      return HeadersResult.UPGRADE;
    },
  }, options);
  const code = reader.execute(data);
  if (found !== undefined) {
    return { head: found, length, error: Err.OK, reason: "" };
  }
  return { length: 0, error: code, reason: code === Err.OK ? "incomplete" : reader.parser.reason };
}

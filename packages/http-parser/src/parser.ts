// An incremental, strict HTTP/1.1 parser: llhttp's state machine
// (src/llhttp/http.ts, url.ts and native/http.c of nodejs/llhttp), written
// for Lua. `execute(chunk)` takes any split of the input and gives the same
// events; nothing of the input is kept between calls: a span (method, URL,
// header name or value, body...) that a chunk ends inside is reported in
// pieces, one per chunk, as llhttp does. Spans are `(data, first, last)`:
// `string.sub(data, first, last)` are the bytes, positions 1-based in the
// chunk given to `execute`. Bodies are never copied.
//
// Speed in Lua comes from few calls: a call of a C function (kmod.span,
// string.byte, ...) costs hundreds of machine instructions whatever it does,
// a Lua VM instruction dozens. A start line found whole in the chunk is
// checked with a few calls (kmod.span, strspn over a byte set, per run of
// bytes of one character set: charsets.ts); all the whole header lines of a
// head with one call of the engine's kmod.field_lines, which also reports
// them; a whole chunk with one `string.match` (the CRLF before it and its
// size line); runs of URL, header-name, header-value and reason bytes are
// skipped by kmod.span in the byte-by-byte states too, and the byte a span
// or field_lines stops at is judged by the state as before. The parser
// needs both engine functions (no pure-Lua path). Everything else goes
// byte by byte through llhttp's states, and the fast paths must agree with
// them: the tests feed every input whole (fast paths) and byte by byte
// (none).
// All numbers are integers (Lunatik): lengths stop at 2^53 - 1.
import {
  DEFAULT_MAX_HEADER_SIZE, Err, Finish, Flag, HTTP_METHODS, HeadersResult, ICE_METHODS,
  MAX_LENGTH, METHODS, METHOD_CONNECT, METHOD_PRI, RTSP_METHODS,
} from "./constants";
import {
  ALPHA, CHUNK_LINE, DATA_END_CHUNK_LINE, DECIMAL, HEADER_CHAR, HEADER_SET, HEX, LIST_CHAR, NOT_CRLF_SET, QDTEXT,
  TOKEN, TOKEN_SET, URL_CHAR, URL_SET, USERINFO, VISIBLE_SET,
} from "./charsets";

/** A span of the chunk being parsed: `string.sub(data, first, last)`. */
export type SpanCallback = (this: void, data: string, first: number, last: number) => void;
export type EventCallback = (this: void) => void;

/** A header line found whole: its name and value spans (the value without leading whitespace). */
export type HeaderLineCallback = (this: void, data: string, nameFirst: number, nameLast: number, valueFirst: number, valueLast: number) => void;

/** What the parser reports. Every callback is optional; spans may come in several pieces. */
export interface ParserCallbacks {
  messageBegin?: EventCallback;
  method?: SpanCallback;
  methodComplete?: EventCallback;
  url?: SpanCallback;
  urlComplete?: EventCallback;
  protocol?: SpanCallback;
  protocolComplete?: EventCallback;
  version?: SpanCallback;
  versionComplete?: EventCallback;
  status?: SpanCallback;
  statusComplete?: EventCallback;
  headerField?: SpanCallback;
  headerFieldComplete?: EventCallback;
  headerValue?: SpanCallback;
  headerValueComplete?: EventCallback;
  /**
   * Optional shortcut: a header line found whole in one chunk is reported by
   * this one call (name and value spans, the value without leading
   * whitespace) instead of headerField, headerFieldComplete, headerValue
   * and headerValueComplete. Lines that are not (split by a chunk end, or
   * special) still come through those four.
   */
  headerLine?: HeaderLineCallback;
  /**
   * The header section is complete: `parser.method`, `statusCode`,
   * `httpMajor`/`httpMinor`, `flags`, `contentLength`, `upgrade` are set.
   * Return HeadersResult.SKIP_BODY for a response to HEAD, UPGRADE to stop
   * after this message; nothing (or NORMAL) otherwise.
   */
  headersComplete?: (this: void, parser: Parser) => number | undefined | void;
  body?: SpanCallback;
  /** A chunk-size line was read; 0 starts the trailers. */
  chunkHeader?: (this: void, size: number) => void;
  chunkExtensionName?: SpanCallback;
  chunkExtensionNameComplete?: EventCallback;
  chunkExtensionValue?: SpanCallback;
  chunkExtensionValueComplete?: EventCallback;
  chunkComplete?: EventCallback;
  messageComplete?: EventCallback;
}

export interface ParserOptions {
  /** Bytes allowed in a start line + header section, in trailers, and in a chunk-size line (default 16384). */
  maxHeaderSize?: number;
}

export type MessageKind = "request" | "response";

const enum T { REQUEST = 1, RESPONSE = 2 }

// Header states (llhttp's HEADER_STATE).
const enum H {
  GENERAL = 0, CONNECTION = 1, CONTENT_LENGTH = 2, TRANSFER_ENCODING = 3, UPGRADE = 4,
  CONNECTION_KEEP_ALIVE = 5, CONNECTION_CLOSE = 6, CONNECTION_UPGRADE = 7,
  TRANSFER_ENCODING_CHUNKED = 8,
}

// Which span is open.
const enum K {
  NONE = 0, METHOD, URL, PROTOCOL, VERSION, STATUS, HEADER_FIELD, HEADER_VALUE,
  CHUNK_EXT_NAME, CHUNK_EXT_VALUE, BODY,
}

// Which limit ends the current section.
const enum L { NONE = 0, HEADER = 1, CHUNK_LINE = 2 }

// States; those from HEADERS_DONE on run without input (llparse's invoke nodes).
const enum S {
  START = 1,
  METHOD,
  REQ_FIRST_SPACE,
  REQ_SPACES_BEFORE_URL,
  URL_START,
  URL_SCHEMA,
  URL_SCHEMA_DELIM,
  URL_SERVER,
  URL_SERVER_WITH_AT,
  URL_PATH,
  URL_QUERY,
  URL_FRAGMENT,
  URL_LF_09,
  REQ_HTTP_START,
  REQ_PROTOCOL,
  REQ_AFTER_PROTOCOL,
  REQ_MAJOR,
  REQ_DOT,
  REQ_MINOR,
  REQ_HTTP_COMPLETE,
  REQ_HTTP_COMPLETE_CRLF,
  REQ_PRI,
  RES_START,
  RES_PROTOCOL,
  RES_AFTER_PROTOCOL,
  RES_MAJOR,
  RES_DOT,
  RES_MINOR,
  RES_AFTER_VERSION,
  RES_STATUS_DIGIT,
  RES_STATUS_OTHERWISE,
  RES_STATUS_START,
  RES_STATUS,
  RES_LINE_ALMOST_DONE,
  HEADERS_START,
  HEADER_FIELD_START,
  HEADER_FIELD,
  HEADER_VALUE_DISCARD_WS,
  HEADER_VALUE_DISCARD_WS_ALMOST_DONE,
  HEADER_VALUE_DISCARD_LWS,
  HEADER_VALUE_START,
  HEADER_VALUE,
  HEADER_VALUE_TE_CHUNKED,
  HEADER_VALUE_TE_CHUNKED_LAST,
  HEADER_VALUE_TE_TOKEN,
  HEADER_VALUE_TE_TOKEN_OWS,
  HEADER_VALUE_CONTENT_LENGTH,
  HEADER_VALUE_CONTENT_LENGTH_WS,
  HEADER_VALUE_CONNECTION,
  HEADER_VALUE_CONNECTION_WORD,
  HEADER_VALUE_CONNECTION_WS,
  HEADER_VALUE_CONNECTION_TOKEN,
  HEADER_VALUE_OTHERWISE,
  HEADER_VALUE_ALMOST_DONE,
  HEADER_VALUE_LWS,
  HEADERS_ALMOST_DONE,
  BODY_IDENTITY,
  BODY_EOF,
  CHUNK_SIZE_DIGIT,
  CHUNK_SIZE,
  CHUNK_EXTENSIONS,
  CHUNK_EXTENSION_NAME,
  CHUNK_EXTENSION_VALUE,
  CHUNK_EXTENSION_QUOTED,
  CHUNK_EXTENSION_QUOTED_PAIR,
  CHUNK_EXTENSION_QUOTED_DONE,
  CHUNK_SIZE_ALMOST_DONE,
  CHUNK_DATA,
  CHUNK_DATA_ALMOST_DONE,
  CLOSED,
  DEAD,
  /** The header section is complete (llhttp's headers_done). The first state that needs no input. */
  HEADERS_DONE = 100,
  MESSAGE_DONE = 101,
  CHUNK_HEADER = 102,
}

// Hot library functions as locals (upvalues): one table access less per call.
const span = kmod.span;
const fieldLines = kmod.field_lines;
const find = string.find;
const match = string.match;
const byte = string.byte;
const sub = string.sub;
const lower = string.lower;

// Bytes (a const enum: compared as literals, not upvalues).
const enum B { HTAB = 9, LF = 10, CR = 13, SP = 32, SLASH = 47, COLON = 58 }

// The fixed parts of HTTP/1.x start lines, as the fast paths compare them.
const HTTP_10_TAIL = " HTTP/1.0\r\n";
const HTTP_11_TAIL = " HTTP/1.1\r\n";
const HTTP_10_START = "HTTP/1.0 ";
const HTTP_11_START = "HTTP/1.1 ";

/** A trie of literals, one table per node; `[-1]` holds the value of the literal ending there. */
type Trie = LuaTable<number, Trie | number>;

function buildTrie(words: Record<string, number>, lower: boolean): Trie {
  const root: Trie = new LuaTable();
  for (const [word, value] of pairs(words)) {
    let node = root;
    for (let i = 1; i <= word.length; i++) {
      let b = string.byte(word, i);
      if (lower && b >= 0x41 && b <= 0x5a) b = b | 0x20;
      let next = node.get(b) as Trie | undefined;
      if (next === undefined) {
        next = new LuaTable();
        node.set(b, next);
      }
      node = next;
    }
    node.set(-1, value);
  }
  return root;
}

function setOf(names: string[]): LuaTable<number, boolean> {
  const set = new LuaTable<number, boolean>();
  for (const name of names) set.set(METHODS[name]!, true);
  return set;
}

const METHOD_TRIE = buildTrie(METHODS, false);
/** Methods a request line's fast path takes (those of HTTP, but PRI), by name, and the longest name. */
const FAST_METHODS = new LuaTable<string, number>();
let MAX_FAST_METHOD = 0;
for (const name of HTTP_METHODS) {
  if (name === "PRI") continue;
  FAST_METHODS.set(name, METHODS[name]!);
  MAX_FAST_METHOD = math.max(MAX_FAST_METHOD, name.length);
}
const HTTP_METHOD_SET = setOf(HTTP_METHODS);
const RTSP_METHOD_SET = setOf(RTSP_METHODS);
const ICE_METHOD_SET = setOf(ICE_METHODS);
/** Protocol names of a start line; values 1 HTTP, 2 RTSP, 3 ICE. */
const PROTOCOL_TRIE = buildTrie({ HTTP: 1, RTSP: 2, ICE: 3 }, false);
/** Connection options the parser acts on. */
const CONNECTION_TRIE = buildTrie({ close: H.CONNECTION_CLOSE, upgrade: H.CONNECTION_UPGRADE, "keep-alive": H.CONNECTION_KEEP_ALIVE }, false);
/** Header names that need parsing of their value (lower-case), and their header states. */
const SPECIAL: [string, number][] = [
  ["connection", H.CONNECTION], ["proxy-connection", H.CONNECTION], ["content-length", H.CONTENT_LENGTH],
  ["transfer-encoding", H.TRANSFER_ENCODING], ["upgrade", H.UPGRADE],
];
/** The same by name, for the byte-by-byte states. */
const SPECIAL_HEADERS = new LuaTable<string, number>();
/** The same as kmod.field_lines takes them: it stops at a line with one of these names. */
const SPECIAL_NAMES = SPECIAL.map(([name]) => name).join(" ");
/** The header state of each special name, by its index in SPECIAL_NAMES (what kmod.field_lines returns). */
const SPECIAL_BY_INDEX = new LuaTable<number, number>();
SPECIAL.forEach(([name, state], i) => {
  SPECIAL_HEADERS.set(name, state);
  SPECIAL_BY_INDEX.set(i + 1, state);
});
/** Longest special header name: a field name longer than this is general. */
const SPECIAL_MAX = 17;
/** The flag a header state sets once its value is complete. */
const HEADER_STATE_FLAG = new LuaTable<number, number>();
HEADER_STATE_FLAG.set(H.CONNECTION_KEEP_ALIVE, Flag.CONNECTION_KEEP_ALIVE);
HEADER_STATE_FLAG.set(H.CONNECTION_CLOSE, Flag.CONNECTION_CLOSE);
HEADER_STATE_FLAG.set(H.CONNECTION_UPGRADE, Flag.CONNECTION_UPGRADE);
HEADER_STATE_FLAG.set(H.TRANSFER_ENCODING_CHUNKED, Flag.CHUNKED);
/** Connection options the parser acts on, as the whole value of a Connection field (lower-case, and as usually written). */
const CONNECTION_FLAG = new LuaTable<string, number>();
for (const [option, flag] of [["close", Flag.CONNECTION_CLOSE], ["keep-alive", Flag.CONNECTION_KEEP_ALIVE], ["upgrade", Flag.CONNECTION_UPGRADE]] as const) {
  CONNECTION_FLAG.set(option, flag);
  CONNECTION_FLAG.set(string.gsub(option, "%f[%w]%l", string.upper)[0], flag);
}
const PRI_PREFACE = "\r\n\r\nSM\r\n\r\n";
const CHUNKED = "chunked";
const NO_LIMIT = MAX_LENGTH;

function emitSpan(cb: ParserCallbacks, kind: K, data: string, first: number, last: number): void {
  let f: SpanCallback | undefined;
  if (kind === K.BODY) f = cb.body;
  else if (kind === K.HEADER_VALUE) f = cb.headerValue;
  else if (kind === K.HEADER_FIELD) f = cb.headerField;
  else if (kind === K.URL) f = cb.url;
  else if (kind === K.METHOD) f = cb.method;
  else if (kind === K.PROTOCOL) f = cb.protocol;
  else if (kind === K.VERSION) f = cb.version;
  else if (kind === K.STATUS) f = cb.status;
  else if (kind === K.CHUNK_EXT_NAME) f = cb.chunkExtensionName;
  else if (kind === K.CHUNK_EXT_VALUE) f = cb.chunkExtensionValue;
  if (f !== undefined) f(data, first, last);
}

export class Parser {
  /** 1 request, 2 response. */
  readonly type: number;
  /** Method number of a request (METHODS), once the method is read. */
  method = 0;
  /** Status code of a response. */
  statusCode = 0;
  httpMajor = 0;
  httpMinor = 0;
  /** Flag bits of the current message (Flag). */
  flags = 0;
  /** Content-Length of the current message; during a chunked body, what is left of the chunk. */
  contentLength = 0;
  /** True when the connection changes protocol after this message (CONNECT, Upgrade, 101). */
  upgrade = false;
  /** Error code (Err), 0 while all is well. */
  errorCode: number = Err.OK;
  /** Why parsing stopped, in words. */
  reason = "";
  /** Where parsing stopped, 0-based in the last chunk given to `execute`: for upgrades, the first byte of the other protocol. */
  errorPos = 0;
  /** Same, counted from the first byte ever given to this parser. */
  errorOffset = 0;
  /** Bytes given to `execute` so far, before the current chunk. */
  base = 0;
  /** Offset (from the first byte ever given) of the event being reported: valid inside non-span callbacks. */
  at = 0;
  /** What `finish()` would do now (Finish). */
  finishState: number = Finish.SAFE;

  private readonly cb: ParserCallbacks;
  private readonly maxHeaderSize: number;
  private state: number;
  private headerState: number = H.GENERAL;
  private spanKind: number = K.NONE;
  /** A literal or trie node being matched, and how far. */
  private trie: Trie | undefined = undefined;
  private seqIdx = 0;
  /** Lower-cased start of a header name that may still be a special one. */
  private fieldPrefix: string | undefined = undefined;
  private statusDigits = 0;
  private limitAbs: number = NO_LIMIT;
  private limitKind: number = L.NONE;
  /** Where kmod.field_lines writes the spans of a special field's line. */
  private readonly lines = new LuaTable<number, number>();
  /** What kmod.field_lines calls for each plain line: headerLine, or a function that calls the four header callbacks. */
  private readonly eachLine: HeaderLineCallback | undefined;
  private messagesCompleted = 0;
  /** Whether any start-line callback but url, status and statusComplete is set (most users set none). */
  private readonly startLineEvents: boolean;

  constructor(kind: MessageKind, callbacks: ParserCallbacks = {}, options: ParserOptions = {}) {
    this.type = kind === "request" ? T.REQUEST : T.RESPONSE;
    this.cb = callbacks;
    this.maxHeaderSize = options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
    this.state = S.START;
    this.eachLine = callbacks.headerLine ?? this.fieldLineEmitter();
    this.startLineEvents = callbacks.method !== undefined || callbacks.methodComplete !== undefined ||
      callbacks.urlComplete !== undefined || callbacks.protocol !== undefined || callbacks.protocolComplete !== undefined ||
      callbacks.version !== undefined || callbacks.versionComplete !== undefined;
  }

  /** Messages completed so far. */
  messageCount(): number {
    return this.messagesCompleted;
  }

  /** True when the connection may carry another message after the current one (RFC 9112 9.3). */
  shouldKeepAlive(): boolean {
    if (this.httpMajor > 0 && this.httpMinor > 0) {
      if ((this.flags & Flag.CONNECTION_CLOSE) !== 0) return false;
    } else if ((this.flags & Flag.CONNECTION_KEEP_ALIVE) === 0) {
      return false;
    }
    return !this.messageNeedsEof();
  }

  /** True when the body of the current response ends only with the connection (RFC 9112 6.3). */
  messageNeedsEof(): boolean {
    if (this.type === T.REQUEST) return false;
    const status = this.statusCode;
    if (idiv(status, 100) === 1 || status === 204 || status === 304 || (this.flags & Flag.SKIPBODY) !== 0) {
      return false;
    }
    const flags = this.flags;
    if ((flags & Flag.TRANSFER_ENCODING) !== 0 && (flags & Flag.CHUNKED) === 0) return true;
    if ((flags & (Flag.CHUNKED | Flag.CONTENT_LENGTH)) !== 0) return false;
    return true;
  }

  /**
   * The connection ended. Completes a body delimited by the end of the
   * connection (messageComplete); returns INVALID_EOF_STATE when a message
   * was cut short, 0 otherwise.
   */
  finish(): number {
    if (this.errorCode !== Err.OK) return Err.OK;
    if (this.finishState === Finish.SAFE_WITH_CB) {
      this.finishState = Finish.SAFE;
      this.messagesCompleted += 1;
      this.at = this.base;
      const done = this.cb.messageComplete;
      if (done !== undefined) done();
      return Err.OK;
    }
    if (this.finishState === Finish.UNSAFE) {
      this.reason = "Invalid EOF state";
      return Err.INVALID_EOF_STATE;
    }
    return Err.OK;
  }

  private fail(code: number, reason: string, p: number): void {
    this.errorCode = code;
    this.reason = reason;
    this.errorPos = p - 1;
    this.errorOffset = this.base + p - 1;
    this.state = S.DEAD;
  }

  /**
   * Parses the next bytes of the stream. Returns 0, or an error code (Err)
   * with `reason`, `errorPos` and `errorOffset` set; after an error every
   * call returns it again. PAUSED_UPGRADE means the rest, from `errorPos`,
   * belongs to another protocol.
   */
  execute(data: string): number {
    if (this.errorCode !== Err.OK) return this.errorCode;
    const cb = this.cb;
    const n = data.length;
    const base = this.base;
    // Fast path: a piece that lies inside a body (most packets of a large body). The body
    // states come after the head's in S: one comparison turns away the start of a message.
    const current = this.state;
    if (current >= S.BODY_IDENTITY && n > 0 &&
      (((current === S.BODY_IDENTITY || current === S.CHUNK_DATA) && this.contentLength > n) || current === S.BODY_EOF)) {
      const onBodyPiece = cb.body;
      if (onBodyPiece) onBodyPiece(data, 1, n);
      if (current !== S.BODY_EOF) this.contentLength -= n;
      this.base = base + n;
      return Err.OK;
    }
    let p = 1;
    let state = this.state;
    let spanKind = this.spanKind;
    let spanStart = 1;
    let flags = this.flags;
    let headerState = this.headerState;
    let contentLength = this.contentLength;
    // The last position the current section's limit lets this call read (stopAt, inline).
    let stop = this.limitAbs - base < n ? this.limitAbs - base : n;
    const isRequest = this.type === T.REQUEST;
    const onHeaderField = cb.headerField;
    const onHeaderValue = cb.headerValue;
    const onHeaderValueComplete = cb.headerValueComplete;
    const onHeaderFieldComplete = cb.headerFieldComplete;
    const onBody = cb.body;
    let failed = false;

    while (p <= stop || state >= S.HEADERS_DONE) {
      if (state === S.HEADER_FIELD_START || state === S.HEADERS_START) {
        // ---- Header lines: the hot path of every message ----
        // Fast path: the engine's kmod.field_lines checks every plain field line from here on
        // in one call (a token name, a colon, OWS, a value that starts with a visible byte,
        // CRLF, and a next line in this chunk that does not fold them), reports each through
        // `eachLine` itself, and returns where it stopped and the two bytes there (so the
        // empty line that ends the section takes no call). A special field (SPECIAL_NAMES)
        // stops it with the line's spans in `lines`: its value is read here when plain (then
        // the scan goes on after it), byte by byte (below) when not. Whatever is not plain
        // goes byte by byte from the line it stopped at.
        const lines = this.lines;
        const each = this.eachLine;
        let [count, next, first, second, listed] = fieldLines(data, p, stop, each, lines, SPECIAL_NAMES);
        if (count === 0 && first === B.SP && state === S.HEADERS_START) {
          this.fail(Err.UNEXPECTED_SPACE, "Unexpected space after start line", p + 1);
          failed = true;
          break;
        }
        while (listed !== undefined) {
          // A plain line of a special field: `lines` holds its spans; what its value says.
          const valueFirst = lines.get(3);
          const valueLast = lines.get(4);
          const hs = SPECIAL_BY_INDEX.get(listed);
          if (hs === H.CONNECTION) {
            const value = sub(data, valueFirst, valueLast);
            const option = CONNECTION_FLAG.get(value) ?? CONNECTION_FLAG.get(lower(value));
            if (option === undefined) break;
            flags = flags | option;
          } else if (hs === H.CONTENT_LENGTH) {
            // Digits, then maybe SP or HTAB: what tonumber in base 10 takes, once the value
            // starts with a digit (no sign); 15 digits at most, to be exact.
            if ((flags & (Flag.CONTENT_LENGTH | Flag.TRANSFER_ENCODING)) !== 0 || valueLast - valueFirst >= 15 ||
              DECIMAL.get(byte(data, valueFirst)) === undefined) break;
            const length = tonumber(sub(data, valueFirst, valueLast), 10);
            if (length === undefined) break;
            contentLength = length;
            flags = flags | Flag.CONTENT_LENGTH;
          } else if (hs === H.TRANSFER_ENCODING) {
            if ((flags & (Flag.CONTENT_LENGTH | Flag.TRANSFER_ENCODING)) !== 0 || valueLast - valueFirst !== CHUNKED.length - 1 ||
              lower(sub(data, valueFirst, valueLast)) !== CHUNKED) break;
            flags = flags | Flag.TRANSFER_ENCODING | Flag.CHUNKED;
          } else {
            flags = flags | Flag.UPGRADE;
          }
          if (each !== undefined) each(data, lines.get(1), lines.get(2), valueFirst, valueLast);
          [count, next, first, second, listed] = fieldLines(data, valueLast + 3, stop, each, lines, SPECIAL_NAMES);
        }
        // A special field whose value is not plain goes byte by byte (below), from its name.
        if (listed !== undefined) first = -1;
        p = next;
        if (first === B.CR) {
          if (second === B.LF) {
            // The empty line that ends the header section (or the trailers).
            p += 2;
            if ((flags & Flag.TRAILING) !== 0) {
              const f = cb.chunkComplete;
              if (f !== undefined) {
                this.at = base + p - 1;
                f();
              }
              state = S.MESSAGE_DONE;
            } else {
              state = S.HEADERS_DONE;
            }
          } else {
            p += 1;
            state = S.HEADERS_ALMOST_DONE;
          }
          continue;
        } else if (first === B.LF) {
          this.fail(Err.INVALID_HEADER_TOKEN, "Invalid header field char", p + 1);
          failed = true;
          break;
        } else if (first === B.COLON) {
          this.fail(Err.INVALID_HEADER_TOKEN, "Invalid header token", p);
          failed = true;
          break;
        }
        spanKind = K.HEADER_FIELD;
        spanStart = p;
        this.fieldPrefix = "";
        state = S.HEADER_FIELD;
      } else if (state === S.START) {
        // ---- Start line ----
        // Fast paths: a whole HTTP/1.x start line in this chunk, matched before anything is
        // reported; `next` is the position after it, or 0. Request: a method, SP, an
        // origin-form target (visible bytes from `/`), " HTTP/1.0" or " HTTP/1.1", CRLF; the
        // first " /" ends the method, then looked up by name (no name is cut out of a long
        // run). Response: "HTTP/1.0 " or "HTTP/1.1 ", three digits, SP, a reason phrase
        // (possibly empty), CRLF.
        const limit = base + p - 1 + this.maxHeaderSize;
        const limitStop = limit - base < n ? limit - base : n;
        let next = 0;
        let method = 0;
        let minor = 0;
        let space = 0;
        let lineEnd = 0;
        let status = 0;
        if (isRequest) {
          const [found] = find(data, " /", p, true);
          space = found ?? 0;
          if (space > p && space - p <= MAX_FAST_METHOD) {
            method = FAST_METHODS.get(sub(data, p, space - 1)) ?? 0;
            if (method !== 0) {
              lineEnd = span(data, space + 2, VISIBLE_SET);
              const tail = sub(data, lineEnd, lineEnd + 10);
              minor = tail === HTTP_11_TAIL ? 1 : tail === HTTP_10_TAIL ? 0 : -1;
              if (minor >= 0 && lineEnd + 10 <= limitStop) next = lineEnd + 11;
            }
          }
        } else {
          const start = sub(data, p, p + 8);
          minor = start === HTTP_11_START ? 1 : start === HTTP_10_START ? 0 : -1;
          if (minor >= 0) {
            const [d1, d2, d3, afterCode] = byte(data, p + 9, p + 12);
            const v1 = DECIMAL.get(d1!);
            const v2 = DECIMAL.get(d2!);
            const v3 = DECIMAL.get(d3!);
            if (v1 !== undefined && v2 !== undefined && v3 !== undefined && afterCode === B.SP) {
              lineEnd = span(data, p + 13, NOT_CRLF_SET);
              const [r, l] = byte(data, lineEnd, lineEnd + 1);
              if (r === B.CR && l === B.LF && lineEnd + 1 <= limitStop) {
                next = lineEnd + 2;
                status = v1 * 100 + v2 * 10 + v3;
              }
            }
          }
        }
        if (next === 0) {
          // The CR or LF some peers send between messages.
          const c = byte(data, p);
          if (c === B.CR || c === B.LF) {
            p += 1;
            continue;
          }
        }
        this.finishState = Finish.UNSAFE;
        this.limitAbs = limit;
        this.limitKind = L.HEADER;
        stop = limitStop;
        flags = 0;
        contentLength = 0;
        this.upgrade = false;
        this.statusCode = status;
        this.method = next !== 0 ? method : 0;
        this.httpMajor = next !== 0 ? 1 : 0;
        this.httpMinor = next !== 0 ? minor : 0;
        const onMessageBegin = cb.messageBegin;
        if (onMessageBegin !== undefined) {
          this.at = base + p - 1;
          onMessageBegin();
        }
        if (next !== 0) {
          if (isRequest) {
            // The method is p..space - 1, the target space + 1..lineEnd - 1.
            if (this.startLineEvents) {
              if (cb.method !== undefined) cb.method(data, p, space - 1);
              if (cb.methodComplete !== undefined) {
                this.at = base + space - 1;
                cb.methodComplete();
              }
            }
            if (cb.url !== undefined) cb.url(data, space + 1, lineEnd - 1);
            if (this.startLineEvents) {
              if (cb.urlComplete !== undefined) {
                this.at = base + lineEnd;
                cb.urlComplete();
              }
              if (cb.protocol !== undefined) cb.protocol(data, lineEnd + 1, lineEnd + 4);
              if (cb.protocolComplete !== undefined) {
                this.at = base + lineEnd + 4;
                cb.protocolComplete();
              }
              if (cb.version !== undefined) cb.version(data, lineEnd + 6, lineEnd + 8);
              if (cb.versionComplete !== undefined) {
                this.at = base + lineEnd + 8;
                cb.versionComplete();
              }
            }
          } else {
            if (this.startLineEvents) {
              if (cb.protocol !== undefined) cb.protocol(data, p, p + 3);
              if (cb.protocolComplete !== undefined) {
                this.at = base + p + 3;
                cb.protocolComplete();
              }
              if (cb.version !== undefined) cb.version(data, p + 5, p + 7);
              if (cb.versionComplete !== undefined) {
                this.at = base + p + 7;
                cb.versionComplete();
              }
            }
            if (cb.status !== undefined) cb.status(data, p + 13, lineEnd - 1);
            if (cb.statusComplete !== undefined) {
              this.at = base + next - 1;
              cb.statusComplete();
            }
          }
          p = next;
          state = S.HEADERS_START;
        } else if (isRequest) {
          spanKind = K.METHOD;
          spanStart = p;
          this.trie = METHOD_TRIE;
          state = S.METHOD;
        } else {
          spanKind = K.PROTOCOL;
          spanStart = p;
          this.trie = PROTOCOL_TRIE;
          state = S.RES_PROTOCOL;
        }
      } else if (state === S.BODY_IDENTITY || state === S.CHUNK_DATA) {
        // ---- Bodies: passed through as spans ----
        const avail = stop - p + 1;
        if (avail < contentLength) {
          if (onBody !== undefined) onBody(data, p, stop);
          contentLength -= avail;
          p = stop + 1;
        } else {
          const last = p + contentLength - 1;
          if (onBody !== undefined) onBody(data, p, last);
          p = last + 1;
          contentLength = 0;
          if (state === S.BODY_IDENTITY) {
            state = S.MESSAGE_DONE;
          } else {
            this.seqIdx = 1;
            state = S.CHUNK_DATA_ALMOST_DONE;
          }
        }
      } else if (state >= S.HEADERS_DONE) {
        // ---- Transitions that need no input ----
        if (state === S.HEADERS_DONE) {
          // llhttp__before_headers_complete
          if ((flags & Flag.UPGRADE) !== 0 && (flags & Flag.CONNECTION_UPGRADE) !== 0) {
            this.upgrade = isRequest || this.statusCode === 101;
          } else {
            this.upgrade = isRequest && this.method === METHOD_CONNECT;
          }
          this.flags = flags;
          this.contentLength = contentLength;
          const onHeadersComplete = cb.headersComplete;
          if (onHeadersComplete !== undefined) {
            this.at = base + p - 1;
            const result = onHeadersComplete(this) ?? HeadersResult.NORMAL;
            if (result === HeadersResult.SKIP_BODY) {
              flags = flags | Flag.SKIPBODY;
            } else if (result === HeadersResult.UPGRADE) {
              this.upgrade = true;
              flags = flags | Flag.SKIPBODY;
            } else if (result !== HeadersResult.NORMAL) {
              this.fail(Err.CB_HEADERS_COMPLETE, "User callback error", p);
              failed = true;
              break;
            }
          }
          this.limitAbs = NO_LIMIT;
          this.limitKind = L.NONE;
          stop = n;
          // llhttp__after_headers_complete
          const status = this.statusCode;
          const hasBody = (flags & Flag.CHUNKED) !== 0 || contentLength > 0;
          this.flags = flags;
          if ((this.upgrade && (this.method === METHOD_CONNECT || (flags & Flag.SKIPBODY) !== 0 || !hasBody)) ||
            (!isRequest && status === 101)) {
            // The rest of the stream is another protocol.
            this.upgrade = true;
            state = S.MESSAGE_DONE;
          } else if (!isRequest && status === 100) {
            state = S.MESSAGE_DONE;
          } else if ((flags & Flag.SKIPBODY) !== 0 ||
            (!isRequest && (status === 102 || status === 103 || status === 204 || status === 304))) {
            state = S.MESSAGE_DONE;
          } else if ((flags & Flag.CHUNKED) !== 0) {
            this.startChunkLine(p);
            stop = this.stopAt(n);
            contentLength = 0;
            state = S.CHUNK_SIZE_DIGIT;
          } else if ((flags & Flag.TRANSFER_ENCODING) !== 0) {
            if (isRequest) {
              // RFC 9112 6.3: a request whose length cannot be determined.
              this.fail(Err.INVALID_TRANSFER_ENCODING, "Request has invalid `Transfer-Encoding`", p);
              failed = true;
              break;
            }
            this.finishState = Finish.SAFE_WITH_CB;
            state = S.BODY_EOF;
          } else if ((flags & Flag.CONTENT_LENGTH) === 0) {
            if (!isRequest && this.messageNeedsEof()) {
              this.finishState = Finish.SAFE_WITH_CB;
              state = S.BODY_EOF;
            } else {
              state = S.MESSAGE_DONE;
            }
          } else if (contentLength === 0) {
            state = S.MESSAGE_DONE;
          } else {
            state = S.BODY_IDENTITY;
          }
        } else if (state === S.CHUNK_HEADER) {
          // A chunk-size line was read.
          const f = cb.chunkHeader;
          if (f !== undefined) {
            this.at = base + p - 1;
            f(contentLength);
          }
          if (contentLength === 0) {
            // Trailers: a header section of their own.
            flags = flags | Flag.TRAILING;
            this.limitAbs = base + p - 1 + this.maxHeaderSize;
            this.limitKind = L.HEADER;
            state = S.HEADER_FIELD_START;
          } else {
            this.limitAbs = NO_LIMIT;
            this.limitKind = L.NONE;
            state = S.CHUNK_DATA;
          }
          stop = this.stopAt(n);
        } else {
          // S.MESSAGE_DONE
          this.flags = flags;
          this.messagesCompleted += 1;
          const onMessageComplete = cb.messageComplete;
          if (onMessageComplete !== undefined) {
            this.at = base + p - 1;
            onMessageComplete();
          }
          if (this.upgrade) {
            this.fail(Err.PAUSED_UPGRADE, "Pause on CONNECT/Upgrade", p);
            failed = true;
            break;
          }
          // llhttp__after_message_complete (shouldKeepAlive, inline)
          let keepAlive = this.httpMajor > 0 && this.httpMinor > 0
            ? (flags & Flag.CONNECTION_CLOSE) === 0
            : (flags & Flag.CONNECTION_KEEP_ALIVE) !== 0;
          if (keepAlive && !isRequest) keepAlive = !this.messageNeedsEof();
          this.finishState = Finish.SAFE;
          this.limitAbs = NO_LIMIT;
          this.limitKind = L.NONE;
          stop = n;
          flags = 0;
          this.flags = 0;
          contentLength = 0;
          state = keepAlive ? S.START : S.CLOSED;
        }
      } else if (state === S.CHUNK_SIZE_DIGIT || state === S.CHUNK_SIZE || state === S.CHUNK_DATA_ALMOST_DONE) {
        // ---- Chunked body (RFC 9112 7.1) ----
        if (state !== S.CHUNK_SIZE && (state === S.CHUNK_SIZE_DIGIT || this.seqIdx === 1)) {
          // Fast path: whole chunks one after another, each a plain size line (13 hex digits
          // at most: exact) and its data. With `ended`, p is at the CRLF that ends the data
          // before, matched together with the next size line: one match a chunk (a size is a
          // few bytes, where spans and calls to check the CRLFs and cut the digits out cost
          // more). The last chunk, and one whose data goes on in the next piece, go on through
          // the states.
          const onChunkHeader = cb.chunkHeader;
          const onChunkComplete = cb.chunkComplete;
          // The longest size line taken here: 13 digits and CRLF, within the line's limit.
          const maxLine = this.maxHeaderSize < 15 ? this.maxHeaderSize : 15;
          const entry = p;
          let ended = state === S.CHUNK_DATA_ALMOST_DONE;
          let lineStart = ended ? p + 2 : p;
          let [size, at] = match(data, ended ? DATA_END_CHUNK_LINE : CHUNK_LINE, p);
          // Chunks mostly have one size: its digits are converted once.
          let lastSize = "";
          let lastLength = 0;
          while (size) {
            const dataStart = at as unknown as number;
            if (dataStart - lineStart > maxLine) break;
            const length = size === lastSize ? lastLength : tonumber(size, 16)!;
            lastSize = size;
            lastLength = length;
            if (ended && onChunkComplete) {
              this.at = base + lineStart - 1;
              onChunkComplete();
            }
            const last = dataStart + length - 1;
            if (length === 0 || last > n) {
              ended = false;
              contentLength = length;
              p = dataStart;
              break;
            }
            if (onChunkHeader) {
              this.at = base + dataStart - 1;
              onChunkHeader(length);
            }
            if (onBody) onBody(data, dataStart, last);
            p = last + 1;
            ended = true;
            lineStart = last + 3;
            [size, at] = match(data, DATA_END_CHUNK_LINE, p);
          }
          if (p !== entry) {
            if (!ended) {
              state = S.CHUNK_HEADER;
              continue;
            }
            this.limitAbs = NO_LIMIT;
            this.limitKind = L.NONE;
            stop = n;
            this.seqIdx = 1;
            state = S.CHUNK_DATA_ALMOST_DONE;
            if (p > n) continue;
          }
        }
        if (state === S.CHUNK_DATA_ALMOST_DONE) {
          const c = byte(data, p);
          if (this.seqIdx === 1 && c === B.CR) {
            p += 1;
            this.seqIdx = 2;
          } else if (c === B.LF) {
            if (this.seqIdx === 1) {
              this.fail(Err.CR_EXPECTED, "Missing expected CR after chunk data", p + 1);
              failed = true;
              break;
            }
            p += 1;
            const f = cb.chunkComplete;
            if (f !== undefined) {
              this.at = base + p - 1;
              f();
            }
            this.startChunkLine(p);
            stop = this.stopAt(n);
            contentLength = 0;
            state = S.CHUNK_SIZE_DIGIT;
          } else {
            this.fail(Err.STRICT, "Expected LF after chunk data", p);
            failed = true;
            break;
          }
          continue;
        }
        const c = byte(data, p);
        const d = HEX.get(c);
        if (d !== undefined) {
          if (contentLength > idiv(MAX_LENGTH - d, 16)) {
            this.fail(Err.INVALID_CHUNK_SIZE, "Chunk size overflow", p);
            failed = true;
            break;
          }
          contentLength = contentLength * 16 + d;
          p += 1;
          state = S.CHUNK_SIZE;
        } else if (state === S.CHUNK_SIZE_DIGIT) {
          this.fail(Err.INVALID_CHUNK_SIZE, "Invalid character in chunk size", p);
          failed = true;
          break;
        } else if (c === B.CR) {
          p += 1;
          state = S.CHUNK_SIZE_ALMOST_DONE;
        } else if (c === 0x3b) {
          p += 1;
          state = S.CHUNK_EXTENSIONS;
        } else if (c === B.LF) {
          this.fail(Err.CR_EXPECTED, "Missing expected CR after chunk size", p + 1);
          failed = true;
          break;
        } else {
          this.fail(Err.INVALID_CHUNK_SIZE, "Invalid character in chunk size", c === B.SP || c === B.HTAB ? p + 1 : p);
          failed = true;
          break;
        }
      } else if (state === S.CHUNK_SIZE_ALMOST_DONE) {
        if (byte(data, p) !== B.LF) {
          this.fail(Err.STRICT, "Expected LF after chunk size", p);
          failed = true;
          break;
        }
        p += 1;
        state = S.CHUNK_HEADER;
      } else if (state === S.HEADERS_ALMOST_DONE) {
        if (byte(data, p) !== B.LF) {
          this.fail(Err.STRICT, "Expected LF after headers", p);
          failed = true;
          break;
        }
        p += 1;
        if ((flags & Flag.TRAILING) !== 0) {
          const f = cb.chunkComplete;
          if (f !== undefined) {
            this.at = base + p - 1;
            f();
          }
          state = S.MESSAGE_DONE;
        } else {
          state = S.HEADERS_DONE;
        }
      } else if (state === S.BODY_EOF) {
        if (onBody !== undefined) onBody(data, p, stop);
        p = stop + 1;
      } else if (state === S.HEADER_FIELD) {
        const q = span(data, p, TOKEN_SET);
        if (q > stop) {
          // The name goes on in the next chunk: keep what may still be a special name.
          const prefix = this.fieldPrefix;
          if (prefix !== undefined) {
            const more = stop - p + 1 + prefix.length;
            this.fieldPrefix = more <= SPECIAL_MAX ? prefix + string.lower(string.sub(data, p, stop)) : undefined;
          }
          p = stop + 1;
        } else {
          const c = byte(data, q);
          let hs: number = H.GENERAL;
          const prefix = this.fieldPrefix;
          if (prefix !== undefined && q - p + prefix.length <= SPECIAL_MAX) {
            hs = SPECIAL_HEADERS.get(prefix + string.lower(string.sub(data, p, q - 1))) ?? H.GENERAL;
          }
          if (c === B.COLON) {
            spanKind = K.NONE;
            if (onHeaderField !== undefined) onHeaderField(data, spanStart, q - 1);
            p = q + 1;
            if (onHeaderFieldComplete !== undefined) {
              this.at = base + q;
              onHeaderFieldComplete();
            }
            headerState = hs;
            if (hs === H.TRANSFER_ENCODING && (flags & Flag.CONTENT_LENGTH) !== 0) {
              this.fail(Err.INVALID_TRANSFER_ENCODING, "Transfer-Encoding can't be present with Content-Length", p);
              failed = true;
              break;
            }
            if (hs === H.CONTENT_LENGTH && (flags & Flag.TRANSFER_ENCODING) !== 0) {
              this.fail(Err.INVALID_CONTENT_LENGTH, "Content-Length can't be present with Transfer-Encoding", p);
              failed = true;
              break;
            }
            state = S.HEADER_VALUE_DISCARD_WS;
          } else if (c === B.SP && hs !== H.GENERAL) {
            // llhttp: whitespace between a special name and the colon (RFC 9112 5.1).
            if (onHeaderField !== undefined) onHeaderField(data, spanStart, q - 1);
            this.fail(Err.INVALID_HEADER_TOKEN, "Invalid header field char", q + 1);
            failed = true;
            break;
          } else {
            this.fail(Err.INVALID_HEADER_TOKEN, "Invalid header token", q);
            failed = true;
            break;
          }
        }
      } else if (state === S.HEADER_VALUE_DISCARD_WS) {
        const c = byte(data, p);
        if (c === B.SP || c === B.HTAB) {
          p += 1;
        } else if (c === B.CR) {
          p += 1;
          state = S.HEADER_VALUE_DISCARD_WS_ALMOST_DONE;
        } else if (c === B.LF) {
          this.fail(Err.INVALID_HEADER_TOKEN, "Invalid header value char", p + 1);
          failed = true;
          break;
        } else {
          spanKind = K.HEADER_VALUE;
          spanStart = p;
          state = S.HEADER_VALUE_START;
        }
      } else if (state === S.HEADER_VALUE_START) {
        if (headerState === H.GENERAL) {
          state = S.HEADER_VALUE;
        } else if (headerState === H.UPGRADE) {
          flags = flags | Flag.UPGRADE;
          headerState = H.GENERAL;
          state = S.HEADER_VALUE;
        } else if (headerState === H.TRANSFER_ENCODING) {
          if ((flags & Flag.CHUNKED) !== 0 && isRequest) {
            // RFC 9112 6.1: nothing may follow chunked in a request.
            spanKind = K.NONE;
            if (onHeaderValue !== undefined) onHeaderValue(data, spanStart, p - 1);
            this.fail(Err.INVALID_TRANSFER_ENCODING, "Invalid `Transfer-Encoding` header value", p + 1);
            failed = true;
            break;
          }
          flags = (flags | Flag.TRANSFER_ENCODING) & ~Flag.CHUNKED;
          this.seqIdx = 1;
          state = S.HEADER_VALUE_TE_CHUNKED;
        } else if (headerState === H.CONTENT_LENGTH) {
          if ((flags & Flag.CONTENT_LENGTH) !== 0) {
            this.fail(Err.UNEXPECTED_CONTENT_LENGTH, "Duplicate Content-Length", p);
            failed = true;
            break;
          }
          contentLength = 0;
          state = S.HEADER_VALUE_CONTENT_LENGTH;
        } else {
          state = S.HEADER_VALUE_CONNECTION;
        }
      } else if (state === S.HEADER_VALUE) {
        const q = span(data, p, HEADER_SET);
        if (q > stop) {
          p = stop + 1;
        } else {
          p = q;
          state = S.HEADER_VALUE_OTHERWISE;
        }
      } else if (state === S.HEADER_VALUE_OTHERWISE) {
        const c = byte(data, p);
        spanKind = K.NONE;
        if (onHeaderValue !== undefined) onHeaderValue(data, spanStart, p - 1);
        if (c === B.CR) {
          p += 1;
          state = S.HEADER_VALUE_ALMOST_DONE;
        } else if (c === B.LF) {
          this.fail(Err.CR_EXPECTED, "Missing expected CR after header value", p);
          failed = true;
          break;
        } else {
          this.fail(Err.INVALID_HEADER_TOKEN, "Invalid header value char", p);
          failed = true;
          break;
        }
      } else if (state === S.HEADER_VALUE_ALMOST_DONE) {
        if (byte(data, p) === B.LF) {
          p += 1;
          state = S.HEADER_VALUE_LWS;
        } else {
          this.fail(Err.LF_EXPECTED, "Missing expected LF after header value", p);
          failed = true;
          break;
        }
      } else if (state === S.HEADER_VALUE_LWS) {
        const c = byte(data, p);
        if (c === B.SP || c === B.HTAB) {
          // obs-fold (RFC 9112 5.2) is rejected.
          this.fail(Err.INVALID_HEADER_TOKEN, "Unexpected whitespace after header value", p);
          failed = true;
          break;
        }
        // llhttp's setHeaderFlags: what the value was found to say.
        flags = flags | (HEADER_STATE_FLAG.get(headerState) ?? 0);
        if (onHeaderValueComplete !== undefined) {
          this.at = base + p - 1;
          onHeaderValueComplete();
        }
        state = S.HEADER_FIELD_START;
      } else if (state === S.HEADER_VALUE_DISCARD_WS_ALMOST_DONE) {
        if (byte(data, p) !== B.LF) {
          this.fail(Err.STRICT, "Expected LF after CR", p);
          failed = true;
          break;
        }
        p += 1;
        state = S.HEADER_VALUE_DISCARD_LWS;
      } else if (state === S.HEADER_VALUE_DISCARD_LWS) {
        const c = byte(data, p);
        if (c === B.SP || c === B.HTAB) {
          this.fail(Err.INVALID_HEADER_TOKEN, "Invalid header value char", p + 1);
          failed = true;
          break;
        }
        if (headerState === H.CONTENT_LENGTH) {
          this.fail(Err.INVALID_CONTENT_LENGTH, "Empty Content-Length", p);
          failed = true;
          break;
        }
        // llhttp's setHeaderFlags: what the value was found to say.
        flags = flags | (HEADER_STATE_FLAG.get(headerState) ?? 0);
        // An empty value.
        if (onHeaderValue !== undefined) onHeaderValue(data, p, p - 1);
        if (onHeaderValueComplete !== undefined) {
          this.at = base + p - 1;
          onHeaderValueComplete();
        }
        state = S.HEADER_FIELD_START;
      } else if (state === S.HEADER_VALUE_CONTENT_LENGTH) {
        const c = byte(data, p);
        if (c >= 0x30 && c <= 0x39) {
          const d = c - 0x30;
          if (contentLength > idiv(MAX_LENGTH - d, 10)) {
            spanKind = K.NONE;
            if (onHeaderValue !== undefined) onHeaderValue(data, spanStart, p - 1);
            this.fail(Err.INVALID_CONTENT_LENGTH, "Content-Length overflow", p);
            failed = true;
            break;
          }
          contentLength = contentLength * 10 + d;
          p += 1;
        } else {
          state = S.HEADER_VALUE_CONTENT_LENGTH_WS;
        }
      } else if (state === S.HEADER_VALUE_CONTENT_LENGTH_WS) {
        const c = byte(data, p);
        if (c === B.SP || c === B.HTAB) {
          p += 1;
        } else if (c === B.CR || c === B.LF) {
          flags = flags | Flag.CONTENT_LENGTH;
          state = S.HEADER_VALUE_OTHERWISE;
        } else {
          spanKind = K.NONE;
          if (onHeaderValue !== undefined) onHeaderValue(data, spanStart, p - 1);
          this.fail(Err.INVALID_CONTENT_LENGTH, "Invalid character in Content-Length", p);
          failed = true;
          break;
        }
      } else if (state === S.HEADER_VALUE_TE_CHUNKED) {
        // "chunked", case-insensitive, possibly after other codings.
        const c = byte(data, p) | 0x20;
        const i = this.seqIdx;
        if (c === byte(CHUNKED, i)) {
          p += 1;
          if (i === CHUNKED.length) {
            state = S.HEADER_VALUE_TE_CHUNKED_LAST;
          } else {
            this.seqIdx = i + 1;
          }
        } else {
          state = S.HEADER_VALUE_TE_TOKEN;
        }
      } else if (state === S.HEADER_VALUE_TE_CHUNKED_LAST) {
        const c = byte(data, p);
        if (c === B.SP) {
          p += 1;
        } else if (c === B.CR || c === B.LF) {
          headerState = H.TRANSFER_ENCODING_CHUNKED;
          state = S.HEADER_VALUE_OTHERWISE;
        } else if (c === 0x2c) {
          if (isRequest) {
            spanKind = K.NONE;
            if (onHeaderValue !== undefined) onHeaderValue(data, spanStart, p - 1);
            this.fail(Err.INVALID_TRANSFER_ENCODING, "Invalid `Transfer-Encoding` header value", p + 1);
            failed = true;
            break;
          }
          this.seqIdx = 1;
          state = S.HEADER_VALUE_TE_CHUNKED;
        } else {
          state = S.HEADER_VALUE_TE_TOKEN;
        }
      } else if (state === S.HEADER_VALUE_TE_TOKEN) {
        const c = byte(data, p);
        if (c === 0x2c) {
          p += 1;
          state = S.HEADER_VALUE_TE_TOKEN_OWS;
        } else if (LIST_CHAR.get(c)) {
          p += 1;
        } else {
          headerState = H.GENERAL;
          state = S.HEADER_VALUE;
        }
      } else if (state === S.HEADER_VALUE_TE_TOKEN_OWS) {
        const c = byte(data, p);
        if (c === B.SP || c === B.HTAB) {
          p += 1;
        } else {
          this.seqIdx = 1;
          state = S.HEADER_VALUE_TE_CHUNKED;
        }
      } else if (state === S.HEADER_VALUE_CONNECTION) {
        let c = byte(data, p);
        if (c >= 0x41 && c <= 0x5a) c = c | 0x20;
        if (c === B.SP || c === B.HTAB) {
          p += 1;
        } else {
          const next = CONNECTION_TRIE.get(c);
          if (next !== undefined) {
            p += 1;
            this.trie = next as Trie;
            state = S.HEADER_VALUE_CONNECTION_WORD;
          } else {
            state = S.HEADER_VALUE_CONNECTION_TOKEN;
          }
        }
      } else if (state === S.HEADER_VALUE_CONNECTION_WORD) {
        let c = byte(data, p);
        if (c >= 0x41 && c <= 0x5a) c = c | 0x20;
        const next = this.trie!.get(c);
        if (next !== undefined) {
          p += 1;
          const word = (next as Trie).get(-1) as number | undefined;
          if (word !== undefined) {
            headerState = word;
            state = S.HEADER_VALUE_CONNECTION_WS;
          } else {
            this.trie = next as Trie;
          }
        } else {
          state = S.HEADER_VALUE_CONNECTION_TOKEN;
        }
      } else if (state === S.HEADER_VALUE_CONNECTION_WS) {
        const c = byte(data, p);
        if (c === 0x2c) {
          p += 1;
          flags = flags | (HEADER_STATE_FLAG.get(headerState) ?? 0);
          headerState = H.CONNECTION;
          state = S.HEADER_VALUE_CONNECTION;
        } else if (c === B.SP || c === B.HTAB) {
          p += 1;
        } else if (c === B.CR || c === B.LF) {
          state = S.HEADER_VALUE_OTHERWISE;
        } else {
          headerState = H.GENERAL;
          state = S.HEADER_VALUE_CONNECTION_TOKEN;
        }
      } else if (state === S.HEADER_VALUE_CONNECTION_TOKEN) {
        const c = byte(data, p);
        if (c === 0x2c) {
          p += 1;
          state = S.HEADER_VALUE_CONNECTION;
        } else if (LIST_CHAR.get(c)) {
          p += 1;
        } else {
          state = S.HEADER_VALUE_OTHERWISE;
        }
      } else if (state === S.METHOD) {
        const node = this.trie!;
        const next = node.get(byte(data, p));
        if (next !== undefined) {
          this.trie = next as Trie;
          p += 1;
        } else {
          const method = node.get(-1) as number | undefined;
          if (method === undefined) {
            this.fail(Err.INVALID_METHOD, "Invalid method encountered", p);
            failed = true;
            break;
          }
          this.method = method;
          spanKind = K.NONE;
          emitSpan(cb, K.METHOD, data, spanStart, p - 1);
          const f = cb.methodComplete;
          if (f !== undefined) {
            this.at = base + p - 1;
            f();
          }
          state = S.REQ_FIRST_SPACE;
        }
      } else if (state === S.REQ_FIRST_SPACE) {
        if (byte(data, p) !== B.SP) {
          this.fail(Err.INVALID_METHOD, "Expected space after method", p);
          failed = true;
          break;
        }
        p += 1;
        state = S.REQ_SPACES_BEFORE_URL;
      } else if (state === S.REQ_SPACES_BEFORE_URL) {
        const c = byte(data, p);
        if (c === B.SP) {
          p += 1;
        } else {
          spanKind = K.URL;
          spanStart = p;
          state = this.method === METHOD_CONNECT ? S.URL_SERVER : S.URL_START;
        }
      } else if (state === S.URL_START || state === S.URL_SCHEMA || state === S.URL_SCHEMA_DELIM ||
        state === S.URL_SERVER || state === S.URL_SERVER_WITH_AT || state === S.URL_PATH ||
        state === S.URL_QUERY || state === S.URL_FRAGMENT) {
        // ---- Request target (llhttp's url.ts) ----
        if (state === S.URL_PATH) {
          const q = span(data, p, URL_SET);
          if (q > stop) {
            p = stop + 1;
            continue;
          }
          p = q;
        }
        const c = byte(data, p);
        if ((c === B.HTAB || c === 12) && !(state === S.URL_SCHEMA_DELIM && this.seqIdx === 2)) {
          this.fail(Err.INVALID_URL, "Invalid characters in url", p + 1);
          failed = true;
          break;
        }
        if (state === S.URL_START) {
          if (c === 0x2f || c === 0x2a) {
            p += 1;
            state = S.URL_PATH;
          } else if (ALPHA.get(c)) {
            state = S.URL_SCHEMA;
          } else if (c === B.SP || c === B.CR || c === B.LF) {
            this.fail(Err.INVALID_URL, "Invalid characters in url", p + 1);
            failed = true;
            break;
          } else {
            this.fail(Err.INVALID_URL, "Unexpected start char in url", p);
            failed = true;
            break;
          }
        } else if (state === S.URL_SCHEMA) {
          if (ALPHA.get(c)) {
            p += 1;
          } else if (c === B.COLON) {
            p += 1;
            this.seqIdx = 1;
            state = S.URL_SCHEMA_DELIM;
          } else if (c === B.SP || c === B.CR || c === B.LF) {
            this.fail(Err.INVALID_URL, "Invalid characters in url", p + 1);
            failed = true;
            break;
          } else {
            this.fail(Err.INVALID_URL, "Unexpected char in url schema", p);
            failed = true;
            break;
          }
        } else if (state === S.URL_SCHEMA_DELIM) {
          if (c === 0x2f) {
            p += 1;
            if (this.seqIdx === 2) {
              state = S.URL_SERVER;
            } else {
              this.seqIdx = 2;
            }
          } else if (this.seqIdx === 1 && (c === B.SP || c === B.CR || c === B.LF)) {
            this.fail(Err.INVALID_URL, "Invalid characters in url", p + 1);
            failed = true;
            break;
          } else {
            this.fail(Err.INVALID_URL, "Unexpected char in url schema", p);
            failed = true;
            break;
          }
        } else if (c === B.SP || c === B.CR || c === B.LF) {
          // End of the target (server, path, query, fragment).
          spanKind = K.NONE;
          if (cb.url !== undefined) cb.url(data, spanStart, p - 1);
          p += 1;
          if (c === B.SP) {
            const f = cb.urlComplete;
            if (f !== undefined) {
              this.at = base + p - 1;
              f();
            }
            state = S.REQ_HTTP_START;
          } else if (c === B.CR) {
            state = S.URL_LF_09;
          } else {
            this.startHttp09(p);
            state = S.HEADERS_START;
          }
        } else if (state === S.URL_SERVER || state === S.URL_SERVER_WITH_AT) {
          if (c === 0x2f) {
            p += 1;
            state = S.URL_PATH;
          } else if (c === 0x3f) {
            p += 1;
            state = S.URL_QUERY;
          } else if (USERINFO.get(c) || c === 0x5b || c === 0x5d) {
            p += 1;
            state = S.URL_SERVER;
          } else if (c === 0x40) {
            if (state === S.URL_SERVER_WITH_AT) {
              this.fail(Err.INVALID_URL, "Double @ in url", p + 1);
              failed = true;
              break;
            }
            p += 1;
            state = S.URL_SERVER_WITH_AT;
          } else {
            this.fail(Err.INVALID_URL, "Unexpected char in url server", p);
            failed = true;
            break;
          }
        } else if (state === S.URL_PATH) {
          if (c === 0x3f) {
            p += 1;
            state = S.URL_QUERY;
          } else if (c === 0x23) {
            p += 1;
            state = S.URL_FRAGMENT;
          } else {
            this.fail(Err.INVALID_URL, "Invalid char in url path", p);
            failed = true;
            break;
          }
        } else if (state === S.URL_QUERY) {
          if (URL_CHAR.get(c) || c === 0x3f) {
            p += 1;
          } else if (c === 0x23) {
            p += 1;
            state = S.URL_FRAGMENT;
          } else {
            this.fail(Err.INVALID_URL, "Invalid char in url query", p);
            failed = true;
            break;
          }
        } else {
          if (URL_CHAR.get(c) || c === 0x3f || c === 0x23) {
            p += 1;
          } else {
            this.fail(Err.INVALID_URL, "Invalid char in url fragment start", p);
            failed = true;
            break;
          }
        }
      } else if (state === S.URL_LF_09) {
        if (byte(data, p) !== B.LF) {
          this.fail(Err.INVALID_URL, "Expected CRLF", p);
          failed = true;
          break;
        }
        p += 1;
        this.startHttp09(p);
        state = S.HEADERS_START;
      } else if (state === S.REQ_HTTP_START) {
        if (byte(data, p) === B.SP) {
          p += 1;
        } else {
          spanKind = K.PROTOCOL;
          spanStart = p;
          this.trie = PROTOCOL_TRIE;
          state = S.REQ_PROTOCOL;
        }
      } else if (state === S.REQ_PROTOCOL || state === S.RES_PROTOCOL) {
        const node = this.trie!;
        const next = node.get(byte(data, p));
        if (next !== undefined && typeof next !== "number") {
          p += 1;
          const protocol = next.get(-1) as number | undefined;
          if (protocol === undefined) {
            this.trie = next;
          } else {
            spanKind = K.NONE;
            emitSpan(cb, K.PROTOCOL, data, spanStart, p - 1);
            const f = cb.protocolComplete;
            if (f !== undefined) {
              this.at = base + p - 1;
              f();
            }
            if (state === S.REQ_PROTOCOL) {
              const method = this.method;
              if (protocol === 1 && !HTTP_METHOD_SET.get(method)) {
                this.fail(Err.INVALID_CONSTANT, "Invalid method for HTTP/x.x request", p);
                failed = true;
                break;
              }
              if (protocol === 2 && !RTSP_METHOD_SET.get(method)) {
                this.fail(Err.INVALID_CONSTANT, "Invalid method for RTSP/x.x request", p);
                failed = true;
                break;
              }
              if (protocol === 3 && !ICE_METHOD_SET.get(method)) {
                this.fail(Err.INVALID_CONSTANT, "Expected SOURCE method for ICE/x.x request", p);
                failed = true;
                break;
              }
              state = S.REQ_AFTER_PROTOCOL;
            } else {
              state = S.RES_AFTER_PROTOCOL;
            }
          }
        } else {
          spanKind = K.NONE;
          emitSpan(cb, K.PROTOCOL, data, spanStart, p - 1);
          this.fail(Err.INVALID_CONSTANT, "Expected HTTP/, RTSP/ or ICE/", p);
          failed = true;
          break;
        }
      } else if (state === S.REQ_AFTER_PROTOCOL || state === S.RES_AFTER_PROTOCOL) {
        if (byte(data, p) !== 0x2f) {
          this.fail(Err.INVALID_CONSTANT, "Expected HTTP/, RTSP/ or ICE/", p);
          failed = true;
          break;
        }
        p += 1;
        spanKind = K.VERSION;
        spanStart = p;
        state = state === S.REQ_AFTER_PROTOCOL ? S.REQ_MAJOR : S.RES_MAJOR;
      } else if (state === S.REQ_MAJOR || state === S.RES_MAJOR) {
        const c = byte(data, p);
        if (c < 0x30 || c > 0x39) {
          spanKind = K.NONE;
          emitSpan(cb, K.VERSION, data, spanStart, p - 1);
          this.fail(Err.INVALID_VERSION, "Invalid major version", p);
          failed = true;
          break;
        }
        this.httpMajor = c - 0x30;
        p += 1;
        state = state === S.REQ_MAJOR ? S.REQ_DOT : S.RES_DOT;
      } else if (state === S.REQ_DOT || state === S.RES_DOT) {
        if (byte(data, p) !== 0x2e) {
          spanKind = K.NONE;
          emitSpan(cb, K.VERSION, data, spanStart, p - 1);
          this.fail(Err.INVALID_VERSION, "Expected dot", p);
          failed = true;
          break;
        }
        p += 1;
        state = state === S.REQ_DOT ? S.REQ_MINOR : S.RES_MINOR;
      } else if (state === S.REQ_MINOR || state === S.RES_MINOR) {
        const c = byte(data, p);
        if (c < 0x30 || c > 0x39) {
          spanKind = K.NONE;
          emitSpan(cb, K.VERSION, data, spanStart, p - 1);
          this.fail(Err.INVALID_VERSION, "Invalid minor version", p);
          failed = true;
          break;
        }
        const major = this.httpMajor;
        const minor = c - 0x30;
        this.httpMinor = minor;
        p += 1;
        spanKind = K.NONE;
        emitSpan(cb, K.VERSION, data, spanStart, p - 1);
        if (!((major === 1 && minor <= 1) || (major === 0 && minor === 9) || (major === 2 && minor === 0))) {
          this.fail(Err.INVALID_VERSION, "Invalid HTTP version", p);
          failed = true;
          break;
        }
        const f = cb.versionComplete;
        if (f !== undefined) {
          this.at = base + p - 1;
          f();
        }
        if (state === S.RES_MINOR) {
          state = S.RES_AFTER_VERSION;
        } else if (this.method === METHOD_PRI) {
          this.seqIdx = 1;
          state = S.REQ_PRI;
        } else {
          state = S.REQ_HTTP_COMPLETE;
        }
      } else if (state === S.REQ_HTTP_COMPLETE) {
        const c = byte(data, p);
        if (c === B.CR) {
          p += 1;
          state = S.REQ_HTTP_COMPLETE_CRLF;
        } else {
          this.fail(Err.INVALID_VERSION, "Expected CRLF after version", c === B.LF ? p + 1 : p);
          failed = true;
          break;
        }
      } else if (state === S.REQ_HTTP_COMPLETE_CRLF) {
        if (byte(data, p) !== B.LF) {
          this.fail(Err.STRICT, "Expected CRLF after version", p);
          failed = true;
          break;
        }
        p += 1;
        state = S.HEADERS_START;
      } else if (state === S.REQ_PRI) {
        const i = this.seqIdx;
        if (byte(data, p) !== byte(PRI_PREFACE, i)) {
          this.fail(Err.INVALID_VERSION, "Expected HTTP/2 Connection Preface", p);
          failed = true;
          break;
        }
        p += 1;
        if (i === PRI_PREFACE.length) {
          this.fail(Err.PAUSED_H2_UPGRADE, "Pause on PRI/Upgrade", p);
          failed = true;
          break;
        }
        this.seqIdx = i + 1;
      } else if (state === S.RES_AFTER_VERSION) {
        if (byte(data, p) !== B.SP) {
          this.fail(Err.INVALID_VERSION, "Expected space after version", p);
          failed = true;
          break;
        }
        p += 1;
        this.statusCode = 0;
        this.statusDigits = 0;
        state = S.RES_STATUS_DIGIT;
      } else if (state === S.RES_STATUS_DIGIT) {
        const c = byte(data, p);
        if (c < 0x30 || c > 0x39) {
          this.fail(Err.INVALID_STATUS, "Invalid status code", p);
          failed = true;
          break;
        }
        this.statusCode = this.statusCode * 10 + c - 0x30;
        p += 1;
        this.statusDigits += 1;
        if (this.statusDigits === 3) state = S.RES_STATUS_OTHERWISE;
      } else if (state === S.RES_STATUS_OTHERWISE) {
        const c = byte(data, p);
        if (c === B.SP) {
          p += 1;
          spanKind = K.STATUS;
          spanStart = p;
          state = S.RES_STATUS;
        } else if (c === B.CR) {
          p += 1;
          state = S.RES_LINE_ALMOST_DONE;
        } else {
          this.fail(Err.INVALID_STATUS, "Invalid response status", c === B.LF ? p + 1 : p);
          failed = true;
          break;
        }
      } else if (state === S.RES_STATUS) {
        // reason-phrase: anything up to the line end.
        const q = span(data, p, NOT_CRLF_SET);
        if (q > stop) {
          p = stop + 1;
        } else {
          spanKind = K.NONE;
          emitSpan(cb, K.STATUS, data, spanStart, q - 1);
          p = q + 1;
          if (byte(data, q) === B.LF) {
            this.fail(Err.CR_EXPECTED, "Missing expected CR after response line", p);
            failed = true;
            break;
          }
          state = S.RES_LINE_ALMOST_DONE;
        }
      } else if (state === S.RES_LINE_ALMOST_DONE) {
        if (byte(data, p) !== B.LF) {
          this.fail(Err.STRICT, "Expected LF after CR", p);
          failed = true;
          break;
        }
        p += 1;
        const f = cb.statusComplete;
        if (f !== undefined) {
          this.at = base + p - 1;
          f();
        }
        state = S.HEADERS_START;
      } else if (state === S.CHUNK_EXTENSIONS) {
        const c = byte(data, p);
        if (c === B.SP || c === B.CR) {
          this.fail(Err.STRICT, "Invalid character in chunk extensions", p + 1);
          failed = true;
          break;
        }
        spanKind = K.CHUNK_EXT_NAME;
        spanStart = p;
        state = S.CHUNK_EXTENSION_NAME;
      } else if (state === S.CHUNK_EXTENSION_NAME) {
        const c = byte(data, p);
        if (TOKEN.get(c)) {
          p += 1;
        } else {
          spanKind = K.NONE;
          emitSpan(cb, K.CHUNK_EXT_NAME, data, spanStart, p - 1);
          if (c === 0x3d || c === 0x3b || c === B.CR || c === B.LF) {
            const f = cb.chunkExtensionNameComplete;
            if (f !== undefined) {
              this.at = base + (c === B.LF ? p - 1 : p);
              f();
            }
          }
          if (c === 0x3d) {
            p += 1;
            spanKind = K.CHUNK_EXT_VALUE;
            spanStart = p;
            state = S.CHUNK_EXTENSION_VALUE;
          } else if (c === 0x3b) {
            p += 1;
            state = S.CHUNK_EXTENSIONS;
          } else if (c === B.CR) {
            p += 1;
            state = S.CHUNK_SIZE_ALMOST_DONE;
          } else if (c === B.LF) {
            this.fail(Err.CR_EXPECTED, "Missing expected CR after chunk extension name", p);
            failed = true;
            break;
          } else {
            this.fail(Err.STRICT, "Invalid character in chunk extensions name", p + 1);
            failed = true;
            break;
          }
        }
      } else if (state === S.CHUNK_EXTENSION_VALUE) {
        const c = byte(data, p);
        if (c === 0x22) {
          p += 1;
          state = S.CHUNK_EXTENSION_QUOTED;
        } else if (TOKEN.get(c)) {
          p += 1;
        } else {
          spanKind = K.NONE;
          emitSpan(cb, K.CHUNK_EXT_VALUE, data, spanStart, p - 1);
          if (c === 0x3b || c === B.CR || c === B.LF) {
            const f = cb.chunkExtensionValueComplete;
            if (f !== undefined) {
              this.at = base + (c === B.LF ? p - 1 : p);
              f();
            }
          }
          if (c === 0x3b) {
            p += 1;
            state = S.CHUNK_EXTENSIONS;
          } else if (c === B.CR) {
            p += 1;
            state = S.CHUNK_SIZE_ALMOST_DONE;
          } else if (c === B.LF) {
            this.fail(Err.CR_EXPECTED, "Missing expected CR after chunk extension value", p);
            failed = true;
            break;
          } else {
            this.fail(Err.STRICT, "Invalid character in chunk extensions value", p + 1);
            failed = true;
            break;
          }
        }
      } else if (state === S.CHUNK_EXTENSION_QUOTED) {
        const c = byte(data, p);
        if (QDTEXT.get(c)) {
          p += 1;
        } else if (c === 0x22) {
          p += 1;
          spanKind = K.NONE;
          emitSpan(cb, K.CHUNK_EXT_VALUE, data, spanStart, p - 1);
          const f = cb.chunkExtensionValueComplete;
          if (f !== undefined) {
            this.at = base + p - 1;
            f();
          }
          state = S.CHUNK_EXTENSION_QUOTED_DONE;
        } else if (c === 0x5c) {
          p += 1;
          state = S.CHUNK_EXTENSION_QUOTED_PAIR;
        } else {
          spanKind = K.NONE;
          emitSpan(cb, K.CHUNK_EXT_VALUE, data, spanStart, p - 1);
          this.fail(Err.STRICT, "Invalid character in chunk extensions quoted value", p + 1);
          failed = true;
          break;
        }
      } else if (state === S.CHUNK_EXTENSION_QUOTED_PAIR) {
        if (HEADER_CHAR.get(byte(data, p))) {
          p += 1;
          state = S.CHUNK_EXTENSION_QUOTED;
        } else {
          spanKind = K.NONE;
          emitSpan(cb, K.CHUNK_EXT_VALUE, data, spanStart, p - 1);
          this.fail(Err.STRICT, "Invalid quoted-pair in chunk extensions quoted value", p + 1);
          failed = true;
          break;
        }
      } else if (state === S.CHUNK_EXTENSION_QUOTED_DONE) {
        const c = byte(data, p);
        if (c === 0x3b) {
          p += 1;
          state = S.CHUNK_EXTENSIONS;
        } else if (c === B.CR) {
          p += 1;
          state = S.CHUNK_SIZE_ALMOST_DONE;
        } else if (c === B.LF) {
          this.fail(Err.CR_EXPECTED, "Missing expected CR after chunk extension value", p);
          failed = true;
          break;
        } else {
          this.fail(Err.STRICT, "Invalid character in chunk extensions quote value", p);
          failed = true;
          break;
        }
      } else if (state === S.CLOSED) {
        const c = byte(data, p);
        if (c === B.CR || c === B.LF) {
          p += 1;
        } else {
          this.fail(Err.CLOSED_CONNECTION, "Data after `Connection: close`", p + 1);
          failed = true;
          break;
        }
      } else {
        this.fail(Err.INTERNAL, "Invalid state", p);
        failed = true;
        break;
      }
    }

    if (!failed) {
      if (p <= n) {
        // Stopped by the limit of the current section.
        if (this.limitKind === L.CHUNK_LINE) {
          this.fail(Err.CHUNK_EXTENSIONS_OVERFLOW, "Chunk extensions overflow", p);
        } else {
          this.fail(Err.HEADER_OVERFLOW, "Header overflow", p);
        }
      } else {
        if (spanKind !== K.NONE && spanStart <= n) emitSpan(cb, spanKind, data, spanStart, n);
        this.state = state;
      }
    }
    this.spanKind = spanKind;
    this.flags = flags;
    this.headerState = headerState;
    this.contentLength = contentLength;
    this.base = base + n;
    return this.errorCode;
  }

  /** A function that reports a whole header line through the four header callbacks (none when none is set). */
  private fieldLineEmitter(): HeaderLineCallback | undefined {
    const cb = this.cb;
    const onField = cb.headerField;
    const onFieldComplete = cb.headerFieldComplete;
    const onValue = cb.headerValue;
    const onValueComplete = cb.headerValueComplete;
    if (onField === undefined && onFieldComplete === undefined && onValue === undefined && onValueComplete === undefined) return undefined;
    return (data, nameFirst, nameLast, valueFirst, valueLast) => {
      if (onField !== undefined) onField(data, nameFirst, nameLast);
      if (onFieldComplete !== undefined) {
        this.at = this.base + nameLast + 1;
        onFieldComplete();
      }
      if (onValue !== undefined) onValue(data, valueFirst, valueLast);
      if (onValueComplete !== undefined) {
        this.at = this.base + valueLast + 2;
        onValueComplete();
      }
    };
  }

  /** The last position of a chunk of `n` bytes that the current section's limit lets the parser read. */
  private stopAt(n: number): number {
    const stop = this.limitAbs - this.base;
    return stop > n ? n : stop;
  }

  private startHttp09(p: number): void {
    this.httpMajor = 0;
    this.httpMinor = 9;
    const f = this.cb.urlComplete;
    if (f !== undefined) {
      this.at = this.base + p - 1;
      f();
    }
  }

  private startChunkLine(p: number): void {
    this.limitAbs = this.base + p - 1 + this.maxHeaderSize;
    this.limitKind = L.CHUNK_LINE;
  }
}

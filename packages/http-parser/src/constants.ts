// Codes, flags and methods of the parser. The numbers are llhttp's
// (src/llhttp/constants.ts), so logs and error codes read the same; the two
// limits at the end are ours (Node.js enforces them outside llhttp).

/** Error codes, as llhttp's `llhttp_errno_t`. 0 is success. */
export const enum Err {
  OK = 0,
  INTERNAL = 1,
  STRICT = 2,
  LF_EXPECTED = 3,
  UNEXPECTED_CONTENT_LENGTH = 4,
  CLOSED_CONNECTION = 5,
  INVALID_METHOD = 6,
  INVALID_URL = 7,
  INVALID_CONSTANT = 8,
  INVALID_VERSION = 9,
  INVALID_HEADER_TOKEN = 10,
  INVALID_CONTENT_LENGTH = 11,
  INVALID_CHUNK_SIZE = 12,
  INVALID_STATUS = 13,
  INVALID_EOF_STATE = 14,
  INVALID_TRANSFER_ENCODING = 15,
  CB_HEADERS_COMPLETE = 17,
  /** The message asked for another protocol (CONNECT, Upgrade): the rest of the input is not HTTP. */
  PAUSED_UPGRADE = 22,
  /** `PRI * HTTP/2.0` preface: the rest of the input is HTTP/2. */
  PAUSED_H2_UPGRADE = 23,
  CR_EXPECTED = 25,
  UNEXPECTED_SPACE = 30,
  /** The start line and headers (or trailers) are longer than `maxHeaderSize`. */
  HEADER_OVERFLOW = 40,
  /** A chunk-size line (with its extensions) is longer than `maxHeaderSize`. */
  CHUNK_EXTENSIONS_OVERFLOW = 41,
}

/** Names of the error codes (llhttp's `HPE_*` without the prefix). */
export const ERROR_NAMES: Record<number, string> = {
  0: "OK", 1: "INTERNAL", 2: "STRICT", 3: "LF_EXPECTED", 4: "UNEXPECTED_CONTENT_LENGTH",
  5: "CLOSED_CONNECTION", 6: "INVALID_METHOD", 7: "INVALID_URL", 8: "INVALID_CONSTANT",
  9: "INVALID_VERSION", 10: "INVALID_HEADER_TOKEN", 11: "INVALID_CONTENT_LENGTH",
  12: "INVALID_CHUNK_SIZE", 13: "INVALID_STATUS", 14: "INVALID_EOF_STATE",
  15: "INVALID_TRANSFER_ENCODING", 17: "CB_HEADERS_COMPLETE", 22: "PAUSED_UPGRADE",
  23: "PAUSED_H2_UPGRADE", 25: "CR_EXPECTED", 30: "UNEXPECTED_SPACE",
  40: "HEADER_OVERFLOW", 41: "CHUNK_EXTENSIONS_OVERFLOW",
};

/** Message flags, as llhttp's `llhttp_flags` (reported by `headersComplete`). */
export const enum Flag {
  CONNECTION_KEEP_ALIVE = 1,
  CONNECTION_CLOSE = 2,
  CONNECTION_UPGRADE = 4,
  CHUNKED = 8,
  UPGRADE = 16,
  CONTENT_LENGTH = 32,
  SKIPBODY = 64,
  TRAILING = 128,
  TRANSFER_ENCODING = 512,
}

/** What `finish()` may do at the current position, as llhttp's `llhttp_finish_t`. */
export const enum Finish {
  /** Between messages: the connection may end here. */
  SAFE = 0,
  /** In a body delimited by the end of the connection: ending it completes the message. */
  SAFE_WITH_CB = 1,
  /** Inside a message: ending the connection here truncates it. */
  UNSAFE = 2,
}

/** How `headersComplete` tells the parser what follows the header section. */
export const enum HeadersResult {
  NORMAL = 0,
  /** The message has no body whatever its headers say (a response to HEAD). */
  SKIP_BODY = 1,
  /** No body, and the connection switches protocol after it. */
  UPGRADE = 2,
}

/** Method numbers, as llhttp's `llhttp_method_t`. */
export const METHODS: Record<string, number> = {
  DELETE: 0, GET: 1, HEAD: 2, POST: 3, PUT: 4, CONNECT: 5, OPTIONS: 6, TRACE: 7,
  COPY: 8, LOCK: 9, MKCOL: 10, MOVE: 11, PROPFIND: 12, PROPPATCH: 13, SEARCH: 14,
  UNLOCK: 15, BIND: 16, REBIND: 17, UNBIND: 18, ACL: 19, REPORT: 20, MKACTIVITY: 21,
  CHECKOUT: 22, MERGE: 23, "M-SEARCH": 24, NOTIFY: 25, SUBSCRIBE: 26, UNSUBSCRIBE: 27,
  PATCH: 28, PURGE: 29, MKCALENDAR: 30, LINK: 31, UNLINK: 32, SOURCE: 33, PRI: 34,
  DESCRIBE: 35, ANNOUNCE: 36, SETUP: 37, PLAY: 38, PAUSE: 39, TEARDOWN: 40,
  GET_PARAMETER: 41, SET_PARAMETER: 42, REDIRECT: 43, RECORD: 44, FLUSH: 45, QUERY: 46,
};

export const METHOD_CONNECT = 5;
export const METHOD_PRI = 34;

/** Methods allowed with `HTTP/x.y` (all but the RTSP-only ones). */
export const HTTP_METHODS = [
  "DELETE", "GET", "HEAD", "POST", "PUT", "CONNECT", "OPTIONS", "TRACE", "COPY", "LOCK",
  "MKCOL", "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND", "UNBIND",
  "ACL", "REPORT", "MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE",
  "UNSUBSCRIBE", "PATCH", "PURGE", "MKCALENDAR", "LINK", "UNLINK", "SOURCE", "PRI", "QUERY",
];
/** Methods allowed with `RTSP/x.y` (RFC 2326, AirPlay, RAOP). */
export const RTSP_METHODS = [
  "OPTIONS", "DESCRIBE", "ANNOUNCE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER",
  "SET_PARAMETER", "REDIRECT", "RECORD", "GET", "POST", "FLUSH",
];
/** Methods allowed with `ICE/x.y` (Icecast). */
export const ICE_METHODS = ["SOURCE"];

/** Largest content length or chunk size: 2^53 - 1, so numbers stay exact everywhere. */
export const MAX_LENGTH = 9007199254740991;
/** Default limit of a header section (start line + headers, or trailers), as Node.js. */
export const DEFAULT_MAX_HEADER_SIZE = 16384;

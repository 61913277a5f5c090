// Character sets of HTTP/1.1 (RFC 9110 5.6, RFC 9112), as llhttp defines
// them (src/llhttp/constants.ts), in the two forms the parser uses: byte
// lookup tables for single bytes, and Lua patterns that find the first byte
// outside a set so a whole run is skipped with one `string.find`.
// Patterns use ranges first: Lua tests a set's items in order.

function table(ranges: [number, number][], singles: number[]): LuaTable<number, boolean> {
  const t = new LuaTable<number, boolean>();
  for (const [from, to] of ranges) {
    for (let b = from; b <= to; b++) t.set(b, true);
  }
  for (const b of singles) t.set(b, true);
  return t;
}

const TOKEN_PUNCT = [0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2a, 0x2b, 0x2d, 0x2e, 0x5e, 0x5f, 0x60, 0x7c, 0x7e];
const ALNUM: [number, number][] = [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]];

/** tchar (RFC 9110 5.6.2): header names, methods, chunk extension names and values. */
export const TOKEN = table(ALNUM, TOKEN_PUNCT);
/** Request-target bytes outside `?` and `#` (llhttp's URL_CHAR: visible ASCII but `#` and `?`). */
export const URL_CHAR = table([[0x21, 0x22], [0x24, 0x3e], [0x40, 0x7e]], []);
/** userinfo / host bytes of an absolute-form target (llhttp's USERINFO_CHARS). */
export const USERINFO = table(ALNUM, [0x2d, 0x5f, 0x2e, 0x21, 0x7e, 0x2a, 0x27, 0x28, 0x29, 0x25, 0x3b, 0x3a, 0x26, 0x3d, 0x2b, 0x24, 0x2c]);
export const ALPHA = table([[0x41, 0x5a], [0x61, 0x7a]], []);
/** field-vchar, SP and HTAB (RFC 9110 5.5): header values; also quoted-pair. */
export const HEADER_CHAR = table([[0x20, 0x7e], [0x80, 0xff]], [0x09]);
/** Bytes of a comma-separated token list (Connection, Transfer-Encoding) but the comma. */
export const LIST_CHAR = table([[0x20, 0x2b], [0x2d, 0x7e], [0x80, 0xff]], [0x09]);
/** qdtext (RFC 9110 5.6.4): inside a quoted chunk extension value. */
export const QDTEXT = table([[0x23, 0x5b], [0x5d, 0x7e], [0x80, 0xff]], [0x09, 0x20, 0x21]);

/** Value of a hex digit, or nil. */
export const HEX = new LuaTable<number, number>();
for (let d = 0; d <= 9; d++) HEX.set(0x30 + d, d);
for (let d = 0; d <= 5; d++) {
  HEX.set(0x41 + d, 10 + d);
  HEX.set(0x61 + d, 10 + d);
}

/** First byte that is not a tchar. */
export const NOT_TOKEN = "[^a-zA-Z0-9!#$%%&'*+%-.^_`|~]";
/** First byte that is not a URL_CHAR. */
export const NOT_URL_CHAR = "[^@-~$->!-\"]";
/** First byte that is not a header value byte. */
export const NOT_HEADER_CHAR = `[^ -~${string.char(0x80)}-${string.char(0xff)}\t]`;

const HI = `${string.char(0x80)}-${string.char(0xff)}`;
/**
 * A whole header line in one match: name, colon, OWS, a value that starts
 * with a visible byte, CRLF, and the first byte of the next line, which
 * must not fold this one (RFC 9112 5.2). Position captures (for
 * `string.match`): the colon, the value, the CR; the next line starts 2
 * bytes after the CR. Names here use the tchars names are made of in
 * practice ('-' first: Lua tries a set's items in order, and the whole set
 * is read again on every match); a name with another tchar goes byte by
 * byte, which accepts all of them.
 */
export const HEADER_LINE = `^[-a-zA-Z0-9_]+():[ \t]*()[!-~${HI}][ -~\t${HI}]*()\r\n[^ \t]`;
/** An origin-form request line of HTTP/1.0 or 1.1: method, target, the space after it, minor version, next line. */
export const REQUEST_LINE = "^([A-Z][A-Z_-]*) ()/[!-~]*() HTTP/1%.([01])\r\n()";
/** An HTTP/1.x status line with a reason phrase (possibly empty): minor version, code, reason, its CR, next line. */
export const STATUS_LINE = "^HTTP/1%.([01]) ([0-9][0-9][0-9]) ()[^\r\n]*()\r\n()";
/** A chunk-size line without extensions: the size in hex, the next line. */
export const CHUNK_LINE = "^([0-9a-fA-F]+)\r\n()";
/** All digits up to the end of a Content-Length value (its CR): the position of that CR. */
export const DIGITS_TO_CR = "^[0-9]+()\r";

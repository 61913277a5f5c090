// Character sets of HTTP/1.1 (RFC 9110 5.6, RFC 9112), as llhttp defines
// them (src/llhttp/constants.ts), in the two forms the parser uses: byte
// lookup tables for single bytes in the byte-by-byte states, and 256-bit
// bitmaps for `kmod.span`, which skips a whole run of a set's bytes in C
// (a few machine instructions a byte; a Lua pattern takes about 85). Both
// forms of a set are made from the same ranges, once, at load time. (Two
// patterns are left, for the few bytes of a chunk-size line.)

/** Bytes from..to (inclusive) and single bytes: the members of a set. */
interface ByteClass { ranges: [number, number][]; singles: number[] }

function members(cls: ByteClass): number[] {
  const bytes = [...cls.singles];
  for (const [from, to] of cls.ranges) {
    for (let b = from; b <= to; b++) bytes.push(b);
  }
  return bytes;
}

function table(cls: ByteClass): LuaTable<number, boolean> {
  const t = new LuaTable<number, boolean>();
  for (const b of members(cls)) t.set(b, true);
  return t;
}

/** The set as `kmod.span` wants it: 32 bytes, bit `b % 8` of byte `b / 8` for member `b`. */
function bitmap(cls: ByteClass): string {
  const bits: number[] = [];
  for (let i = 0; i < 32; i++) bits.push(0);
  for (const b of members(cls)) bits[b >>> 3] = bits[b >>> 3]! | (1 << (b & 7));
  return string.char(...bits);
}

const TOKEN_PUNCT = [0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2a, 0x2b, 0x2d, 0x2e, 0x5e, 0x5f, 0x60, 0x7c, 0x7e];
const ALNUM: [number, number][] = [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]];
const OBS_TEXT: [number, number] = [0x80, 0xff];

const TOKEN_CLASS: ByteClass = { ranges: ALNUM, singles: TOKEN_PUNCT };
const URL_CLASS: ByteClass = { ranges: [[0x21, 0x22], [0x24, 0x3e], [0x40, 0x7e]], singles: [] };
const HEADER_CLASS: ByteClass = { ranges: [[0x20, 0x7e], OBS_TEXT], singles: [0x09] };

/** tchar (RFC 9110 5.6.2): header names, methods, chunk extension names and values. */
export const TOKEN = table(TOKEN_CLASS);
/** Request-target bytes outside `?` and `#` (llhttp's URL_CHAR: visible ASCII but `#` and `?`). */
export const URL_CHAR = table(URL_CLASS);
/** userinfo / host bytes of an absolute-form target (llhttp's USERINFO_CHARS). */
export const USERINFO = table({ ranges: ALNUM, singles: [0x2d, 0x5f, 0x2e, 0x21, 0x7e, 0x2a, 0x27, 0x28, 0x29, 0x25, 0x3b, 0x3a, 0x26, 0x3d, 0x2b, 0x24, 0x2c] });
export const ALPHA = table({ ranges: [[0x41, 0x5a], [0x61, 0x7a]], singles: [] });
/** field-vchar, SP and HTAB (RFC 9110 5.5): header values; also quoted-pair. */
export const HEADER_CHAR = table(HEADER_CLASS);
/** Bytes a header value may start with: HEADER_CHAR but SP and HTAB. */
export const VALUE_START = table({ ranges: [[0x21, 0x7e], OBS_TEXT], singles: [] });
/** Bytes of a comma-separated token list (Connection, Transfer-Encoding) but the comma. */
export const LIST_CHAR = table({ ranges: [[0x20, 0x2b], [0x2d, 0x7e], OBS_TEXT], singles: [0x09] });
/** qdtext (RFC 9110 5.6.4): inside a quoted chunk extension value. */
export const QDTEXT = table({ ranges: [[0x23, 0x5b], [0x5d, 0x7e], OBS_TEXT], singles: [0x09, 0x20, 0x21] });

/** Value of a decimal digit, or nil. */
export const DECIMAL = new LuaTable<number, number>();
for (let d = 0; d <= 9; d++) DECIMAL.set(0x30 + d, d);
/** Value of a hex digit, or nil. */
export const HEX = new LuaTable<number, number>();
for (let d = 0; d <= 9; d++) HEX.set(0x30 + d, d);
for (let d = 0; d <= 5; d++) {
  HEX.set(0x41 + d, 10 + d);
  HEX.set(0x61 + d, 10 + d);
}

// Bitmaps for kmod.span.
/** tchar. */
export const TOKEN_SET = bitmap(TOKEN_CLASS);
/** URL_CHAR. */
export const URL_SET = bitmap(URL_CLASS);
/** Header value bytes (HEADER_CHAR). */
export const HEADER_SET = bitmap(HEADER_CLASS);
/** SP and HTAB: the whitespace before a header value. */
export const OWS_SET = bitmap({ ranges: [], singles: [0x20, 0x09] });
/** Visible ASCII (`!`-`~`): an origin-form target in the request line's fast path. */
export const VISIBLE_SET = bitmap({ ranges: [[0x21, 0x7e]], singles: [] });
/** Every byte but CR and LF: a reason phrase. */
export const NOT_CRLF_SET = bitmap({ ranges: [[0x00, 0x09], [0x0b, 0x0c], [0x0e, 0xff]], singles: [] });

/**
 * A chunk-size line without extensions, as a pattern (a size is too short for
 * a span to pay: see parser.ts): the size in hex, the position of the next
 * line. `%x` is C's isxdigit, exactly [0-9A-Fa-f] in every locale (POSIX).
 */
export const CHUNK_LINE = "^(%x+)\r\n()";
/** The CRLF that ends a chunk's data, then a chunk-size line as CHUNK_LINE. */
export const DATA_END_CHUNK_LINE = "^\r\n(%x+)\r\n()";

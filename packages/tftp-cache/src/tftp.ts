// TFTP on the wire (RFC 1350, options RFC 2347): parsing and building of
// TFTP messages as Lua strings. Sans-I/O: no packets, no engine calls.
// Every rejection names its reason.

export const OP_RRQ = 1;
export const OP_WRQ = 2;
export const OP_DATA = 3;
export const OP_ACK = 4;
export const OP_ERROR = 5;
export const OP_OACK = 6;

/** RFC 1350 §5 error codes (+ RFC 2347's 8). */
export const ERR_UNDEFINED = 0;
export const ERR_NOT_FOUND = 1;
export const ERR_ILLEGAL_OPERATION = 4;
export const ERR_UNKNOWN_TID = 5;
export const ERR_OPTION_REFUSED = 8;

/** RFC 2347: a request (with its options) fits in 512 bytes. */
export const MAX_REQUEST_BYTES = 512;
/** Options per request we look at; more is malformed (a request has room for few). */
export const MAX_OPTIONS = 16;
/** Longest option value we parse: the largest legal one ("65464", a tsize) is far shorter. */
export const MAX_OPTION_VALUE = 20;

export interface Request {
  opcode: number;
  filename: string;
  /** Lower case: "octet", "netascii" or "mail". */
  mode: string;
  /** Option names (lower case) -> value text, RFC 2347. */
  options: LuaTable<string, string>;
  optionCount: number;
}

/**
 * Parses an RRQ/WRQ payload (the UDP payload): opcode, filename NUL, mode NUL,
 * then option/value pairs each NUL-terminated (RFC 2347 §Packet Formats).
 * Returns the request, or undefined and the reason it is malformed.
 */
export function parseRequest(s: string): LuaMultiReturn<[Request, undefined] | [undefined, string]> {
  const n = s.length;
  if (n < 4) return $multi(undefined, "truncated request");
  if (n > MAX_REQUEST_BYTES) return $multi(undefined, "request longer than 512 bytes");
  const [opcode] = string.unpack(">H", s);
  if (opcode !== OP_RRQ && opcode !== OP_WRQ) return $multi(undefined, "not a request");
  const [nameEnd] = string.find(s, "\0", 3, true);
  if (nameEnd === undefined) return $multi(undefined, "filename not terminated");
  if (nameEnd === 3) return $multi(undefined, "empty filename");
  const [modeEnd] = string.find(s, "\0", nameEnd + 1, true);
  if (modeEnd === undefined) return $multi(undefined, "mode not terminated");
  const mode = string.lower(string.sub(s, nameEnd + 1, modeEnd - 1));
  if (mode !== "octet" && mode !== "netascii" && mode !== "mail") return $multi(undefined, "unknown mode");
  const options = new LuaTable<string, string>();
  let optionCount = 0;
  let pos = modeEnd + 1;
  while (pos <= n) {
    const [optEnd] = string.find(s, "\0", pos, true);
    if (optEnd === undefined) return $multi(undefined, "option not terminated");
    const [valueEnd] = string.find(s, "\0", optEnd + 1, true);
    if (valueEnd === undefined) return $multi(undefined, "option value not terminated");
    if (optEnd === pos) return $multi(undefined, "empty option name");
    optionCount++;
    if (optionCount > MAX_OPTIONS) return $multi(undefined, "too many options");
    if (valueEnd - optEnd - 1 > MAX_OPTION_VALUE) return $multi(undefined, "option value too long");
    options.set(string.lower(string.sub(s, pos, optEnd - 1)), string.sub(s, optEnd + 1, valueEnd - 1));
    pos = valueEnd + 1;
  }
  return $multi({ opcode, filename: string.sub(s, 3, nameEnd - 1), mode, options, optionCount }, undefined);
}

/**
 * Parses an OACK payload (RFC 2347): option/value pairs. Returns undefined
 * and a reason when it is malformed.
 */
export function parseOack(s: string): LuaMultiReturn<[LuaTable<string, string>, undefined] | [undefined, string]> {
  const options = new LuaTable<string, string>();
  let pos = 3;
  let count = 0;
  while (pos <= s.length) {
    const [optEnd] = string.find(s, "\0", pos, true);
    if (optEnd === undefined) return $multi(undefined, "option not terminated");
    const [valueEnd] = string.find(s, "\0", optEnd + 1, true);
    if (valueEnd === undefined) return $multi(undefined, "option value not terminated");
    count++;
    if (count > MAX_OPTIONS) return $multi(undefined, "too many options");
    if (valueEnd - optEnd - 1 > MAX_OPTION_VALUE) return $multi(undefined, "option value too long");
    options.set(string.lower(string.sub(s, pos, optEnd - 1)), string.sub(s, optEnd + 1, valueEnd - 1));
    pos = valueEnd + 1;
  }
  return $multi(options, undefined);
}

/** A decimal option value as an integer, or undefined (not all digits, or too long). */
export function optionInteger(text: string | undefined): number | undefined {
  if (text === undefined || text.length === 0 || text.length > 18) return undefined;
  if (string.find(text, "^%d+$")[0] === undefined) return undefined;
  return math.tointeger(tonumber(text)!) as number | undefined;
}

/** The 4-byte header of a DATA message (RFC 1350 §5); the block follows it. */
export function dataHeader(block: number): string {
  return string.pack(">HH", OP_DATA, block & 0xFFFF);
}

export function ack(block: number): string {
  return string.pack(">HH", OP_ACK, block & 0xFFFF);
}

/** An ERROR message: code, text, NUL. */
export function errorMessage(code: number, text: string): string {
  return string.pack(">HHz", OP_ERROR, code, text);
}

/** An OACK (RFC 2347) from a list of name, value, name, value, ... */
export function oack(fields: string[]): string {
  return string.pack(">H", OP_OACK) + table.concat(fields, "\0") + "\0";
}

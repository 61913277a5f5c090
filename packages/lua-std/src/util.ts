// Small integer helpers shared by the protocol buffers: address text <->
// bytes, the RFC 1624 incremental checksum, argument checks. Integers only.

/**
 * Lua's `type`, captured when the bundle loads: the thesis' Listing 3.1
 * assigns a global named `type`, which must not break the library.
 */
export const luaType = type;

/** True when `v` is a Lua integer (not a float, not a string). */
export function isInteger(v: unknown): v is number {
  return math.type(v as number) === "integer";
}

/** The integer a decimal text stands for, or undefined. */
export function toInteger(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = tonumber(text);
  if (n === undefined) return undefined;
  return math.tointeger(n) as number | undefined;
}

/** Raises a Lua error unless `v` is an integer in [min, max]; `what` (+ `suffix`) names the argument. */
export function checkInteger(v: unknown, min: number, max: number, what: string, suffix = ""): number {
  if (!isInteger(v) || v < min || v > max) {
    error(`${what}${suffix}: expected an integer in [${min}, ${max}], got ${tostring(v)}`, 3);
  }
  return v;
}

/** Parses "a.b.c.d" to a 32-bit integer; undefined when it is not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const [a, b, c, d] = string.match(text, "^(%d+)%.(%d+)%.(%d+)%.(%d+)$");
  if (a === undefined) return undefined;
  const n1 = toInteger(a), n2 = toInteger(b), n3 = toInteger(c), n4 = toInteger(d);
  if (n1 === undefined || n2 === undefined || n3 === undefined || n4 === undefined) return undefined;
  if (n1 > 255 || n2 > 255 || n3 > 255 || n4 > 255) return undefined;
  return (n1 << 24) | (n2 << 16) | (n3 << 8) | n4;
}

/** Scripts set the same few addresses on every packet (a NAT): each text is parsed once, by toIpv4. */
export const parsedAddresses = new LuaTable<string, number>();
let parsedCount = 0;

/** An IPv4 address given as text or as a 32-bit integer, as an integer (Lua error when invalid). */
export function toIpv4(value: unknown, what: string, suffix = ""): number {
  const cached = parsedAddresses.get(value as string);
  if (cached !== undefined) return cached;
  if (isInteger(value) && value >= 0 && value <= 0xFFFFFFFF) return value;
  if (luaType(value) === "string") {
    const n = parseIpv4(value as string);
    if (n !== undefined) {
      if (parsedCount >= 256) {
        for (const [key] of parsedAddresses) parsedAddresses.delete(key);
        parsedCount = 0;
      }
      parsedAddresses.set(value as string, n);
      parsedCount++;
      return n;
    }
  }
  return error(`${what}${suffix}: invalid IPv4 address ${tostring(value)} (expected "a.b.c.d")`, 3);
}

export function formatIpv4(n: number): string {
  return string.format("%d.%d.%d.%d", shr(n, 24) & 0xFF, shr(n, 16) & 0xFF, shr(n, 8) & 0xFF, n & 0xFF);
}

/** Parses "01:23:45:67:89:ab" (either case, ':' or '-') to a 6-byte string; undefined when invalid. */
export function parseMac(text: string): string | undefined {
  const [a, b, c, d, e, f] = string.match(
    text,
    "^(%x%x)[:%-](%x%x)[:%-](%x%x)[:%-](%x%x)[:%-](%x%x)[:%-](%x%x)$",
  );
  if (a === undefined) return undefined;
  return string.char(
    tonumber(a, 16)!, tonumber(b, 16)!, tonumber(c, 16)!, tonumber(d, 16)!, tonumber(e, 16)!, tonumber(f, 16)!,
  );
}

/** Formats 6 bytes as "01:23:45:67:89:AB" (upper case, as the thesis' listings compare). */
export function formatMac(bytes: string): string {
  const [a, b, c, d, e, f] = string.byte(bytes, 1, 6);
  return string.format("%02X:%02X:%02X:%02X:%02X:%02X", a, b, c, d, e, f);
}

/**
 * RFC 1624 (eqn. 3) incremental update of an Internet checksum after a
 * 16-bit word of the covered data changed from `oldWord` to `newWord`:
 * HC' = ~(~HC + ~m + m').
 */
export function checksumAdjust(check: number, oldWord: number, newWord: number): number {
  let sum = (~check & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
  sum = (sum & 0xFFFF) + shr(sum, 16);
  sum = (sum & 0xFFFF) + shr(sum, 16);
  return ~sum & 0xFFFF;
}

/** One's-complement sum (RFC 1071) of a Lua string range, unfolded, added to `initial`. Pure Lua. */
export function sum16String(s: string, initial = 0, from = 1, to = s.length): number {
  let sum = initial;
  let i = from;
  // string.unpack of 8 big-endian 16-bit words at a time keeps the loop short.
  while (i + 15 <= to) {
    const [w1, w2, w3, w4, w5, w6, w7, w8] = string.unpack(">I2I2I2I2I2I2I2I2", s, i);
    sum += w1 + w2 + w3 + w4 + w5 + w6 + w7 + w8;
    i += 16;
  }
  while (i + 1 <= to) {
    const [hi, lo] = string.byte(s, i, i + 1);
    sum += (hi << 8) | lo;
    i += 2;
  }
  if (i === to) sum += string.byte(s, i) << 8;
  return sum;
}

/** Folds a one's-complement sum to 16 bits and inverts it: the value for the header. */
export function fold16(sum: number): number {
  let s = sum;
  while (s > 0xFFFF) s = (s & 0xFFFF) + shr(s, 16);
  return ~s & 0xFFFF;
}

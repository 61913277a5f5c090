// Typed field modifiers (thesis §3.3.2): what `get()` and `set(v)` of a
// field do. Every setter keeps the checksum covering the field valid
// (checksum.ts; for IP addresses also the TCP/UDP pseudo-header checksum),
// as PacketScript's setters did.

import type { FieldGetter, FieldSetter, ProtocolSegment } from "./core";
import { readBits, writeBits } from "./bits";
import { checksumAfter, checksumBefore } from "./checksum";
import { checkInteger, formatIpv4, formatMac, parseMac, parsedAddresses, toIpv4, luaType } from "./util";

/** Unsigned integer of the field's width (1 to 32 bits). */
export const getUint: FieldGetter = (f) => readBits(f);
export const setUint: FieldSetter = (f, v) => writeBits(f, checkInteger(v, 0, 0xFFFFFFFF, f.spec.name, ":set"));

/** A field that is read but refuses writes (e.g. lengths that other fields depend on would be set with set_value). */
export const setReadOnly: FieldSetter = (f) => {
  error(`${f.spec.name}: read-only through set(); use set_value(n) to write the raw integer`, 3);
};

/**
 * PacketScript's 1-bit accessors on a flags field: `get(n)` is bit n
 * (1 = most significant bit of the field's byte(s)), `get()` the whole value;
 * `set(n)` sets bit n; a bit is cleared with `set_value(get() & ~mask)`.
 */
export const getFlag: FieldGetter = (f, bit) => {
  const v = readBits(f);
  if (bit === undefined) return v;
  const n = checkInteger(bit, 1, f.bits, f.spec.name, ":get(bit)");
  return (shr(v, f.bits - n) & 1) === 1;
};
export const setFlag: FieldSetter = (f, bit) => {
  const n = checkInteger(bit, 1, f.bits, f.spec.name, ":set(bit)");
  writeBits(f, readBits(f) | (1 << (f.bits - n)));
};

/** IPv4 address as "a.b.c.d". */
export const getIpv4: FieldGetter = (f) => formatIpv4(f.buf.u32(f.off));

/** A header holding IPv4 addresses: it fixes its checksums when one changes (IpHeader). */
export type AddressOwner = ProtocolSegment & { addressChanged(oldAddress: number, newAddress: number): void };

/**
 * Sets an IPv4 address field (text or integer): fixes the IP header
 * checksum and, for TCP/UDP payloads, the transport checksum whose
 * pseudo-header holds the address. The per-packet path of a NAT: a handful
 * of native calls, no allocation.
 */
export const setIpv4: FieldSetter = (f, v) => {
  const addr = parsedAddresses.get(v as string) ?? toIpv4(v, f.spec.name, ":set");
  const old = f.buf.u32(f.off);
  if (old === addr) return;
  f.buf.set_u32(f.off, addr);
  (f.owner as AddressOwner).addressChanged(old, addr);
};

/** MAC address as "01:23:45:67:89:AB"; set takes that text (either case) or 6 bytes. */
export const getMac: FieldGetter = (f) => formatMac(f.buf.string(f.off, 6));
export const setMac: FieldSetter = (f, v) => {
  let bytes: string | undefined;
  if (luaType(v) === "string") bytes = parseMac(v as string) ?? ((v as string).length === 6 ? (v as string) : undefined);
  else if (luaType(v) === "userdata" && (v as Bytes).len() === 6) bytes = (v as Bytes).string();
  if (bytes === undefined) error(`${f.spec.name}:set: invalid MAC address ${tostring(v)} (expected "01:23:45:67:89:AB")`, 3);
  const [site, before] = checksumBefore(f);
  f.buf.copy_from(bytes!, f.off);
  checksumAfter(f, site, before);
};

/** The field's bytes as a Lua string (text fields of TFTP and HTTP). */
export const getString: FieldGetter = (f) => f.buf.string(f.off, f.len);
/** Replaces a text field by a string of the same length (a packet cannot grow in place). */
export const setSameLengthString: FieldSetter = (f, v) => {
  if (luaType(v) !== "string") error(`${f.spec.name}:set: expected a string`, 3);
  const s = v as string;
  if (s.length !== f.len) {
    error(`${f.spec.name}:set: the new value has ${s.length} bytes, the field ${f.len}; build a new packet to change lengths`, 3);
  }
  const [site, before] = checksumBefore(f);
  f.buf.copy_from(s, f.off);
  checksumAfter(f, site, before);
};

// The object model of PacketScript (thesis §3.3): a segment is a view of
// `len` bytes at `off` of a byte array; protocol buffers are classes whose
// field methods return field segments, whose payload method is the factory
// (`data(proto)`) guarded by the protocol's policy, and whose layout hook
// (the thesis' pre-calculation hook) moves fields per packet.
//
// Everything is bounds-checked against the segment, never against the
// packet alone: a field past the end of its segment is a Lua error, a
// payload too short or malformed for the requested protocol is `false`.

import { checkInteger, checksumAdjust, isInteger, luaType } from "./util";

// PacketScript prints segments as "type: packet_ip, offset: 14, length: 40".
export function describe(this: void, seg: View): string {
  const name = (seg as ProtocolSegment).proto?.name ?? ((seg as Field<unknown>).spec !== undefined ? "field" : "packet_raw");
  return `type: ${name}, offset: ${seg.pos}, length: ${seg.len}`;
}

/** A field's setter: receives the field segment and the value the script passed. */
export type FieldSetter = (this: void, field: Field<unknown>, value: unknown) => void;
/** A field's getter: receives the field segment and the optional argument of `get(arg)`. */
export type FieldGetter = (this: void, field: Field<unknown>, arg?: unknown) => unknown;

/** One protocol field, as in PacketScript's `protocol_field`: offsets and lengths in bits. */
export interface FieldSpec {
  name: string;
  /** Offset in bits from the start of the protocol header. */
  offset: number;
  /** Length in bits. 0 on the payload field means "to the end of the segment". */
  length: number;
  get?: FieldGetter;
  set?: FieldSetter;
  /** Placed per packet by the protocol's `placeField` (e.g. IP options and data after IHL). */
  variable?: boolean;
}

/** Per-packet positions of the fields (bits, absolute). A negative length marks a field absent from this packet. */
export interface Layout {
  offsets: number[];
  lengths: number[];
}

/** What every segment has: PacketScript's `raw`, `get_offset`, `get_size`, plus fast typed accessors. */
export abstract class View {
  /** The byte array the segment views. */
  buf: Bytes;
  /** Offset of the first byte in `buf`. */
  off: number;
  /** Length in bytes. */
  len: number;
  /** Offset of the first byte from the start of the packet the script was given (`get_offset`). */
  pos: number;

  constructor(buf: Bytes, off: number, len: number, pos: number) {
    this.buf = buf;
    this.off = off;
    this.len = len;
    this.pos = pos;
  }

  /** A raw sub-segment of `length` bytes at `offset`; false when it does not fit (as PacketScript). */
  raw(offset: number, length: number): RawSegment | false {
    checkInteger(offset, 0, 0x7FFFFFFF, "raw: offset");
    checkInteger(length, 0, 0x7FFFFFFF, "raw: length");
    if (offset + length > this.len) return false;
    return makeRaw(this.buf, this.off + offset, length, this.pos + offset);
  }

  /** Offset of the segment from the start of the packet. */
  get_offset(): number {
    return this.pos;
  }

  /** Size of the segment in bytes. */
  get_size(): number {
    return this.len;
  }

  /** The segment's bytes as a zero-copy byte array (writes go to the packet). */
  to_bytes(): Bytes {
    return this.buf.slice(this.off, this.len);
  }

  /** The bytes as a Lua string, one copy; `offset`/`length` relative to the segment. */
  string(offset = 0, length?: number): string {
    const n = length ?? this.len - offset;
    this.check(offset, n);
    return this.buf.string(this.off + offset, n);
  }

  u8(offset: number): number {
    this.check(offset, 1);
    return this.buf.u8(this.off + offset);
  }
  u16(offset: number): number {
    this.check(offset, 2);
    return this.buf.u16(this.off + offset);
  }
  u32(offset: number): number {
    this.check(offset, 4);
    return this.buf.u32(this.off + offset);
  }
  set_u8(offset: number, value: number): void {
    this.check(offset, 1);
    this.buf.set_u8(this.off + offset, value);
  }
  set_u16(offset: number, value: number): void {
    this.check(offset, 2);
    this.buf.set_u16(this.off + offset, value);
  }
  set_u32(offset: number, value: number): void {
    this.check(offset, 4);
    this.buf.set_u32(this.off + offset, value);
  }

  /** Raises a Lua error unless [offset, offset+length) lies inside the segment. */
  protected check(offset: number, length: number): void {
    if (!isInteger(offset) || !isInteger(length) || offset < 0 || length < 0 || offset + length > this.len) {
      error(`segment access at ${tostring(offset)}+${tostring(length)} outside the ${this.len}-byte segment`, 3);
    }
  }
}

/** Writes `value` into a segment the way PacketScript's raw `set` does: a byte fills it; a string or byte array is copied in. */
export function setRaw(seg: View, value: unknown): void {
  if (isInteger(value)) {
    checkInteger(value, 0, 255, "set: byte value");
    if (seg.len > 0) seg.buf.fill(value, seg.off, seg.len);
    return;
  }
  const t = luaType(value);
  if (t === "string" || t === "userdata") {
    const source = value as string | Bytes;
    const n = t === "string" ? (source as string).length : (source as Bytes).len();
    if (n > seg.len) error(`set: ${n} bytes do not fit the ${seg.len}-byte segment`, 3);
    if (n > 0) seg.buf.copy_from(source, seg.off, 0, n);
    return;
  }
  error(`set: expected a byte (0-255), a string or a byte array, got ${t}`, 3);
}

/** A protocol-less segment: `p:raw(...)`, and what `data()` gives without a protocol. */
export class RawSegment extends View {
  /** A byte array viewing the segment (zero copy; `a[i]` is 0-based). */
  get(): Bytes {
    return this.buf.slice(this.off, this.len);
  }

  /** A byte value fills the segment; a string or byte array is copied to its start. */
  set(value: number | string | Bytes): void {
    setRaw(this, value);
  }

  /** The raw factory: any protocol may be applied (the raw policy always agrees); false when malformed. */
  data<T extends ProtocolSegment>(proto: ProtocolBuffer<T>): T | false;
  data(): RawSegment;
  data<T extends ProtocolSegment>(...args: [ProtocolBuffer<T>?]): T | RawSegment | false {
    if (select("#", ...args) === 0) return this;
    const [proto] = select(1, ...args);
    checkProtocol(proto);
    return proto!.instantiate(this.buf, this.off, this.len, this.pos);
  }
}

/** A field of a protocol header: `get()`/`set(v)` use the field's typed getter and setter. */
export class Field<T = Bytes> extends View {
  /** The protocol segment the field belongs to (its checksum is kept valid by setters). */
  owner: ProtocolSegment;
  spec: FieldSpec;
  /** Bit position of the field inside its first byte (0 = most significant). */
  bitShift: number;
  /** Length in bits. */
  bits: number;

  constructor(owner: ProtocolSegment, spec: FieldSpec, byteOff: number, byteLen: number, bitShift: number, bits: number) {
    super(owner.buf, owner.off + byteOff, byteLen, owner.pos + byteOff);
    this.owner = owner;
    this.spec = spec;
    this.bitShift = bitShift;
    this.bits = bits;
  }

  /** The field's value: typed when the protocol buffer has a getter (integer, "a.b.c.d", MAC text), else a byte array. */
  get(arg?: unknown): T {
    const getter = this.spec.get;
    if (getter) return getter(this as Field<unknown>, arg) as T;
    return this.buf.slice(this.off, this.len) as unknown as T;
  }

  /** Sets the field: typed when the protocol buffer has a setter (fixing checksums), else PacketScript's raw set. */
  set(value: T | number): void {
    const setter = this.spec.set;
    if (setter) setter(this as Field<unknown>, value);
    else withChecksum(this as Field<unknown>, () => setRaw(this, value));
  }

  /** Writes the field as an unsigned integer (any bit width up to 32), keeping the header checksum valid. */
  set_value(value: number): void {
    writeBits(this as Field<unknown>, value);
  }

  /** The field as an unsigned integer, whatever its getter. */
  value(): number {
    return readBits(this as Field<unknown>);
  }

  /** The raw factory on a field: any protocol may be applied (e.g. `tcp:options():data(packet_tcp_opt)`). */
  data<P extends ProtocolSegment>(proto: ProtocolBuffer<P>): P | false;
  data(): RawSegment;
  data<P extends ProtocolSegment>(...args: [ProtocolBuffer<P>?]): P | RawSegment | false {
    if (select("#", ...args) === 0) return makeRaw(this.buf, this.off, this.len, this.pos);
    const [proto] = select(1, ...args);
    checkProtocol(proto);
    return proto!.instantiate(this.buf, this.off, this.len, this.pos, this.owner);
  }
}

// Segments are made per packet and per field access: one presized table
// each, instead of the constructor chain and a table grown key by key.

/** A raw segment (same as `new RawSegment(...)`). */
export function makeRaw(buf: Bytes, off: number, len: number, pos: number): RawSegment {
  return setmetatable({ buf, off, len, pos }, RawSegment.prototype as unknown as LuaMetatable<object>) as unknown as RawSegment;
}

/** A field segment of `owner` (same as `new Field(...)`). */
export function makeField<T>(owner: ProtocolSegment, spec: FieldSpec, byteOff: number, byteLen: number, bitShift: number, bits: number): Field<T> {
  return setmetatable(
    { buf: owner.buf, off: owner.off + byteOff, len: byteLen, pos: owner.pos + byteOff, owner, spec, bitShift, bits },
    Field.prototype as unknown as LuaMetatable<object>,
  ) as unknown as Field<T>;
}

/** Reads a field as an unsigned integer of `bits` bits. */
export function readBits(f: Field<unknown>): number {
  const bits = f.bits;
  if (f.bitShift === 0) {
    if (bits === 8) return f.buf.u8(f.off);
    if (bits === 16) return f.buf.u16(f.off);
    if (bits === 32) return f.buf.u32(f.off);
  }
  if (bits <= 0 || bits > 32) error(`${f.spec.name}: a ${bits}-bit field has no integer value`, 3);
  let v = 0;
  for (let i = 0; i < f.len; i++) v = (v << 8) | f.buf.u8(f.off + i);
  return shr(v, f.len * 8 - f.bitShift - bits) & ((1 << bits) - 1);
}

/** Writes an unsigned integer into a field of `bits` bits, keeping the owner's checksum valid. */
export function writeBits(f: Field<unknown>, value: number): void {
  const bits = f.bits;
  if (bits <= 0 || bits > 32) error(`${f.spec.name}: a ${bits}-bit field has no integer value`, 3);
  checkInteger(value, 0, (1 << bits) - 1, f.spec.name, ": value");
  withChecksum(f, () => {
    if (f.bitShift === 0 && bits === 8) f.buf.set_u8(f.off, value);
    else if (f.bitShift === 0 && bits === 16) f.buf.set_u16(f.off, value);
    else if (f.bitShift === 0 && bits === 32) f.buf.set_u32(f.off, value);
    else {
      let v = 0;
      for (let i = 0; i < f.len; i++) v = (v << 8) | f.buf.u8(f.off + i);
      const shift = f.len * 8 - f.bitShift - bits;
      const mask = ((1 << bits) - 1) << shift;
      v = (v & ~mask) | (value << shift);
      for (let i = f.len - 1; i >= 0; i--) {
        f.buf.set_u8(f.off + i, v & 0xFF);
        v = shr(v, 8);
      }
    }
  });
}

/** Where the checksum covering a protocol segment lives, as `checksumOf` returns it. */
export interface ChecksumSite {
  /** Byte array and offset where the covered data starts (16-bit words are aligned to it). */
  buf: Bytes;
  start: number;
  /** Offset of the 16-bit checksum in `buf`. */
  at: number;
  /** UDP style: 0 means "no checksum" and a computed 0 is sent as 0xFFFF. */
  udp: boolean;
}


function wordAt(buf: Bytes, at: number, end: number): number {
  if (at + 1 < end) return buf.u16(at);
  return buf.u8(at) << 8;
}

/**
 * Runs `write`, which changes bytes of field `f`, and updates the checksum
 * covering the field's protocol incrementally (RFC 1624), one 16-bit word at
 * a time, so a setter never leaves a packet with a wrong checksum.
 */
export function withChecksum(f: Field<unknown>, write: () => void): void {
  const site = f.owner.checksumSite();
  if (!site) {
    write();
    return;
  }
  const end = f.off + f.len;
  const first = f.off - ((f.off - site.start) & 1);
  const old: number[] = [];
  for (let at = first; at < end; at += 2) old.push(wordAt(f.buf, at, end));
  write();
  adjustChecksum(site, f.buf, first, end, old);
}

/** Applies the changes of the words starting at `first` (old values in `old`) to the checksum at `site`. */
export function adjustChecksum(site: ChecksumSite, buf: Bytes, first: number, end: number, old: number[]): void {
  let check = site.buf.u16(site.at);
  if (site.udp && check === 0) return;
  let k = 0;
  for (let at = first; at < end; at += 2) {
    // The checksum field itself is not part of the sum it protects.
    if (!(buf === site.buf && at === site.at)) check = checksumAdjust(check, old[k], wordAt(buf, at, end));
    k++;
  }
  if (site.udp && check === 0) check = 0xFFFF;
  site.buf.set_u16(site.at, check);
}

/** A protocol header: one class per protocol buffer; field methods are `field(i)`. */
export class ProtocolSegment extends View {
  proto: ProtocolBuffer<ProtocolSegment>;
  /** Field positions for this packet when the protocol has a layout hook. */
  layout?: Layout;
  /** The segment whose factory made this one (e.g. the IP header of a TCP segment), for checksums. */
  parent?: ProtocolSegment;
  /** Header length and end of the payload in bytes, when the protocol's `validate` sets them. */
  hl = 0;
  dataEnd = 0;

  constructor(proto: ProtocolBuffer<ProtocolSegment>, buf: Bytes, off: number, len: number, pos: number) {
    super(buf, off, len, pos);
    this.proto = proto;
  }

  /** The whole header and payload as a byte array (zero copy). */
  get(): Bytes {
    return this.buf.slice(this.off, this.len);
  }

  /** PacketScript's raw set on the whole segment. */
  set(value: number | string | Bytes): void {
    setRaw(this, value);
  }

  /** The checksum a write to this header must keep valid, if any: by default the parent's, when it covers its payload. */
  checksumSite(): ChecksumSite | undefined {
    const parent = this.parent;
    if (parent && parent.proto.checksumCoversPayload) return parent.checksumSite();
    return undefined;
  }

  /** The field at index `i` of the protocol buffer (0-based), or false when absent from this packet. */
  field<T = Bytes>(i: number): Field<T> | false {
    const spec = this.proto.fields[i];
    if (spec.variable) {
      const [at, length] = this.proto.placeField(this, i);
      return makeField<T>(this, spec, at, length, 0, length * 8);
    }
    let bitOff = spec.offset;
    let bitLen = spec.length;
    const layout = this.layout;
    if (layout) {
      bitOff = layout.offsets[i];
      bitLen = layout.lengths[i];
      if (bitLen < 0) return false;
    }
    const byteOff = shr(bitOff, 3);
    let byteLen: number;
    // Without a layout, a zero-length payload field runs to the end of the segment (PacketScript).
    if (bitLen === 0 && layout === undefined && spec.name === this.proto.payloadField) byteLen = this.len - byteOff;
    else byteLen = shr((bitOff & 7) + bitLen + 7, 3);
    if (byteOff < 0 || byteLen < 0 || byteOff + byteLen > this.len) {
      error(
        `${this.proto.name}:${spec.name}(): bytes ${byteOff}..${byteOff + byteLen} lie past the end of the ${this.len}-byte segment (truncated packet)`,
        3,
      );
    }
    return makeField<T>(this, spec, byteOff, byteLen, bitOff & 7, bitLen);
  }

  /** The field named `name`, or false when this packet does not have it. */
  field_by_name<T = Bytes>(name: string): Field<T> | false {
    const i = this.proto.index.get(name);
    if (i === undefined) return error(`${this.proto.name} has no field '${name}'`, 2);
    return this.field<T>(i);
  }

  /**
   * The factory: the payload as a segment of protocol `target`, or false when
   * this protocol's policy says the payload is not of that protocol (or it is
   * malformed). Without `target`, the payload as a raw segment.
   */
  payload<T extends ProtocolSegment>(target?: ProtocolBuffer<T>): T | RawSegment | false {
    const name = this.proto.payloadField;
    if (name === undefined) return error(`${this.proto.name} has no payload field`, 2);
    const f = this.field(this.proto.index.get(name)!);
    if (f === false) return false;
    if (target === undefined) return makeRaw(f.buf, f.off, f.len, f.pos);
    checkProtocol(target);
    if (!this.proto.hasProtocol(this, target)) return false;
    return target.instantiate(f.buf, f.off, f.len, f.pos, this);
  }

  /** PacketScript's `data(proto)` for protocols whose payload field is `data`. */
  data<T extends ProtocolSegment>(target: ProtocolBuffer<T>): T | false;
  data(): RawSegment;
  data<T extends ProtocolSegment>(...args: [ProtocolBuffer<T>?]): T | RawSegment | false {
    // data(nil) is a misspelt protocol name, data() the raw payload.
    if (select("#", ...args) === 0) return this.payload();
    const [target] = select(1, ...args);
    checkProtocol(target);
    return this.payload(target);
  }
}

/** Raises a Lua error unless `proto` is a protocol buffer (e.g. a misspelt global gives nil). */
export function checkProtocol(proto: unknown): void {
  if (luaType(proto) !== "table" || !(proto as ProtocolBuffer<ProtocolSegment>).isProtocolBuffer) {
    error(`data: expected a protocol buffer (packet_ip, packet_tcp, ...), got ${tostring(proto)}`, 3);
  }
}

/** All protocol buffers by name (the thesis' `supported_protocols`). */
export const protocols = new LuaTable<string, ProtocolBuffer<ProtocolSegment>>();

/**
 * A protocol buffer: the class of a protocol (thesis §3.3.1). Subclass it to
 * add a protocol in TypeScript: give the fields, the segment class with one
 * method per field, the policy (`hasProtocol`) and, when fields move per
 * packet, the layout hook.
 */
export class ProtocolBuffer<T extends ProtocolSegment> {
  readonly isProtocolBuffer = true;
  name: string;
  payloadField?: string;
  fields: FieldSpec[];
  /** Field index (0-based) by name. */
  index = new LuaTable<string, number>();
  /** Shortest segment the protocol accepts, in bytes (shorter payloads give false). */
  minLength: number;
  segmentClass: new (proto: never, buf: Bytes, off: number, len: number, pos: number) => T;
  /** False for protocols registered by scripts: built-in policies let any of them through. */
  builtin = true;
  /**
   * True when the segment class adds no constructor logic or initialised
   * properties: segments are then made as one presized table (the
   * per-packet path), not through the constructor chain. Subclasses of
   * ProtocolSegment with their own initialisers get the constructor.
   */
  plainSegments = false;
  /** True when this protocol's checksum covers its payload (TCP, UDP, ICMP), so writes there fix it too. */
  checksumCoversPayload = false;

  constructor(
    name: string,
    segmentClass: new (proto: never, buf: Bytes, off: number, len: number, pos: number) => T,
    fields: FieldSpec[],
    payloadField?: string,
    minLength = 0,
  ) {
    this.name = name;
    this.segmentClass = segmentClass;
    this.fields = fields;
    this.payloadField = payloadField;
    this.minLength = minLength;
    fields.forEach((f, i) => this.index.set(f.name, i));
    protocols.set(name, this as unknown as ProtocolBuffer<ProtocolSegment>);
    // Metamethods are not inherited through __index: give each segment class its own.
    const prototype = segmentClass.prototype as unknown as { __tostring?: unknown };
    if (rawget(prototype, "__tostring") === undefined) rawset(prototype, "__tostring", describe);
  }

  /** The policy: may the payload of `seg` be viewed as `target`? (PacketScript's has_protocol.) */
  hasProtocol(_seg: T, _target: ProtocolBuffer<ProtocolSegment>): boolean {
    return true;
  }

  /** Checks a new segment (and may note header length and payload end in it); false when malformed. */
  validate(_seg: T): boolean {
    return true;
  }

  /** Byte offset and length of a `variable` field in this packet (within the segment). */
  placeField(_seg: T, i: number): LuaMultiReturn<[number, number]> {
    return error(`${this.name}: no placement for field ${this.fields[i].name}`);
  }

  /** The pre-calculation hook: per-packet field positions, undefined for the static ones, false when malformed. */
  computeLayout(_seg: T): Layout | undefined | false {
    return undefined;
  }

  /** A segment of this protocol over `len` bytes at `off` of `buf`, or false when too short or malformed. No policy check. */
  instantiate(buf: Bytes, off: number, len: number, pos: number, parent?: ProtocolSegment): T | false {
    if (len < this.minLength) return false;
    const seg = this.plainSegments
      ? (setmetatable(
        { buf, off, len, pos, proto: this, hl: 0, dataEnd: 0, parent: undefined, layout: undefined },
        this.segmentClass.prototype as unknown as LuaMetatable<object>,
      ) as unknown as T)
      : new this.segmentClass(this as never, buf, off, len, pos);
    if (parent) seg.parent = parent;
    if (!this.validate(seg)) return false;
    const layout = this.computeLayout(seg);
    if (layout === false) return false;
    if (layout) seg.layout = layout;
    return seg;
  }

  __tostring(): string {
    return this.name;
  }
}

(RawSegment.prototype as unknown as LuaTable<string, unknown>).set("__tostring", describe);
(Field.prototype as unknown as LuaTable<string, unknown>).set("__tostring", describe);
(ProtocolSegment.prototype as unknown as LuaTable<string, unknown>).set("__tostring", describe);

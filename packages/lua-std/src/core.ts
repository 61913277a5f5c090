// The object model of PacketScript (thesis §3.3): a segment is a view of
// `len` bytes at `off` of a byte array; protocol buffers are classes whose
// field methods return field segments, whose payload method is the factory
// (`data(proto)`) guarded by the protocol's policy, and whose layout hook
// (the thesis' pre-calculation hook) moves fields per packet.
//
// Everything is bounds-checked against the segment, never against the
// packet alone: a field past the end of its segment is a Lua error, a
// payload too short or malformed for the requested protocol is `false`.
//
// Segments are reused (lifetime.ts): what a segment derives — a field, its
// payload as a protocol, a raw sub-segment — is kept in its `kids` and
// rebound when the same derivation is made for a later packet. Fields and
// raw segments are the same object for the same derivation while their
// packet lasts; a protocol segment derived a second time for the same
// packet is a new object (its policy and layout hook read bytes the script
// may have changed in between).

import { checksumAfter, checksumBefore, type ChecksumSite } from "./checksum";
import { readBits, writeBits } from "./bits";
import { FREE_ROOT, type PacketRoot, sliceOf, stale, UNBOUND } from "./lifetime";
import { checkInteger, isInteger, luaType } from "./util";

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

/** Where a field lies without a layout, computed once from its spec. */
export interface FieldPlace {
  spec: FieldSpec;
  byteOff: number;
  /** Bytes the field spans; -1 for a zero-length payload field, which runs to the end of the segment. */
  byteLen: number;
  /** Bit position of the field inside its first byte (0 = most significant). */
  bitShift: number;
  /** True when offset and length do not depend on the packet (no layout hook, no `variable`, not to the end): rebinding moves it only. */
  fixed: boolean;
  /** The segment length the field needs when fixed. */
  end: number;
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
  /** The root of the packet the segment views; the segment is valid while `gen` is the root's. */
  root: PacketRoot;
  gen: number;
  /** Segments derived from this one, kept for reuse: by protocol buffer, field place or raw range. */
  kids?: LuaTable<AnyNotNil, View>;
  /** How many raw sub-segments `kids` holds (bounded: a script may cut a packet in many places). */
  rawKids?: number;

  constructor(buf: Bytes, off: number, len: number, pos: number) {
    this.buf = buf;
    this.off = off;
    this.len = len;
    this.pos = pos;
    this.root = FREE_ROOT;
    this.gen = 0;
  }

  /** A raw sub-segment of `length` bytes at `offset`; false when it does not fit (as PacketScript). */
  raw(offset: number, length: number): RawSegment | false {
    if (this.gen !== this.root.gen) stale(this);
    checkInteger(offset, 0, 0x7FFFFFFF, "raw: offset");
    checkInteger(length, 0, 0x7FFFFFFF, "raw: length");
    if (offset + length > this.len) return false;
    return rawKid(this, offset, length, this.buf, this.off + offset, this.pos + offset);
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
    if (this.gen !== this.root.gen) stale(this);
    return sliceOf(this);
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

  /** Raises a Lua error unless the segment is valid and [offset, offset+length) lies inside it. */
  protected check(offset: number, length: number): void {
    if (this.gen !== this.root.gen) stale(this);
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
    if (this.gen !== this.root.gen) stale(this);
    return sliceOf(this);
  }

  /** A byte value fills the segment; a string or byte array is copied to its start. */
  set(value: number | string | Bytes): void {
    if (this.gen !== this.root.gen) stale(this);
    setRaw(this, value);
  }

  /** The raw factory: any protocol may be applied (the raw policy always agrees); false when malformed. */
  data<T extends ProtocolSegment>(proto: ProtocolBuffer<T>): T | false;
  data(): RawSegment;
  data<T extends ProtocolSegment>(...args: [ProtocolBuffer<T>?]): T | RawSegment | false {
    const [proto] = [...args];
    if (proto === undefined && select("#", ...args) === 0) return this;
    if (this.gen !== this.root.gen) stale(this);
    checkProtocol(proto);
    return proto!.instantiate(this.buf, this.off, this.len, this.pos, undefined, this);
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
    this.root = owner.root;
    this.gen = owner.gen;
  }

  /** The field's value: typed when the protocol buffer has a getter (integer, "a.b.c.d", MAC text), else a byte array. */
  get(arg?: unknown): T {
    if (this.gen !== this.root.gen) stale(this);
    const getter = this.spec.get;
    if (getter) return getter(this as Field<unknown>, arg) as T;
    return sliceOf(this) as unknown as T;
  }

  /** Sets the field: typed when the protocol buffer has a setter (fixing checksums), else PacketScript's raw set. */
  set(value: T | number): void {
    if (this.gen !== this.root.gen) stale(this);
    const setter = this.spec.set;
    if (setter) {
      setter(this as Field<unknown>, value);
      return;
    }
    const [site, before] = checksumBefore(this as Field<unknown>);
    setRaw(this, value);
    checksumAfter(this as Field<unknown>, site, before);
  }

  /** Writes the field as an unsigned integer (any bit width up to 32), keeping the header checksum valid. */
  set_value(value: number): void {
    if (this.gen !== this.root.gen) stale(this);
    writeBits(this as Field<unknown>, value);
  }

  /** The field as an unsigned integer, whatever its getter. */
  value(): number {
    if (this.gen !== this.root.gen) stale(this);
    return readBits(this as Field<unknown>);
  }

  /** The raw factory on a field: any protocol may be applied (e.g. `tcp:options():data(packet_tcp_opt)`). */
  data<P extends ProtocolSegment>(proto: ProtocolBuffer<P>): P | false;
  data(): RawSegment;
  data<P extends ProtocolSegment>(...args: [ProtocolBuffer<P>?]): P | RawSegment | false {
    const [proto] = [...args];
    if (this.gen !== this.root.gen) stale(this);
    if (proto === undefined && select("#", ...args) === 0) return rawKid(this, 0, this.len, this.buf, this.off, this.pos);
    checkProtocol(proto);
    return proto!.instantiate(this.buf, this.off, this.len, this.pos, this.owner, this);
  }
}

/** A raw segment of a byte array, not bound to a packet (same as `new RawSegment(...)`). */
export function makeRaw(buf: Bytes, off: number, len: number, pos: number): RawSegment {
  return setmetatable(
    { buf, off, len, pos, root: FREE_ROOT, gen: 0, kids: undefined, rawKids: undefined },
    RawSegment.prototype as unknown as LuaMetatable<object>,
  ) as unknown as RawSegment;
}

/** Raw sub-segments a segment keeps for reuse; more are made afresh each time. */
const MAX_RAW_KIDS = 64;

/**
 * The raw sub-segment at `offset`, `length` of `parent` (viewing `length`
 * bytes at `off` of `buf`, `pos` from the packet's start): the kept object,
 * rebound when it was bound for an earlier packet.
 */
export function rawKid(parent: View, offset: number, length: number, buf: Bytes, off: number, pos: number): RawSegment {
  const key = offset * 0x100000000 + length;
  let kids = parent.kids;
  if (kids === undefined) {
    kids = new LuaTable();
    parent.kids = kids;
  }
  let seg = kids.get(key) as RawSegment | undefined;
  if (seg === undefined) {
    seg = makeRaw(buf, off, length, pos);
    seg.root = parent.root;
    seg.gen = parent.gen;
    const kept = parent.rawKids ?? 0;
    if (kept < MAX_RAW_KIDS) {
      kids.set(key, seg);
      parent.rawKids = kept + 1;
    }
    return seg;
  }
  if (seg.gen === parent.gen) return seg;
  seg.buf = buf;
  seg.off = off;
  seg.len = length;
  seg.pos = pos;
  seg.gen = parent.gen;
  return seg;
}

/** A field segment of `owner`, made afresh (same as `new Field(...)`). */
export function makeField<T>(owner: ProtocolSegment, spec: FieldSpec, byteOff: number, byteLen: number, bitShift: number, bits: number): Field<T> {
  return setmetatable(
    {
      buf: owner.buf, off: owner.off + byteOff, len: byteLen, pos: owner.pos + byteOff, root: owner.root, gen: owner.gen,
      kids: undefined, rawKids: undefined, owner, spec, bitShift, bits,
    },
    Field.prototype as unknown as LuaMetatable<object>,
  ) as unknown as Field<T>;
}

/** A protocol header: one class per protocol buffer; field methods are `field(i)`. */
export class ProtocolSegment extends View {
  proto: ProtocolBuffer<ProtocolSegment>;
  /** Field positions for this packet when the protocol has a layout hook (the hook may refill this table). */
  layout?: Layout;
  /** The segment whose factory made this one (e.g. the IP header of a TCP segment), for checksums. */
  parent?: ProtocolSegment;
  /** Header length and end of the payload in bytes, when the protocol's `validate` sets them. */
  hl = 0;
  dataEnd = 0;
  /** The table `checksumSite` refills (checksum.ts). */
  site?: ChecksumSite;

  constructor(proto: ProtocolBuffer<ProtocolSegment>, buf: Bytes, off: number, len: number, pos: number) {
    super(buf, off, len, pos);
    this.proto = proto;
  }

  /** The whole header and payload as a byte array (zero copy). */
  get(): Bytes {
    if (this.gen !== this.root.gen) stale(this);
    return sliceOf(this);
  }

  /** PacketScript's raw set on the whole segment. */
  set(value: number | string | Bytes): void {
    if (this.gen !== this.root.gen) stale(this);
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
    if (this.gen !== this.root.gen) stale(this);
    const place = this.proto.places[i];
    let kids = this.kids;
    if (kids === undefined) {
      kids = new LuaTable();
      this.kids = kids;
    }
    const kept = kids.get(place) as Field<T> | undefined;
    if (kept !== undefined) {
      if (kept.gen === this.gen) return kept;
      // The common case: the same header field of the next packet.
      if (place.fixed && place.end <= this.len) {
        kept.buf = this.buf;
        kept.off = this.off + place.byteOff;
        kept.pos = this.pos + place.byteOff;
        kept.gen = this.gen;
        return kept;
      }
    }
    const spec = place.spec;
    const layout = this.layout;
    let byteOff: number;
    let byteLen: number;
    let bitShift: number;
    let bits: number;
    if (spec.variable) {
      [byteOff, byteLen] = this.proto.placeField(this, i);
      bitShift = 0;
      bits = byteLen * 8;
    } else {
      if (layout === undefined) {
        byteOff = place.byteOff;
        byteLen = place.byteLen;
        if (byteLen < 0) byteLen = this.len - byteOff;
        bitShift = place.bitShift;
        bits = spec.length;
      } else {
        const bitOff = layout.offsets[i];
        bits = layout.lengths[i];
        if (bits < 0) return false;
        byteOff = shr(bitOff, 3);
        bitShift = bitOff & 7;
        byteLen = shr(bitShift + bits + 7, 3);
      }
      if (byteOff < 0 || byteLen < 0 || byteOff + byteLen > this.len) {
        error(
          `${this.proto.name}:${spec.name}(): bytes ${byteOff}..${byteOff + byteLen} lie past the end of the ${this.len}-byte segment (truncated packet)`,
          3,
        );
      }
    }
    if (kept === undefined) {
      const made = makeField<T>(this, spec, byteOff, byteLen, bitShift, bits);
      kids.set(place, made);
      return made;
    }
    kept.buf = this.buf;
    kept.off = this.off + byteOff;
    kept.len = byteLen;
    kept.pos = this.pos + byteOff;
    kept.bitShift = bitShift;
    kept.bits = bits;
    kept.gen = this.gen;
    return kept;
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
    const index = this.proto.payloadIndex;
    if (index === undefined) return error(`${this.proto.name} has no payload field`, 2);
    const f = this.field(index);
    if (f === false) return false;
    if (target === undefined) return rawKid(f, 0, f.len, f.buf, f.off, f.pos);
    checkProtocol(target);
    if (!this.proto.hasProtocol(this, target)) return false;
    return target.instantiate(f.buf, f.off, f.len, f.pos, this, this);
  }

  /** PacketScript's `data(proto)` for protocols whose payload field is `data`. */
  data<T extends ProtocolSegment>(target: ProtocolBuffer<T>): T | false;
  data(): RawSegment;
  data<T extends ProtocolSegment>(...args: [ProtocolBuffer<T>?]): T | RawSegment | false {
    const [target] = [...args];
    // data(nil) is a misspelt protocol name, data() the raw payload.
    if (target === undefined) {
      if (select("#", ...args) === 0) return this.payload();
      checkProtocol(target);
    }
    return this.payload(target);
  }
}

/** All protocol buffers, for the cheap check of `data(proto)`'s argument. */
const protocolBuffers = new LuaTable<AnyNotNil, boolean>();

/** Raises a Lua error unless `proto` is a protocol buffer (e.g. a misspelt global gives nil). */
export function checkProtocol(proto: unknown): void {
  if (protocolBuffers.get(proto as AnyNotNil) !== true) {
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
  name: string;
  payloadField?: string;
  /** Index of the payload field. */
  payloadIndex?: number;
  fields: FieldSpec[];
  /** Where each field lies without a layout (by index). */
  places: FieldPlace[];
  /** Field index (0-based) by name. */
  index = new LuaTable<string, number>();
  /** Shortest segment the protocol accepts, in bytes (shorter payloads give false). */
  minLength: number;
  segmentClass: new (proto: never, buf: Bytes, off: number, len: number, pos: number) => T;
  /** False for protocols registered by scripts: built-in policies let any of them through. */
  builtin = true;
  /**
   * True when the segment class adds no constructor logic or initialised
   * properties: segments are then made as one presized table and reused
   * for later packets. Subclasses of ProtocolSegment with their own
   * initialisers get the constructor, for every segment.
   */
  plainSegments = false;
  /** True when this protocol's checksum covers its payload (TCP, UDP, ICMP), so writes there fix it too. */
  checksumCoversPayload = false;
  /** Whether the class overrides `validate` and `computeLayout`: the per-packet path skips the defaults. */
  private validates: boolean;
  private laysOut: boolean;

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
    this.validates = this.validate !== ProtocolBuffer.prototype.validate;
    this.laysOut = this.computeLayout !== ProtocolBuffer.prototype.computeLayout;
    this.places = fields.map((spec, i) => {
      this.index.set(spec.name, i);
      if (spec.name === payloadField) this.payloadIndex = i;
      const byteOff = shr(spec.offset, 3);
      const toEnd = spec.length === 0 && spec.name === payloadField;
      const byteLen = toEnd ? -1 : shr((spec.offset & 7) + spec.length + 7, 3);
      const fixed = !this.laysOut && !toEnd && spec.variable !== true;
      return { spec, byteOff, byteLen, bitShift: spec.offset & 7, fixed, end: byteOff + byteLen };
    });
    protocols.set(name, this as unknown as ProtocolBuffer<ProtocolSegment>);
    protocolBuffers.set(this, true);
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

  /**
   * The pre-calculation hook: per-packet field positions, undefined for the
   * static ones, false when malformed. `seg.layout` holds the table this hook
   * returned for the object's previous packet, if any: refill it (layoutOf).
   */
  computeLayout(_seg: T): Layout | undefined | false {
    return undefined;
  }

  /**
   * A segment of this protocol over `len` bytes at `off` of `buf`, or false
   * when too short or malformed. No policy check. `parent` is the segment
   * whose checksum may cover this one; `holder` the segment it is derived
   * from, which keeps it for reuse (none: a segment of a byte array).
   */
  instantiate(buf: Bytes, off: number, len: number, pos: number, parent?: ProtocolSegment, holder?: View): T | false {
    if (len < this.minLength) return false;
    let seg: T;
    const kept = holder === undefined || holder.kids === undefined ? undefined : (holder.kids.get(this) as T | undefined);
    if (kept !== undefined && kept.gen !== holder!.gen) {
      seg = kept;
      seg.buf = buf;
      seg.off = off;
      seg.len = len;
      seg.pos = pos;
      seg.gen = holder!.gen;
      seg.hl = 0;
      seg.dataEnd = 0;
    } else {
      seg = this.newSegment(holder, kept === undefined, buf, off, len, pos);
    }
    seg.parent = parent;
    if (this.validates && !this.validate(seg)) {
      seg.gen = UNBOUND;
      return false;
    }
    if (this.laysOut) {
      const layout = this.computeLayout(seg);
      if (layout === false) {
        seg.gen = UNBOUND;
        return false;
      }
      seg.layout = layout;
    }
    return seg;
  }

  /** A new segment derived from `holder` (none: of a byte array), kept by the holder for reuse when `keep`. */
  private newSegment(holder: View | undefined, keep: boolean, buf: Bytes, off: number, len: number, pos: number): T {
    const root = holder === undefined ? FREE_ROOT : holder.root;
    const gen = holder === undefined ? 0 : holder.gen;
    if (!this.plainSegments) {
      const made = new this.segmentClass(this as never, buf, off, len, pos);
      made.root = root;
      made.gen = gen;
      return made;
    }
    const made = setmetatable(
      {
        buf, off, len, pos, root, gen, kids: undefined, rawKids: undefined,
        proto: this, hl: 0, dataEnd: 0, parent: undefined, layout: undefined, site: undefined,
      },
      this.segmentClass.prototype as unknown as LuaMetatable<object>,
    ) as unknown as T;
    if (holder !== undefined && keep) {
      if (holder.kids === undefined) holder.kids = new LuaTable();
      holder.kids.set(this, made);
    }
    return made;
  }

  __tostring(): string {
    return this.name;
  }
}

/** The layout table of `seg` to fill for this packet: the object's previous one, all `count` fields absent (offset 0, length -1). */
export function layoutOf(seg: ProtocolSegment, count: number): Layout {
  const layout = seg.layout ?? { offsets: [], lengths: [] };
  for (let i = 0; i < count; i++) {
    layout.offsets[i] = 0;
    layout.lengths[i] = -1;
  }
  return layout;
}

(RawSegment.prototype as unknown as LuaTable<string, unknown>).set("__tostring", describe);
(Field.prototype as unknown as LuaTable<string, unknown>).set("__tostring", describe);
(ProtocolSegment.prototype as unknown as LuaTable<string, unknown>).set("__tostring", describe);

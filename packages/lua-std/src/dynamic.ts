// Dynamic protocol buffers (thesis §3.5, Listing 3.8): a script describes a
// protocol in a Lua table and `register_dynamic_protbuf` makes it a class
// like the built-in ones, with a global named after it.
//
// Hooks may be given as global function names (as the thesis) or as
// functions. The policy and the pre-calculation hook receive the segment as
// a byte array (`seg[12]` is its 13th byte) and the policy also the
// requested protocol buffer. Field getters/setters receive the field as a
// byte array (and the value to set).
//
// Pre-calculation vectors: the thesis' text says entries are added to the
// specification, but its own Listing 3.8 returns the shifted positions
// (type at 128 = 96 + 32 bits): we follow the listing, so a non-zero entry
// is the field's offset (length) for this packet and 0 keeps the
// specification's value. A zero-length payload field runs to the end.

import { type FieldGetter, type FieldSetter, type FieldSpec, type Layout, ProtocolBuffer, ProtocolSegment, protocols } from "./core";
import { checksumAfter, checksumBefore } from "./checksum";
import { isInteger, luaType } from "./util";

type Hook = string | ((this: void, ...args: unknown[]) => unknown);
/** The pre-calculation hook returns two vectors (Lua tables, 1-based): offsets and lengths in bits. */
type PrecalcHook = (this: void, seg: Bytes) => LuaMultiReturn<[LuaTable<number, number>, LuaTable<number, number>]>;

/** A field getter of a dynamic buffer: receives the field's bytes. */
export type DynamicGetter = string | ((this: void, field: Bytes) => unknown);
/** A field setter of a dynamic buffer: receives the field's bytes and the value. */
export type DynamicSetter = string | ((this: void, field: Bytes, value: unknown) => void);
/** The policy: may the payload of `seg` be viewed as protocol `target`? */
export type DynamicPolicy = string | ((this: void, seg: Bytes, target: ProtocolBuffer<ProtocolSegment>) => boolean);
/** The pre-calculation hook: offsets and lengths (bits) per field, 0 = keep the specification's value. */
export type DynamicPrecalc = string | ((this: void, seg: Bytes) => LuaMultiReturn<[number[], number[]]>);

/** The table `register_dynamic_protbuf` takes (thesis Listing 3.8). */
export interface DynamicProtocolSpec {
  name: string;
  payload_field?: string;
  /** `{name, bit_offset, bit_length, getter, setter}` each. */
  protocol_fields: [string, number, number, DynamicGetter?, DynamicSetter?][];
  has_protocol?: DynamicPolicy;
  get_field_changes?: DynamicPrecalc;
}

function resolve(hook: Hook | DynamicGetter | DynamicSetter | DynamicPolicy | DynamicPrecalc | undefined, what: string): ((this: void, ...args: unknown[]) => unknown) | undefined {
  if (hook === undefined) return undefined;
  if (luaType(hook) === "function") return hook as (this: void, ...args: unknown[]) => unknown;
  if (luaType(hook) === "string") {
    const name = hook as string;
    // Looked up at each call, as PacketScript did: the script may define it after registering.
    return (...args: unknown[]) => {
      const fn = (_G as unknown as LuaTable<string, unknown>).get(name);
      if (luaType(fn) !== "function") error(`${what}: global function '${name}' is not defined`, 2);
      return (fn as (this: void, ...a: unknown[]) => unknown)(...args);
    };
  }
  return error(`${what}: expected a function or the name of a global function, got ${luaType(hook)}`, 3);
}

export class DynamicBuffer extends ProtocolBuffer<ProtocolSegment> {
  override plainSegments = true;
  override builtin = false;
  policy?: (this: void, ...args: unknown[]) => unknown;
  precalc?: (this: void, ...args: unknown[]) => unknown;

  override hasProtocol(seg: ProtocolSegment, target: ProtocolBuffer<ProtocolSegment>): boolean {
    const policy = this.policy;
    if (policy === undefined) return true;
    return policy(seg.to_bytes(), target) ? true : false;
  }

  override computeLayout(seg: ProtocolSegment): Layout | undefined | false {
    const precalc = this.precalc;
    const fields = this.fields;
    if (precalc === undefined) return undefined;
    const [offsetChanges, lengthChanges] = (precalc as PrecalcHook)(seg.to_bytes());
    if (luaType(offsetChanges) !== "table" || luaType(lengthChanges) !== "table") {
      error(`${this.name}: get_field_changes must return two tables (offsets, lengths)`, 2);
    }
    const offsets: number[] = [];
    const lengths: number[] = [];
    fields.forEach((f, i) => {
      const o = offsetChanges.get(i + 1) ?? 0;
      const l = lengthChanges.get(i + 1) ?? 0;
      if (!isInteger(o) || !isInteger(l)) error(`${this.name}: field change of '${f.name}' is not an integer`, 2);
      const offset = o !== 0 ? o : f.offset;
      let length = l !== 0 ? l : f.length;
      if (length === 0 && f.name === this.payloadField) length = seg.len * 8 - offset;
      offsets.push(offset);
      lengths.push(length);
    });
    return { offsets, lengths };
  }
}

/** Registers a protocol buffer described in Lua and installs it as the global `spec.name`. */
export function register_dynamic_protbuf(this: void, spec: DynamicProtocolSpec): DynamicBuffer {
  if (luaType(spec) !== "table") error("register_dynamic_protbuf: expected a table", 2);
  const name = spec.name;
  if (luaType(name) !== "string") error("register_dynamic_protbuf: 'name' must be a string", 2);
  if (protocols.get(name) !== undefined) error(`register_dynamic_protbuf: protocol buffer '${name}' is already registered`, 2);
  if (luaType(spec.protocol_fields) !== "table") error(`register_dynamic_protbuf(${name}): 'protocol_fields' must be a table`, 2);
  const payloadField = spec.payload_field;
  const fields: FieldSpec[] = [];
  spec.protocol_fields.forEach((entry, i) => {
    const [fieldName, offset, length, getterHook, setterHook] = entry;
    if (luaType(fieldName) !== "string" || !isInteger(offset) || !isInteger(length) || offset < 0 || length < 0) {
      error(`register_dynamic_protbuf(${name}): field ${i + 1} must be {name, bit_offset, bit_length[, getter, setter]}`, 2);
    }
    const getter = resolve(getterHook, `${name}.${fieldName} getter`);
    const setter = resolve(setterHook, `${name}.${fieldName} setter`);
    const spec: FieldSpec = { name: fieldName, offset, length };
    if (getter) spec.get = ((f) => getter(f.to_bytes())) as FieldGetter;
    if (setter) {
      spec.set = ((f, v) => {
        const [site, before] = checksumBefore(f);
        setter(f.to_bytes(), v);
        checksumAfter(f, site, before);
      }) as FieldSetter;
    }
    fields.push(spec);
  });

  const SegmentClass = class extends ProtocolSegment {};
  const methods = SegmentClass.prototype as unknown as LuaTable<string, unknown>;
  fields.forEach((f, i) => {
    if (f.name === payloadField) {
      methods.set(f.name, function (this: ProtocolSegment, target?: ProtocolBuffer<ProtocolSegment>) {
        return this.payload(target);
      });
    } else {
      methods.set(f.name, function (this: ProtocolSegment) {
        return this.field(i);
      });
    }
  });

  const buffer = new DynamicBuffer(name, SegmentClass, fields, payloadField, 0);
  buffer.policy = resolve(spec.has_protocol, `${name}.has_protocol`);
  buffer.precalc = resolve(spec.get_field_changes, `${name}.get_field_changes`);
  (_G as unknown as LuaTable<string, unknown>).set(name, buffer);
  return buffer;
}

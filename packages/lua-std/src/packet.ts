// PacketScript's packet object: lua-std adds `raw`, `get`, `set`, `data`,
// `get_offset`, `get_size` and `to_bytes` to the engine's kmod.Packet, so
// `process_packet(p)` receives the thesis' raw object.
//
// NFQUEUE packets start at the IP header. With the link-layer presentation
// on (`packetscript_link_layer(true)`, the rule option), the packet a script
// sees starts with a 14-byte Ethernet header in front of the IP header —
// smac is the address the kernel reports (p:hwaddr(), zeros when it has
// none), dmac is zeros, type is 0x0800 — so listings written for frames
// (`p:data(packet_eth):data(packet_ip)`, `p:raw(0, 6)` as dmac) run
// unchanged. Writing to that header changes the script's copy only: the
// kernel keeps the frame's real link layer. Writes to the IP packet behind
// it go to the packet.

import { checkProtocol, makeRaw, type ProtocolBuffer, type ProtocolSegment, RawSegment } from "./core";
import { checkInteger, parseMac } from "./util";
import { type EthernetHeader, packet_eth } from "./protocols/eth";

declare global {
  /** PacketScript's raw object methods, added to the engine's packet by lua-std. */
  interface Packet {
    /** A raw segment of `length` bytes at `offset`, or false when it does not fit. */
    raw(offset: number, length: number): RawSegment | false;
    /** The packet's bytes as a byte array (zero copy; a copy with the link-layer presentation on). */
    get(): Bytes;
    /** A byte fills the packet; a string or byte array is copied to its start. */
    set(value: number | string | Bytes): void;
    /** The packet as a segment of protocol `proto` (the raw policy always agrees), false when malformed. */
    data<T extends ProtocolSegment>(proto: ProtocolBuffer<T>): T | false;
    get_offset(): number;
    get_size(): number;
    to_bytes(): Bytes;
  }
}

const LINK_HEADER_LENGTH = 14;

/** The packet seen with a presented Ethernet header in front of it. */
export class LinkLayerRoot extends RawSegment {
  packet: RawSegment;

  /** The presented header is `buf` (14 bytes); the packet follows it. */
  constructor(header: Bytes, packet: RawSegment) {
    super(header, 0, LINK_HEADER_LENGTH + packet.len, 0);
    this.packet = packet;
  }

  /** A contiguous copy of [offset, offset+length) of header and packet. */
  private copy(offset: number, length: number): string {
    const parts: string[] = [];
    if (offset < LINK_HEADER_LENGTH) {
      const n = math.min(LINK_HEADER_LENGTH - offset, length);
      parts.push(this.buf.string(offset, n));
    }
    const end = offset + length;
    if (end > LINK_HEADER_LENGTH) {
      const from = math.max(offset, LINK_HEADER_LENGTH) - LINK_HEADER_LENGTH;
      parts.push(this.packet.buf.string(this.packet.off + from, end - LINK_HEADER_LENGTH - from));
    }
    return table.concat(parts);
  }

  override raw(offset: number, length: number): RawSegment | false {
    checkInteger(offset, 0, 0x7FFFFFFF, "raw: offset");
    checkInteger(length, 0, 0x7FFFFFFF, "raw: length");
    if (offset + length > this.len) return false;
    if (offset + length <= LINK_HEADER_LENGTH) return makeRaw(this.buf, offset, length, offset);
    if (offset >= LINK_HEADER_LENGTH) {
      return makeRaw(this.packet.buf, this.packet.off + offset - LINK_HEADER_LENGTH, length, offset);
    }
    // Across the presented header and the packet: a copy (reads only).
    return makeRaw(kmod.bytes(this.copy(offset, length)), 0, length, offset);
  }

  override get(): Bytes {
    return kmod.bytes(this.copy(0, this.len));
  }

  override to_bytes(): Bytes {
    return this.get();
  }

  override set(value: number | string | Bytes): void {
    checkInteger(value, 0, 255, "set: byte value");
    this.buf.fill(value as number, 0, LINK_HEADER_LENGTH);
    this.packet.set(value);
  }

  override string(offset = 0, length?: number): string {
    const n = length ?? this.len - offset;
    this.check(offset, n);
    return this.copy(offset, n);
  }
  override u8(offset: number): number {
    return string.byte(this.string(offset, 1));
  }
  override u16(offset: number): number {
    return string.unpack(">I2", this.string(offset, 2))[0] as number;
  }
  override u32(offset: number): number {
    return string.unpack(">I4", this.string(offset, 4))[0] as number;
  }
  override set_u8(offset: number, value: number): void {
    (this.raw(offset, 1) as RawSegment).set_u8(0, value);
  }

  override data<T extends ProtocolSegment>(proto: ProtocolBuffer<T>): T | false;
  override data(): RawSegment;
  override data<T extends ProtocolSegment>(...args: [ProtocolBuffer<T>?]): T | RawSegment | false {
    if (select("#", ...args) === 0) return this;
    const [proto] = select(1, ...args);
    checkProtocol(proto);
    if ((proto as unknown) === (packet_eth as unknown)) {
      const eth = packet_eth.instantiate(this.buf, 0, LINK_HEADER_LENGTH, 0) as EthernetHeader;
      eth.presentedPayload = makeRaw(this.packet.buf, this.packet.off, this.packet.len, LINK_HEADER_LENGTH);
      return eth as unknown as T;
    }
    // Other protocols over the frame (e.g. a script's own Ethernet buffer): a copy, reads only.
    const frame = kmod.bytes(this.copy(0, this.len));
    return proto!.instantiate(frame, 0, this.len, 0);
  }
}

let presentLinkLayer = false;
/** Addresses of the presented header where the kernel reports none (6 bytes each). */
let defaultSource = "\0\0\0\0\0\0";
let defaultDestination = "\0\0\0\0\0\0";

/**
 * Turns the link-layer presentation on or off for the packets of this Lua
 * state (the rule option). `smac`/`dmac` ("01:23:45:67:89:AB") fill the
 * presented header where the kernel reports no address (default zeros):
 * NFQUEUE reports the source address of packets that arrived on an
 * Ethernet interface, never the destination.
 */
export function packetscript_link_layer(this: void, on: boolean, smac?: string, dmac?: string): void {
  presentLinkLayer = on === true;
  headerTemplates = new LuaTable<string, string>();
  defaultSource = smac === undefined ? "\0\0\0\0\0\0" : (parseMac(smac) ?? error(`packetscript_link_layer: invalid smac ${smac}`, 2));
  defaultDestination = dmac === undefined ? "\0\0\0\0\0\0" : (parseMac(dmac) ?? error(`packetscript_link_layer: invalid dmac ${dmac}`, 2));
  lastPacket = undefined;
}

// The presented headers' bytes by source address: one string per neighbour.
let headerTemplates = new LuaTable<string, string>();

/** Builds the presented Ethernet header of packet `p` whose bytes are `view`. */
function linkHeader(p: Packet, view: Bytes, length: number): Bytes {
  let source = p.hwaddr();
  if (source === undefined || source.length !== 6) source = defaultSource;
  if (length > 0 && shr(view.u8(0), 4) === 6) return kmod.bytes(defaultDestination + source + "\x86\xDD");
  let template = headerTemplates.get(source);
  if (template === undefined) {
    template = defaultDestination + source + "\x08\x00";
    headerTemplates.set(source, template);
  }
  return kmod.bytes(template);
}

// The root of the packet being processed, kept while its bytes are alive so
// that a presented header keeps the script's writes during one hook call.
let lastPacket: Packet | undefined;
let lastView: Bytes | undefined;
let lastRoot: RawSegment | undefined;

/** The raw object of packet `p` (thesis §3.3.1). */
export function rootOf(p: Packet): RawSegment {
  if (lastPacket === p && lastView!.alive()) return lastRoot!;
  const view = p.bytes();
  const length = view.len();
  const packet = makeRaw(view, 0, length, 0);
  const root = presentLinkLayer
    ? (setmetatable(
      { buf: linkHeader(p, view, length), off: 0, len: LINK_HEADER_LENGTH + length, pos: 0, packet },
      LinkLayerRoot.prototype as unknown as LuaMetatable<object>,
    ) as unknown as LinkLayerRoot)
    : packet;
  lastPacket = p;
  lastView = view;
  lastRoot = root;
  return root;
}

/** Adds the raw object methods to the engine's packets. */
export function installPacketMethods(): void {
  const methods = kmod.Packet;
  methods.set("raw", (p: Packet, offset: number, length: number) => rootOf(p).raw(offset, length));
  methods.set("get", (p: Packet) => rootOf(p).get());
  methods.set("set", (p: Packet, value: number | string | Bytes) => rootOf(p).set(value));
  methods.set("data", (p: Packet, ...args: [ProtocolBuffer<ProtocolSegment>?]) => {
    if (select("#", ...args) === 0) return rootOf(p);
    // The root's factory checks the protocol.
    const [proto] = select(1, ...args);
    return rootOf(p).data(proto!);
  });
  methods.set("get_offset", () => 0);
  methods.set("get_size", (p: Packet) => rootOf(p).len);
  methods.set("to_bytes", (p: Packet) => rootOf(p).to_bytes());
}

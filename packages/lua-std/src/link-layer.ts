// The link-layer presentation. NFQUEUE packets start at the IP header. With
// the presentation on (`packetscript_link_layer(true)`, the rule option), the
// packet a script sees starts with a 14-byte Ethernet header in front of the
// IP header — smac is the address the kernel reports (p:hwaddr(), zeros when
// it has none), dmac is zeros, type is 0x0800 — so listings written for
// frames (`p:data(packet_eth):data(packet_ip)`, `p:raw(0, 6)` as dmac) run
// unchanged. Writing to that header changes the script's copy only: the
// kernel keeps the frame's real link layer. Writes to the IP packet behind
// it go to the packet.
//
// A root keeps its header buffer and its packet_eth object for its next
// packets: binding it to a packet refills the header from a template (one
// string per neighbour), so the presentation allocates nothing per packet.

import { checkProtocol, makeRaw, type ProtocolBuffer, type ProtocolSegment, RawSegment, rawKid } from "./core";
import { UNBOUND } from "./lifetime";
import { checkInteger } from "./util";
import { type EthernetHeader, packet_eth } from "./protocols/eth";

const LINK_HEADER_LENGTH = 14;
// EtherTypes as 2-byte strings (a "\x86" literal would be emitted as UTF-8).
const IPV4_TYPE = string.char(0x08, 0x00);
const IPV6_TYPE = string.char(0x86, 0xDD);

/** The packet seen with a presented Ethernet header in front of it: the root of its segments. */
export class LinkLayerRoot extends RawSegment {
  // Made by newLinkLayerRoot, as one table.
  /** The presented header (`buf` too). */
  header!: Bytes;
  /** True when a byte array of `header` was handed out (lifetime.ts): the next packet gets a new header. */
  headerEscaped!: boolean;
  /** The packet behind the header, as a raw segment at offset 14. */
  packet!: RawSegment;
  /** The presented header as packet_eth: the same object for every packet of this root. */
  eth!: EthernetHeader;

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
    if (offset + length <= LINK_HEADER_LENGTH) return rawKid(this, offset, length, this.buf, offset, offset);
    if (offset >= LINK_HEADER_LENGTH) {
      return rawKid(this, offset, length, this.packet.buf, this.packet.off + offset - LINK_HEADER_LENGTH, offset);
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
    const [proto] = [...args];
    if ((proto as unknown) === (packet_eth as unknown)) {
      // The presented header has no policy or layout to rerun: rebinding is marking it current.
      const eth = this.eth;
      if (eth.gen !== this.gen) {
        eth.buf = this.buf;
        eth.gen = this.gen;
      }
      return eth as unknown as T;
    }
    if (proto === undefined && select("#", ...args) === 0) return this;
    checkProtocol(proto);
    // Other protocols over the frame (e.g. a script's own Ethernet buffer): a copy, reads only.
    const frame = kmod.bytes(this.copy(0, this.len));
    return proto!.instantiate(frame, 0, this.len, 0);
  }
}

/** Addresses of the presented header where the kernel reports none (6 bytes each). */
let defaultSource = "\0\0\0\0\0\0";
let defaultDestination = "\0\0\0\0\0\0";
// The presented headers' bytes by source address: one string per neighbour and EtherType.
let ipv4Headers = new LuaTable<string, string>();
let ipv6Headers = new LuaTable<string, string>();

/** Sets the addresses of the presented header where the kernel reports none (6-byte strings). */
export function setPresentedAddresses(source: string, destination: string): void {
  defaultSource = source;
  defaultDestination = destination;
  ipv4Headers = new LuaTable();
  ipv6Headers = new LuaTable();
}


/** A root for packets seen with the presentation (bound to none yet). */
export function newLinkLayerRoot(): LinkLayerRoot {
  const header = kmod.bytes(LINK_HEADER_LENGTH);
  const packet = makeRaw(header, 0, 0, LINK_HEADER_LENGTH);
  const eth = setmetatable(
    {
      buf: header, off: 0, len: LINK_HEADER_LENGTH, pos: 0, root: undefined, gen: UNBOUND, kids: undefined, rawKids: undefined,
      proto: packet_eth, hl: 0, dataEnd: 0, parent: undefined, layout: undefined, site: undefined, presentedPayload: packet,
    },
    packet_eth.segmentClass.prototype as unknown as LuaMetatable<object>,
  ) as unknown as EthernetHeader;
  const root = setmetatable(
    {
      buf: header, off: 0, len: LINK_HEADER_LENGTH, pos: 0, root: undefined, gen: UNBOUND, kids: undefined, rawKids: undefined,
      header, headerEscaped: false, packet, eth,
    },
    LinkLayerRoot.prototype as unknown as LuaMetatable<object>,
  ) as unknown as LinkLayerRoot;
  root.root = root;
  packet.root = root;
  eth.root = root;
  return root;
}

/** Binds `root` to packet `p` (bytes `view`, `length` long) as generation `gen`, its header refilled. */
export function bindLinkLayerRoot(root: LinkLayerRoot, p: Packet, view: Bytes, length: number, gen: number): void {
  if (root.headerEscaped) {
    root.header = kmod.bytes(LINK_HEADER_LENGTH);
    root.buf = root.header;
    root.headerEscaped = false;
  }
  let source = p.hwaddr();
  if (source === undefined || source.length !== 6) source = defaultSource;
  const ipv6 = length > 0 && shr(view.u8(0), 4) === 6;
  const headers = ipv6 ? ipv6Headers : ipv4Headers;
  let header = headers.get(source);
  if (header === undefined) {
    header = defaultDestination + source + (ipv6 ? IPV6_TYPE : IPV4_TYPE);
    headers.set(source, header);
  }
  root.header.copy_from(header);
  root.len = LINK_HEADER_LENGTH + length;
  root.gen = gen;
  const packet = root.packet;
  packet.buf = view;
  packet.len = length;
  packet.gen = gen;
}

// IPv4 (RFC 791). Fields as PacketScript's packet_ip; `data` starts after
// the options (IHL) and ends at tot_len, so a padded frame's trailer is not
// payload. Setting saddr/daddr fixes the header checksum and the TCP/UDP
// checksum (pseudo-header, RFC 793 §3.1 / RFC 768) incrementally.

import { type Field, type FieldSpec, ProtocolBuffer, ProtocolSegment } from "../core";
import { type ChecksumSite, siteOf } from "../checksum";
import { getFlag, getIpv4, getUint, setFlag, setIpv4, setUint } from "../fields";

export const IP_FIELDS: FieldSpec[] = [
  { name: "version", offset: 0, length: 4, get: getUint, set: setUint },
  { name: "ihl", offset: 4, length: 4, get: getUint, set: setUint },
  { name: "tos", offset: 8, length: 8, get: getUint, set: setUint },
  { name: "tot_len", offset: 16, length: 16, get: getUint, set: setUint },
  { name: "id", offset: 32, length: 16, get: getUint, set: setUint },
  { name: "flags", offset: 48, length: 3, get: getFlag, set: setFlag },
  { name: "frag_off", offset: 51, length: 13, get: getUint, set: setUint },
  { name: "ttl", offset: 64, length: 8, get: getUint, set: setUint },
  { name: "protocol", offset: 72, length: 8, get: getUint, set: setUint },
  { name: "check", offset: 80, length: 16, get: getUint },
  { name: "saddr", offset: 96, length: 32, get: getIpv4, set: setIpv4 },
  { name: "daddr", offset: 128, length: 32, get: getIpv4, set: setIpv4 },
  { name: "options", offset: 160, length: 0, variable: true },
  { name: "data", offset: 160, length: 0, variable: true },
];

/** IP protocol numbers of the transports lua-std has buffers for. */
const PROTOCOL_OF = new LuaTable<string, number>();
PROTOCOL_OF.set("packet_icmp", 1);
PROTOCOL_OF.set("packet_tcp", 6);
PROTOCOL_OF.set("packet_udp", 17);

/** A flags field: get(n) is bit n (1 reserved, 2 DF, 3 MF), get() the 3-bit value, set(n) sets bit n. */
export interface FlagsField extends Field<number> {
  get(): number;
  get(bit: number): boolean;
  set(bit: number): void;
}

export class IpHeader extends ProtocolSegment {
  version(): Field<number> {
    return this.field<number>(0) as Field<number>;
  }
  ihl(): Field<number> {
    return this.field<number>(1) as Field<number>;
  }
  tos(): Field<number> {
    return this.field<number>(2) as Field<number>;
  }
  tot_len(): Field<number> {
    return this.field<number>(3) as Field<number>;
  }
  id(): Field<number> {
    return this.field<number>(4) as Field<number>;
  }
  flags(): FlagsField {
    return this.field<number>(5) as FlagsField;
  }
  frag_off(): Field<number> {
    return this.field<number>(6) as Field<number>;
  }
  ttl(): Field<number> {
    return this.field<number>(7) as Field<number>;
  }
  protocol(): Field<number> {
    return this.field<number>(8) as Field<number>;
  }
  check(): Field<number> {
    return this.field<number>(9) as Field<number>;
  }
  saddr(): Field<string> {
    return this.field<string>(10) as Field<string>;
  }
  daddr(): Field<string> {
    return this.field<string>(11) as Field<string>;
  }
  /** The options between the fixed header and the payload (empty when IHL is 5). */
  options(): Field<Bytes> {
    return this.field(12) as Field<Bytes>;
  }

  /** Header length in bytes. */
  header_length(): number {
    return (this.buf.u8(this.off) & 0x0F) * 4;
  }

  override checksumSite(): ChecksumSite | undefined {
    return siteOf(this, 10, false);
  }

  /**
   * Recomputes the header checksum and the TCP/UDP/ICMP checksum from
   * scratch (after raw writes, which leave checksums alone). The transport
   * checksum is only computed when the whole datagram is in the segment.
   */
  fix_checksums(): void {
    const headerLength = this.header_length();
    this.buf.set_u16(this.off + 10, 0);
    this.buf.set_u16(this.off + 10, this.buf.checksum(this.off, headerLength));
    const totalLength = this.buf.u16(this.off + 2);
    if (totalLength > this.len || (this.buf.u16(this.off + 6) & 0x1FFF) !== 0) return;
    const protocol = this.buf.u8(this.off + 9);
    const l4 = this.off + headerLength;
    const l4Length = totalLength - headerLength;
    if (protocol === 1 && l4Length >= 4) {
      this.buf.set_u16(l4 + 2, 0);
      this.buf.set_u16(l4 + 2, this.buf.checksum(l4, l4Length));
      return;
    }
    const at = protocol === 6 ? 16 : protocol === 17 ? 6 : -1;
    if (at < 0 || l4Length < at + 2) return;
    const pseudo = kmod.sum16(string.pack(">I4I4BBH", this.buf.u32(this.off + 12), this.buf.u32(this.off + 16), 0, protocol, l4Length));
    this.buf.set_u16(l4 + at, 0);
    let check = this.buf.checksum(l4, l4Length, pseudo);
    if (protocol === 17 && check === 0) check = 0xFFFF;
    this.buf.set_u16(l4 + at, check);
  }

  /**
   * An address changed from `oldAddress` to `newAddress`: updates the header
   * checksum and the TCP/UDP checksum (pseudo-header) incrementally: RFC 1624
   * eqn. 3, HC' = ~(~HC + ~m + m'), with ~m + m' over the address's two
   * words computed once for both checksums (inline: the NAT's per-packet path).
   */
  addressChanged(oldAddress: number, newAddress: number): void {
    const buf = this.buf;
    const off = this.off;
    const delta = (~shr(oldAddress, 16) & 0xFFFF) + (~oldAddress & 0xFFFF) + shr(newAddress, 16) + (newAddress & 0xFFFF);
    let sum = (~buf.u16(off + 10) & 0xFFFF) + delta;
    sum = (sum & 0xFFFF) + shr(sum, 16);
    sum = (sum & 0xFFFF) + shr(sum, 16);
    buf.set_u16(off + 10, ~sum & 0xFFFF);
    // Fragment offset, TTL, protocol in one read; only the first fragment carries the transport header.
    const word = buf.u32(off + 6);
    if ((shr(word, 16) & 0x1FFF) !== 0) return;
    const protocol = word & 0xFF;
    const l4 = off + (buf.u8(off) & 0x0F) * 4;
    let at: number;
    if (protocol === 6) at = l4 + 16;
    else if (protocol === 17) at = l4 + 6;
    else return;
    if (at + 2 > off + this.len) return;
    const check = buf.u16(at);
    if (protocol === 17 && check === 0) return; // UDP without checksum
    sum = (~check & 0xFFFF) + delta;
    sum = (sum & 0xFFFF) + shr(sum, 16);
    sum = (sum & 0xFFFF) + shr(sum, 16);
    let updated = ~sum & 0xFFFF;
    if (protocol === 17 && updated === 0) updated = 0xFFFF;
    buf.set_u16(at, updated);
  }
}

export class IpBuffer extends ProtocolBuffer<IpHeader> {
  override plainSegments = true;
  override hasProtocol(seg: IpHeader, target: ProtocolBuffer<ProtocolSegment>): boolean {
    if (!target.builtin) return true;
    const number = PROTOCOL_OF.get(target.name);
    // Fragment offset, TTL, protocol in one read.
    const word = seg.buf.u32(seg.off + 6);
    if (number === undefined || number !== (word & 0xFF)) return false;
    // A later fragment's payload is not a transport header.
    return (shr(word, 16) & 0x1FFF) === 0;
  }

  /** Version 4, IHL of 5 or more inside the segment, tot_len not below the header; notes header length and data end. */
  override validate(seg: IpHeader): boolean {
    const word = seg.buf.u32(seg.off);
    if (shr(word, 28) !== 4) return false;
    const headerLength = (shr(word, 24) & 0x0F) * 4;
    const totalLength = word & 0xFFFF;
    if (headerLength < 20 || headerLength > seg.len || totalLength < headerLength) return false;
    seg.hl = headerLength;
    // data ends at tot_len (a padded frame's trailer is not payload), or where a cut packet ends.
    seg.dataEnd = totalLength < seg.len ? totalLength : seg.len;
    return true;
  }

  /** options: after the 20 fixed bytes up to IHL; data: from IHL to tot_len. */
  override placeField(seg: IpHeader, i: number): LuaMultiReturn<[number, number]> {
    if (i === 12) return $multi(20, seg.hl - 20);
    return $multi(seg.hl, seg.dataEnd - seg.hl);
  }
}

export const packet_ip = new IpBuffer("packet_ip", IpHeader, IP_FIELDS, "data", 20);

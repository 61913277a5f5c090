// UDP (RFC 768): sport, dport, length, check, data (up to `length`). Port
// setters keep the checksum valid; a zero checksum (none) is left alone.

import { type Field, type FieldSpec, ProtocolBuffer, ProtocolSegment } from "../core";
import { type ChecksumSite, siteOf } from "../checksum";
import { getUint, setUint } from "../fields";

export const UDP_FIELDS: FieldSpec[] = [
  { name: "sport", offset: 0, length: 16, get: getUint, set: setUint },
  { name: "dport", offset: 16, length: 16, get: getUint, set: setUint },
  { name: "length", offset: 32, length: 16, get: getUint, set: setUint },
  { name: "check", offset: 48, length: 16, get: getUint },
  { name: "data", offset: 64, length: 0, variable: true },
];

export class UdpHeader extends ProtocolSegment {
  sport(): Field<number> {
    return this.field<number>(0) as Field<number>;
  }
  dport(): Field<number> {
    return this.field<number>(1) as Field<number>;
  }
  length(): Field<number> {
    return this.field<number>(2) as Field<number>;
  }
  check(): Field<number> {
    return this.field<number>(3) as Field<number>;
  }

  override checksumSite(): ChecksumSite | undefined {
    return siteOf(this, 6, true);
  }
}

export class UdpBuffer extends ProtocolBuffer<UdpHeader> {
  override plainSegments = true;
  override checksumCoversPayload = true;

  /** TFTP is recognised by its opcode (1-6); the packet_tftp layout checks the rest. */
  override hasProtocol(seg: UdpHeader, target: ProtocolBuffer<ProtocolSegment>): boolean {
    if (!target.builtin) return true;
    if (target.name !== "packet_tftp" || seg.len < 10) return false;
    const opcode = seg.buf.u16(seg.off + 8);
    return opcode >= 1 && opcode <= 6;
  }

  /** `length` of 8 or more; data runs to `length` (not to a padded frame's end). */
  override validate(seg: UdpHeader): boolean {
    const length = seg.buf.u16(seg.off + 4);
    if (length < 8) return false;
    seg.dataEnd = length < seg.len ? length : seg.len;
    return true;
  }

  override placeField(seg: UdpHeader): LuaMultiReturn<[number, number]> {
    return $multi(8, seg.dataEnd - 8);
  }
}

export const packet_udp = new UdpBuffer("packet_udp", UdpHeader, UDP_FIELDS, "data", 8);

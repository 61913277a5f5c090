// ICMP (RFC 792): type, code, checksum, and the echo id/sequence; `data` is
// what follows the 8-byte header. Setters keep the ICMP checksum valid.

import { type Field, type FieldSpec, ProtocolBuffer, ProtocolSegment } from "../core";
import { type ChecksumSite, siteOf } from "../checksum";
import { getUint, setUint } from "../fields";

export const ICMP_FIELDS: FieldSpec[] = [
  { name: "type", offset: 0, length: 8, get: getUint, set: setUint },
  { name: "code", offset: 8, length: 8, get: getUint, set: setUint },
  { name: "checksum", offset: 16, length: 16, get: getUint },
  { name: "id", offset: 32, length: 16, get: getUint, set: setUint },
  { name: "sequence", offset: 48, length: 16, get: getUint, set: setUint },
  { name: "data", offset: 64, length: 0 },
];

export class IcmpHeader extends ProtocolSegment {
  type(): Field<number> {
    return this.field<number>(0) as Field<number>;
  }
  code(): Field<number> {
    return this.field<number>(1) as Field<number>;
  }
  checksum(): Field<number> {
    return this.field<number>(2) as Field<number>;
  }
  id(): Field<number> {
    return this.field<number>(3) as Field<number>;
  }
  sequence(): Field<number> {
    return this.field<number>(4) as Field<number>;
  }

  override checksumSite(): ChecksumSite | undefined {
    return siteOf(this, 2, false);
  }
}

export class IcmpBuffer extends ProtocolBuffer<IcmpHeader> {
  override plainSegments = true;
  override checksumCoversPayload = true;
  /** The payload of an ICMP error is the offending IP header: let it be viewed as packet_ip. */
  override hasProtocol(seg: IcmpHeader, target: ProtocolBuffer<ProtocolSegment>): boolean {
    if (!target.builtin) return true;
    const icmpType = seg.buf.u8(seg.off);
    return target.name === "packet_ip" && (icmpType === 3 || icmpType === 11 || icmpType === 12);
  }
}

export const packet_icmp = new IcmpBuffer("packet_icmp", IcmpHeader, ICMP_FIELDS, "data", 8);

// Ethernet II (IEEE 802.3): dmac, smac, type, data. Its policy lets the
// payload be IPv4 when type is 0x0800 (and IPv6 is not provided).

import { checkProtocol, type Field, type FieldSpec, ProtocolBuffer, ProtocolSegment, type RawSegment } from "../core";
import { stale } from "../lifetime";
import { getMac, getUint, setMac, setUint } from "../fields";

export const ETH_FIELDS: FieldSpec[] = [
  { name: "dmac", offset: 0, length: 48, get: getMac, set: setMac },
  { name: "smac", offset: 48, length: 48, get: getMac, set: setMac },
  { name: "type", offset: 96, length: 16, get: getUint, set: setUint },
  { name: "data", offset: 112, length: 0 },
];

export class EthernetHeader extends ProtocolSegment {
  /**
   * Set when the header is the one presented in front of an IP packet that
   * arrived without it (NFQUEUE): the payload is then the packet itself.
   */
  presentedPayload?: RawSegment;

  dmac(): Field<string> {
    return this.field<string>(0) as Field<string>;
  }
  smac(): Field<string> {
    return this.field<string>(1) as Field<string>;
  }
  type(): Field<number> {
    return this.field<number>(2) as Field<number>;
  }

  override payload<T extends ProtocolSegment>(target?: ProtocolBuffer<T>): T | RawSegment | false {
    const presented = this.presentedPayload;
    if (presented === undefined) return super.payload(target);
    if (this.gen !== this.root.gen) stale(this);
    if (target === undefined) return presented;
    checkProtocol(target);
    if (!this.proto.hasProtocol(this, target as unknown as ProtocolBuffer<ProtocolSegment>)) return false;
    return target.instantiate(presented.buf, presented.off, presented.len, presented.pos, this, this);
  }
}

export class EthernetBuffer extends ProtocolBuffer<EthernetHeader> {
  override plainSegments = true;
  override hasProtocol(seg: EthernetHeader, target: ProtocolBuffer<ProtocolSegment>): boolean {
    if (!target.builtin) return true;
    const ethType = seg.buf.u16(seg.off + 12);
    return ethType === 0x0800 && target.name === "packet_ip";
  }
}

export const packet_eth = new EthernetBuffer("packet_eth", EthernetHeader, ETH_FIELDS, "data", 14);

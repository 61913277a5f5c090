// packet_raw: the protocol-less view. `x:data(packet_raw)` gives the bytes
// as a raw segment of the same range.

import { ProtocolBuffer, ProtocolSegment } from "../core";

export class RawProtocolSegment extends ProtocolSegment {}

export class RawBuffer extends ProtocolBuffer<RawProtocolSegment> {
  override plainSegments = true;
}

export const packet_raw = new RawBuffer("packet_raw", RawProtocolSegment, [{ name: "data", offset: 0, length: 0 }], "data");

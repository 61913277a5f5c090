// TCP (RFC 9293 §3.1) and its options (packet_tcp_opt: MSS, WS, SACK, TSVAL,
// TSER, as PacketScript). `options` and `data` move with data_off; setters
// keep the TCP checksum valid.

import { type Field, type FieldSpec, type Layout, layoutOf, ProtocolBuffer, ProtocolSegment, type RawSegment } from "../core";
import { type ChecksumSite, siteOf } from "../checksum";
import { getFlag, getUint, setFlag, setUint } from "../fields";
import type { FlagsField } from "./ip";

export const TCP_FIELDS: FieldSpec[] = [
  { name: "sport", offset: 0, length: 16, get: getUint, set: setUint },
  { name: "dport", offset: 16, length: 16, get: getUint, set: setUint },
  { name: "seq", offset: 32, length: 32, get: getUint, set: setUint },
  { name: "ack", offset: 64, length: 32, get: getUint, set: setUint },
  { name: "data_off", offset: 96, length: 4, get: getUint, set: setUint },
  { name: "reserved", offset: 100, length: 4, get: getUint, set: setUint },
  // PacketScript's 1-bit accessors: bit 1 CWR, 2 ECE, 3 URG, 4 ACK, 5 PSH, 6 RST, 7 SYN, 8 FIN.
  { name: "flags", offset: 104, length: 8, get: getFlag, set: setFlag },
  { name: "window_size", offset: 112, length: 16, get: getUint, set: setUint },
  { name: "check", offset: 128, length: 16, get: getUint },
  { name: "urgent", offset: 144, length: 16, get: getUint, set: setUint },
  { name: "options", offset: 160, length: 0, variable: true },
  { name: "data", offset: 160, length: 0, variable: true },
];

/** Bit numbers of `flags():get(n)` / `set(n)` (PacketScript counts from the most significant bit). */
export const TCP_FLAG = { CWR: 1, ECE: 2, URG: 3, ACK: 4, PSH: 5, RST: 6, SYN: 7, FIN: 8 } as const;

export class TcpHeader extends ProtocolSegment {
  sport(): Field<number> {
    return this.field<number>(0) as Field<number>;
  }
  dport(): Field<number> {
    return this.field<number>(1) as Field<number>;
  }
  seq(): Field<number> {
    return this.field<number>(2) as Field<number>;
  }
  ack(): Field<number> {
    return this.field<number>(3) as Field<number>;
  }
  data_off(): Field<number> {
    return this.field<number>(4) as Field<number>;
  }
  reserved(): Field<number> {
    return this.field<number>(5) as Field<number>;
  }
  flags(): FlagsField {
    return this.field<number>(6) as FlagsField;
  }
  window_size(): Field<number> {
    return this.field<number>(7) as Field<number>;
  }
  check(): Field<number> {
    return this.field<number>(8) as Field<number>;
  }
  urgent(): Field<number> {
    return this.field<number>(9) as Field<number>;
  }
  options(): Field<Bytes> {
    return this.field(10) as Field<Bytes>;
  }

  override checksumSite(): ChecksumSite | undefined {
    return siteOf(this, 16, false);
  }

  /** `tcp:data(packet_tcp_opt)` gives the options (PacketScript's tcp_options_and_data buffer). */
  override payload<T extends ProtocolSegment>(target?: ProtocolBuffer<T>): T | RawSegment | false {
    if (target !== undefined && (target as unknown) === (packet_tcp_opt as unknown)) {
      const options = this.options();
      return target.instantiate(options.buf, options.off, options.len, options.pos, this, this);
    }
    return super.payload(target);
  }
}

export class TcpBuffer extends ProtocolBuffer<TcpHeader> {
  override plainSegments = true;
  override checksumCoversPayload = true;

  /** HTTP when the payload starts like a request or status line; the packet_http layout checks the rest. */
  override hasProtocol(seg: TcpHeader, target: ProtocolBuffer<ProtocolSegment>): boolean {
    if (!target.builtin) return true;
    if (target.name !== "packet_http") return false;
    const start = seg.off + seg.hl;
    const n = seg.off + seg.len - start;
    if (n < 5) return false;
    const head = seg.buf.string(start, n < 16 ? n : 16);
    return string.find(head, "^HTTP/") !== undefined || string.find(head, "^%u+ ") !== undefined;
  }

  /** data_off of 5 or more words, inside the segment. */
  override validate(seg: TcpHeader): boolean {
    const headerLength = shr(seg.buf.u8(seg.off + 12), 4) * 4;
    if (headerLength < 20 || headerLength > seg.len) return false;
    seg.hl = headerLength;
    seg.dataEnd = seg.len;
    return true;
  }

  /** options end at data_off words, data runs to the end of the segment. */
  override placeField(seg: TcpHeader, i: number): LuaMultiReturn<[number, number]> {
    if (i === 10) return $multi(20, seg.hl - 20);
    return $multi(seg.hl, seg.len - seg.hl);
  }
}

export const packet_tcp = new TcpBuffer("packet_tcp", TcpHeader, TCP_FIELDS, "data", 20);

// ---- TCP options -------------------------------------------------------------

export const TCP_OPT_FIELDS: FieldSpec[] = [
  { name: "MSS", offset: 0, length: 16, get: getUint, set: setUint },
  { name: "WS", offset: 0, length: 8, get: getUint, set: setUint },
  // SACK-permitted (kind 4) has no value: the field is its 2 bytes (kind, length).
  { name: "SACK", offset: 0, length: 16, get: getUint, set: setUint },
  { name: "TSVAL", offset: 0, length: 32, get: getUint, set: setUint },
  { name: "TSER", offset: 0, length: 32, get: getUint, set: setUint },
];

/** The options of a TCP header. A method returns false when the packet does not carry that option. */
export class TcpOptions extends ProtocolSegment {
  MSS(): Field<number> | false {
    return this.field<number>(0);
  }
  WS(): Field<number> | false {
    return this.field<number>(1);
  }
  SACK(): Field<number> | false {
    return this.field<number>(2);
  }
  TSVAL(): Field<number> | false {
    return this.field<number>(3);
  }
  TSER(): Field<number> | false {
    return this.field<number>(4);
  }
}

export class TcpOptionsBuffer extends ProtocolBuffer<TcpOptions> {
  override plainSegments = true;
  /** Walks the option list (RFC 9293 §3.2); false when an option's length runs past the options. */
  override computeLayout(seg: TcpOptions): Layout | false {
    const layout = layoutOf(seg, 5);
    const { offsets, lengths } = layout;
    let i = 0;
    while (i < seg.len) {
      const kind = seg.buf.u8(seg.off + i);
      if (kind === 0) break; // end of option list
      if (kind === 1) {
        i++; // no-operation
        continue;
      }
      if (i + 1 >= seg.len) return false;
      const length = seg.buf.u8(seg.off + i + 1);
      if (length < 2 || i + length > seg.len) return false;
      if (kind === 2 && length === 4) {
        offsets[0] = (i + 2) * 8;
        lengths[0] = 16;
      } else if (kind === 3 && length === 3) {
        offsets[1] = (i + 2) * 8;
        lengths[1] = 8;
      } else if (kind === 4 && length === 2) {
        offsets[2] = i * 8;
        lengths[2] = 16;
      } else if (kind === 8 && length === 10) {
        offsets[3] = (i + 2) * 8;
        lengths[3] = 32;
        offsets[4] = (i + 6) * 8;
        lengths[4] = 32;
      }
      i += length;
    }
    return layout;
  }
}

export const packet_tcp_opt = new TcpOptionsBuffer("packet_tcp_opt", TcpOptions, TCP_OPT_FIELDS);

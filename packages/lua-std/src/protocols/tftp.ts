// TFTP (RFC 1350, options RFC 2347): opcode, filename, mode, block_nr, data,
// plus error_code/error_msg (ERROR) and options (RRQ/WRQ/OACK). Fields not in
// this packet's opcode are absent: their method returns false.

import { type Field, type FieldGetter, type FieldSpec, type Layout, layoutOf, ProtocolBuffer, ProtocolSegment } from "../core";
import { getString, getUint, setUint } from "../fields";

/** RRQ/WRQ/OACK options: a table from option name (lower case) to value text. */
const getOptions: FieldGetter = (f) => {
  const options = new LuaTable<string, string>();
  const s = f.buf.string(f.off, f.len);
  let pos = 1;
  while (pos <= s.length) {
    const nameEnd = string.find(s, "\0", pos, true)[0];
    if (nameEnd === undefined) break;
    const valueEnd = string.find(s, "\0", nameEnd + 1, true)[0];
    if (valueEnd === undefined) break;
    options.set(string.lower(string.sub(s, pos, nameEnd - 1)), string.sub(s, nameEnd + 1, valueEnd - 1));
    pos = valueEnd + 1;
  }
  return options;
};

export const TFTP_FIELDS: FieldSpec[] = [
  { name: "opcode", offset: 0, length: 16, get: getUint, set: setUint },
  { name: "filename", offset: 16, length: 0, get: getString },
  { name: "mode", offset: 16, length: 0, get: getString },
  { name: "block_nr", offset: 16, length: 16, get: getUint, set: setUint },
  { name: "data", offset: 32, length: 0 },
  { name: "error_code", offset: 16, length: 16, get: getUint, set: setUint },
  { name: "error_msg", offset: 32, length: 0, get: getString },
  { name: "options", offset: 16, length: 0, get: getOptions },
];

export const TFTP_OPCODE = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

export class TftpPacket extends ProtocolSegment {
  opcode(): Field<number> {
    return this.field<number>(0) as Field<number>;
  }
  /** RRQ/WRQ: the file name (without its NUL). */
  filename(): Field<string> | false {
    return this.field<string>(1);
  }
  /** RRQ/WRQ: "netascii", "octet" or "mail". */
  mode(): Field<string> | false {
    return this.field<string>(2);
  }
  /** DATA/ACK: the block number. */
  block_nr(): Field<number> | false {
    return this.field<number>(3);
  }
  error_code(): Field<number> | false {
    return this.field<number>(5);
  }
  error_msg(): Field<string> | false {
    return this.field<string>(6);
  }
  /** RRQ/WRQ/OACK: the options (RFC 2347) as a table name -> value. */
  options(): Field<LuaTable<string, string>> | false {
    return this.field<LuaTable<string, string>>(7);
  }
}

export class TftpBuffer extends ProtocolBuffer<TftpPacket> {
  override plainSegments = true;
  override hasProtocol(_seg: TftpPacket, target: ProtocolBuffer<ProtocolSegment>): boolean {
    return !target.builtin;
  }

  /** Places the fields of this opcode; false for an unknown opcode or an unterminated string. */
  override computeLayout(seg: TftpPacket): Layout | false {
    const opcode = seg.buf.u16(seg.off);
    const layout = layoutOf(seg, 8);
    const { offsets, lengths } = layout;
    lengths[0] = 16; // the opcode, in every packet
    const n = seg.len;
    if (opcode === 1 || opcode === 2) {
      const s = seg.buf.string(seg.off, n);
      const nameEnd = string.find(s, "\0", 3, true)[0];
      if (nameEnd === undefined) return false;
      const modeEnd = string.find(s, "\0", nameEnd + 1, true)[0];
      if (modeEnd === undefined) return false;
      // string.find positions are 1-based: byte offset = position - 1.
      offsets[1] = 16;
      lengths[1] = (nameEnd - 3) * 8;
      offsets[2] = nameEnd * 8;
      lengths[2] = (modeEnd - nameEnd - 1) * 8;
      offsets[7] = modeEnd * 8;
      lengths[7] = (n - modeEnd) * 8;
    } else if (opcode === 3) {
      if (n < 4) return false;
      offsets[3] = 16;
      lengths[3] = 16;
      offsets[4] = 32;
      lengths[4] = (n - 4) * 8;
    } else if (opcode === 4) {
      if (n < 4) return false;
      offsets[3] = 16;
      lengths[3] = 16;
    } else if (opcode === 5) {
      if (n < 4) return false;
      offsets[5] = 16;
      lengths[5] = 16;
      const s = seg.buf.string(seg.off, n);
      const msgEnd = string.find(s, "\0", 5, true)[0];
      offsets[6] = 32;
      lengths[6] = ((msgEnd ?? n + 1) - 5) * 8;
    } else if (opcode === 6) {
      offsets[7] = 16;
      lengths[7] = (n - 2) * 8;
    } else {
      return false;
    }
    return layout;
  }
}

export const packet_tftp = new TftpBuffer("packet_tftp", TftpPacket, TFTP_FIELDS, "data", 2);

// HTTP/1.x messages (RFC 9112 §2-§6) in one TCP payload: the request line
// (method, uri, version) or status line (version, status, reason), headers
// by name, and the body. The layout hook parses the start line and finds the
// end of the header block, as PacketScript's HTTP buffer did. A header block
// that does not end in this segment has no body (`complete()` is false).

import { type Field, type FieldSpec, makeField, type Layout, layoutOf, ProtocolBuffer, ProtocolSegment } from "../core";
import { getString, setSameLengthString } from "../fields";
import { toInteger } from "../util";

export const HTTP_FIELDS: FieldSpec[] = [
  { name: "method", offset: 0, length: 0, get: getString, set: setSameLengthString },
  { name: "uri", offset: 0, length: 0, get: getString, set: setSameLengthString },
  { name: "version", offset: 0, length: 0, get: getString, set: setSameLengthString },
  { name: "status", offset: 0, length: 0, get: (f) => tonumber(getString(f)), set: setSameLengthString },
  { name: "reason", offset: 0, length: 0, get: getString, set: setSameLengthString },
  { name: "headers", offset: 0, length: 0, get: getString },
  { name: "body", offset: 0, length: 0 },
];

const HEADER_SPEC_CACHE = new LuaTable<string, FieldSpec>();

function headerSpec(name: string): FieldSpec {
  let spec = HEADER_SPEC_CACHE.get(name);
  if (spec === undefined) {
    spec = { name, offset: 0, length: 0, get: getString, set: setSameLengthString };
    HEADER_SPEC_CACHE.set(name, spec);
  }
  return spec;
}

export class HttpMessage extends ProtocolSegment {
  method(): Field<string> | false {
    return this.field<string>(0);
  }
  uri(): Field<string> | false {
    return this.field<string>(1);
  }
  version(): Field<string> {
    return this.field<string>(2) as Field<string>;
  }
  /** Responses: the status code (get() gives an integer). */
  status(): Field<number> | false {
    return this.field<number>(3);
  }
  reason(): Field<string> | false {
    return this.field<string>(4);
  }
  /** The header block as text (between the start line and the empty line). */
  headers(): Field<string> {
    return this.field<string>(5) as Field<string>;
  }
  /** The body bytes in this segment; false when the header block does not end here. */
  body(): Field<Bytes> | false {
    return this.field(6);
  }
  /** True when the header block ends in this segment. */
  complete(): boolean {
    return this.layout!.lengths[6] >= 0;
  }
  is_request(): boolean {
    return this.layout!.lengths[0] >= 0;
  }

  /** The value of header `name` (case-insensitive) as a field (get() gives the text), or false. */
  header(name: string): Field<string> | false {
    const block = this.headers();
    const text = block.string();
    const wanted = string.lower(name);
    let pos = 1;
    while (pos <= text.length) {
      let lineEnd = string.find(text, "\r\n", pos, true)[0];
      if (lineEnd === undefined) lineEnd = text.length + 1;
      const [nameStart, nameEnd, fieldName, valueStart] = string.find(text, "^([^:]+):[ \t]*()", pos);
      if (nameStart !== undefined && nameEnd! < lineEnd && string.lower(fieldName as string) === wanted) {
        let valueEnd = lineEnd - 1;
        while (valueEnd >= (valueStart as number) && (string.byte(text, valueEnd) as number === 32 || string.byte(text, valueEnd) as number === 9)) valueEnd--;
        const byteOff = block.off - this.off + (valueStart as number) - 1;
        const byteLen = valueEnd - (valueStart as number) + 1;
        return makeField<string>(this, headerSpec(fieldName as string), byteOff, byteLen, 0, byteLen * 8);
      }
      pos = lineEnd + 2;
    }
    return false;
  }

  /** Content-Length as an integer, or undefined when absent or invalid. */
  content_length(): number | undefined {
    const f = this.header("content-length");
    if (f === false) return undefined;
    return toInteger(f.get());
  }
}

export class HttpBuffer extends ProtocolBuffer<HttpMessage> {
  override plainSegments = true;
  override hasProtocol(_seg: HttpMessage, target: ProtocolBuffer<ProtocolSegment>): boolean {
    return !target.builtin;
  }

  override computeLayout(seg: HttpMessage): Layout | false {
    const text = seg.buf.string(seg.off, seg.len);
    const lineEnd = string.find(text, "\r\n", 1, true)[0];
    if (lineEnd === undefined) return false;
    const layout = layoutOf(seg, 7);
    const { offsets, lengths } = layout;
    const line = string.sub(text, 1, lineEnd - 1);
    const [m1, m2, m3, m4] = string.match(line, "^(%u+) ()[^ ]+ ()(HTTP/%d%.%d)$");
    if (m1 !== undefined) {
      const uriStart = (m2 as unknown as number) - 1;
      const versionStart = (m3 as unknown as number) - 1;
      lengths[0] = (m1 as string).length * 8;
      offsets[1] = uriStart * 8;
      lengths[1] = (versionStart - 1 - uriStart) * 8;
      offsets[2] = versionStart * 8;
      lengths[2] = (m4 as string).length * 8;
    } else {
      const [version, statusStart, reasonStart] = string.match(line, "^(HTTP/%d%.%d) ()%d%d%d ?()");
      if (version === undefined) return false;
      lengths[2] = (version as string).length * 8;
      offsets[3] = ((statusStart as unknown as number) - 1) * 8;
      lengths[3] = 24;
      offsets[4] = ((reasonStart as unknown as number) - 1) * 8;
      lengths[4] = (lineEnd - (reasonStart as unknown as number)) * 8;
    }
    const headersStart = lineEnd + 1; // byte offset of the first header line
    offsets[5] = headersStart * 8;
    if (string.sub(text, lineEnd + 2, lineEnd + 3) === "\r\n") {
      // No headers: the empty line follows the start line.
      lengths[5] = 0;
      offsets[6] = (headersStart + 2) * 8;
      lengths[6] = (seg.len - headersStart - 2) * 8;
      return layout;
    }
    const blockEnd = string.find(text, "\r\n\r\n", lineEnd, true)[0];
    if (blockEnd === undefined) {
      lengths[5] = (seg.len - headersStart) * 8;
    } else {
      lengths[5] = (blockEnd - 1 - headersStart) * 8;
      offsets[6] = (blockEnd + 3) * 8;
      lengths[6] = (seg.len - blockEnd - 3) * 8;
    }
    return layout;
  }
}

export const packet_http = new HttpBuffer("packet_http", HttpMessage, HTTP_FIELDS, "body", 14);

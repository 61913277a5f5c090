// Option negotiation for hits (RFC 2347 OACK): blksize (RFC 2348), tsize and
// timeout (RFC 2349), windowsize (RFC 7440). The cache answers from stored
// bytes, so it grants what the client asks within its own limits, whatever
// the origin would have granted. Sans-I/O.

import { optionInteger } from "./tftp";

/** RFC 2348: valid block sizes. */
export const BLKSIZE_MIN = 8;
export const BLKSIZE_MAX = 65464;
/** RFC 1350's block size when no blksize option is agreed. */
export const DEFAULT_BLKSIZE = 512;

export interface Limits {
  /** Largest block size granted (a request above it is clamped to it; RFC 2348 lets the server answer smaller). */
  max_blksize: number;
  /** Largest window granted (RFC 7440 lets the server answer smaller). */
  max_windowsize: number;
  /** Retransmission timeout when the client asks none. */
  timeout_ms: number;
}

export interface Negotiated {
  blksize: number;
  windowsize: number;
  timeoutMs: number;
  /** The OACK's fields (name, value, ...), empty when no option was accepted: then DATA 1 answers the RRQ. */
  oack: string[];
}

/**
 * What to grant a client asking `options` for a file of `size` bytes.
 * Options we do not know, or whose value is invalid, are left out of the
 * OACK (RFC 2347: the server omits options it does not accept).
 */
export function negotiate(options: LuaTable<string, string>, size: number, limits: Limits): Negotiated {
  const result: Negotiated = { blksize: DEFAULT_BLKSIZE, windowsize: 1, timeoutMs: limits.timeout_ms, oack: [] };
  const fields = result.oack;
  // RFC 2348: 8..65464; larger requests are clamped ("the server may reply with a smaller value"), smaller ones ignored.
  const blksize = optionInteger(options.get("blksize"));
  if (blksize !== undefined && blksize >= BLKSIZE_MIN) {
    result.blksize = math.min(blksize, limits.max_blksize, BLKSIZE_MAX);
    fields.push("blksize", tostring(result.blksize));
  }
  // RFC 2349 §tsize: in a RRQ the client sends 0 and the server answers the size.
  if (optionInteger(options.get("tsize")) !== undefined) {
    fields.push("tsize", tostring(size));
  }
  // RFC 2349 §timeout: 1..255 seconds, echoed; the server retransmits after it.
  const timeout = optionInteger(options.get("timeout"));
  if (timeout !== undefined && timeout >= 1 && timeout <= 255) {
    result.timeoutMs = timeout * 1000;
    fields.push("timeout", tostring(timeout));
  }
  // RFC 7440 §3: 1..65535 blocks per window; we may answer a smaller one.
  const windowsize = optionInteger(options.get("windowsize"));
  if (windowsize !== undefined && windowsize >= 1 && windowsize <= 65535) {
    result.windowsize = math.min(windowsize, limits.max_windowsize);
    fields.push("windowsize", tostring(result.windowsize));
  }
  return result;
}

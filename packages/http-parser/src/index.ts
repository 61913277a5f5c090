// @kcache/http-parser: an incremental, strict HTTP/1.1 parser (llhttp's
// state machine) for Lua 5.4 and Lunatik.
import { MessageReader, type ReaderEvents } from "./collect";
import { type MessageKind, Parser, type ParserCallbacks, type ParserOptions } from "./parser";

export { Parser, type MessageKind, type ParserCallbacks, type ParserOptions, type SpanCallback } from "./parser";
export { Err, ERROR_NAMES, Flag, Finish, HeadersResult, METHODS, MAX_LENGTH, DEFAULT_MAX_HEADER_SIZE } from "./constants";
export { MessageReader, headerValue, parseHead, type HeaderField, type MessageHead, type ParsedHead, type ReaderEvents } from "./collect";
export { collectMessages, trace, traceChunks, traceSplits, type CollectedMessage, type CollectOptions, type TraceEvent, type TraceOptions, type SplitReport } from "./trace";

export const VERSION = "0.1.0";

/** For callers in plain Lua (TypeScript callers use `new Parser(...)`). */
export function newParser(kind: MessageKind, callbacks?: ParserCallbacks, options?: ParserOptions): Parser {
  return new Parser(kind, callbacks, options);
}

/** For callers in plain Lua (TypeScript callers use `new MessageReader(...)`). */
export function newReader(kind: MessageKind, events?: ReaderEvents, options?: ParserOptions): MessageReader {
  return new MessageReader(kind, events, options);
}
export { benchParse, benchReader } from "./bench";

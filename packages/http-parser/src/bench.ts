// The benchmark's Lua side: parse the same bytes again and again with one
// parser (pipelined messages on a keep-alive connection), every span
// callback set to a function that does nothing, as llhttp's own benchmark;
// whole header lines come through `headerLine` (one call a line, as a
// reader of fields would take them).
import { MessageReader } from "./collect";
import { Parser } from "./parser";

function noop(this: void): void {
  // A callback that does nothing: the parser's cost alone is measured.
}

/** Feeds `data` `iterations` times to `target.execute`, in pieces of `segment` bytes (0: whole); returns the first error code or 0. */
function feed(target: { execute(chunk: string): number }, data: string, iterations: number, segment: number): number {
  const pieces: string[] = [];
  if (segment > 0) {
    for (let i = 1; i <= data.length; i += segment) pieces.push(string.sub(data, i, i + segment - 1));
  } else {
    pieces.push(data);
  }
  for (let i = 0; i < iterations; i++) {
    for (let j = 0; j < pieces.length; j++) {
      const code = target.execute(pieces[j]!);
      if (code !== 0) return code;
    }
  }
  return 0;
}

/**
 * Parses `data` `iterations` times, in pieces of `segment` bytes (0: whole).
 * Returns how many messages completed (a check that the work was done) and the error code.
 */
export function benchParse(kind: "request" | "response", data: string, iterations: number, segment = 0): LuaMultiReturn<[number, number]> {
  let messages = 0;
  const parser = new Parser(kind, {
    messageBegin: noop, url: noop, status: noop, headerField: noop, headerValue: noop, headerLine: noop,
    headersComplete: noop, body: noop, chunkHeader: noop, chunkComplete: noop,
    messageComplete: () => {
      messages += 1;
    },
  }, { maxHeaderSize: 1 << 20 });
  const code = feed(parser, data, iterations, segment);
  return $multi(messages, code);
}

/** Same with the MessageReader (heads collected into tables, as the HTTP cache reads them). */
export function benchReader(kind: "request" | "response", data: string, iterations: number, segment = 0): LuaMultiReturn<[number, number]> {
  let messages = 0;
  const reader = new MessageReader(kind, {
    body: noop,
    complete: () => {
      messages += 1;
    },
  }, { maxHeaderSize: 1 << 20 });
  const code = feed(reader, data, iterations, segment);
  return $multi(messages, code);
}

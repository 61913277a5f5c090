// Reads llhttp's markdown test vectors (../shared/peer-tests/llhttp) and
// turns each case into an input and the events llhttp expects, normalized
// the way our trace reports them (spans merged, llhttp-only lines dropped).
// The input is rebuilt as llhttp's test/md-test.ts does.
import { readFileSync } from "node:fs";

export interface ExpectedEvent {
  e: string;
  off: number;
  data?: string; // latin1: one char per byte
  method?: number;
  status?: number;
  major?: number;
  minor?: number;
  flags?: number;
  length?: number;
  code?: number;
  reason?: string;
}

export interface VectorCase {
  file: string;
  line: number;
  name: string;
  type: string;
  meta: Record<string, unknown>;
  input: Buffer;
  expected: ExpectedEvent[];
}

/** md-test.ts: from the text of an ```http block to the bytes llhttp parses. */
export function decodeInput(block: string): Buffer {
  let input = block.replace(/\n$/, "");
  input = input.replace(/\\(\r\n|\r|\n)/g, "");
  input = input.replace(/\r\n|\r|\n/g, "\r\n");
  input = input.replace(/\\r/g, "\r");
  input = input.replace(/\\n/g, "\n");
  input = input.replace(/\\t/g, "\t");
  input = input.replace(/\\f/g, "\f");
  input = input.replace(/\\x([0-9a-fA-F]+)/g, (_all, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  input = input.replace(/\\([0-7]{1,3})/g, (_all, digits: string) => String.fromCharCode(parseInt(digits, 8)));
  if (/\$\{/.test(input)) throw new Error("inline JavaScript in a test vector is not supported");
  // The fixture passes the string as a C string: UTF-8.
  return Buffer.from(input, "utf8");
}

const latin1 = (utf8Text: string) => Buffer.from(utf8Text, "utf8").toString("latin1");

/** From llhttp's log lines to events, spans merged. */
export function decodeLog(block: string): ExpectedEvent[] {
  const events: ExpectedEvent[] = [];
  const text = block.replace(/\\t/g, "\t").replace(/\\f/g, "\f");
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const m = /^off=(\d+|NULL) (.*)$/.exec(line);
    if (!m) throw new Error(`unexpected log line: ${line}`);
    const off = m[1] === "NULL" ? -1 : Number(m[1]);
    const rest = m[2]!;
    let s: RegExpExecArray | null;
    if ((s = /^len=(\d+) span\[(\w+)\]=(.*)$/.exec(rest))) {
      const raw = s[3]!;
      const data = raw === "lf" ? "\n" : raw === "cr" ? "\r" : latin1(raw.slice(1, -1));
      const previous = events[events.length - 1];
      if (previous && previous.e === s[2] && previous.off + previous.data!.length === off) {
        previous.data += data;
      } else {
        events.push({ e: s[2]!, off, data });
      }
    } else if ((s = /^headers complete (method|status)=(\d+) v=(\d+)\/(\d+) flags=([0-9a-f]+) content_length=(\d+)$/.exec(rest))) {
      const ev: ExpectedEvent = { e: "headers complete", off, major: Number(s[3]), minor: Number(s[4]), flags: parseInt(s[5]!, 16), length: Number(s[6]) };
      if (s[1] === "method") ev.method = Number(s[2]);
      else ev.status = Number(s[2]);
      events.push(ev);
    } else if ((s = /^chunk header len=(\d+)$/.exec(rest))) {
      events.push({ e: "chunk header", off, length: Number(s[1]) });
    } else if ((s = /^error code=(\d+) reason="(.*)"$/.exec(rest))) {
      events.push({ e: "error", off, code: Number(s[1]), reason: s[2] });
    } else if ((s = /^finish=(\d+)$/.exec(rest))) {
      events.push({ e: "finish", off, code: Number(s[1]) });
    } else if (rest === "reset" || rest === "skip body") {
      // llhttp's own bookkeeping lines: no meaning for the message.
    } else {
      events.push({ e: rest, off });
    }
  }
  return events;
}

/** All cases of one markdown file. */
export function readVectors(path: string, file: string): VectorCase[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const cases: VectorCase[] = [];
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const h = /^#+\s+(.*)$/.exec(line);
    if (h) heading = h[1]!.trim();
    else if (i + 1 < lines.length && /^[=-]{3,}$/.test(lines[i + 1]!) && line.trim() !== "") heading = line.trim();
    const m = /^<!-- meta=(.*) -->\s*$/.exec(line);
    if (!m) continue;
    const meta = JSON.parse(m[1]!) as Record<string, unknown>;
    const blocks: Record<string, string> = {};
    let j = i + 1;
    while (j < lines.length && !(blocks.http !== undefined && blocks.log !== undefined)) {
      const open = /^```(\w+)\s*$/.exec(lines[j]!);
      if (open) {
        const body: string[] = [];
        j++;
        while (j < lines.length && !/^```\s*$/.test(lines[j]!)) body.push(lines[j++]!);
        blocks[open[1]!] = body.map((l) => `${l}\n`).join("");
      } else if (/^<!-- meta=/.test(lines[j]!)) {
        break;
      }
      j++;
    }
    if (blocks.http === undefined || blocks.log === undefined) throw new Error(`${file}:${i + 1}: case without http and log blocks`);
    cases.push({
      file, line: i + 1, name: heading, type: String(meta.type), meta,
      input: decodeInput(blocks.http), expected: decodeLog(blocks.log),
    });
  }
  return cases;
}

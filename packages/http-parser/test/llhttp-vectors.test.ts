// llhttp's own test vectors (../shared/peer-tests/llhttp), run against the
// compiled Lua parser in the engine's Lua. Each input is fed whole, split
// in two at every byte position, and byte by byte: every split must give
// the log of the whole input, and that log must be llhttp's (method, URL,
// version, status, headers, body bytes, message boundaries, flags, content
// length, and for rejections the error code and offset), with llhttp's
// offsets. Cases that need llhttp-only switches are skipped with a reason.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "@kcache/kmod";
import { type ExpectedEvent, type VectorCase, readVectors } from "./llhttp-md.ts";
import { asList, engineWithBundle, type LuaEvent, type SplitReport } from "./bundle.ts";

const ROOT = fileURLToPath(new URL("../../../../shared/peer-tests/llhttp/", import.meta.url));

/** Types of llhttp's test fixture we run: the strict parser, with or without a finish check. */
const SUPPORTED_TYPES = new Set(["request", "response", "request-finish", "response-finish"]);

/**
 * Where we differ from llhttp on purpose. The outcome (rejection, error
 * code) must still match; the offset may be earlier.
 */
const DEVIATIONS: Record<string, string> = {
  "request/content-length.md:77":
    "Content-Length is limited to 2^53-1 (integers exact everywhere), llhttp's to 2^64-1: the overflow is found at the 17th digit, not the 22nd",
};

function skipReason(c: VectorCase): string | undefined {
  if (c.meta.pause) return `llhttp-only switch: pause on ${String(c.meta.pause)}`;
  if (!SUPPORTED_TYPES.has(c.type)) return `llhttp-only switch: lenient flags (type "${c.type}")`;
  return undefined;
}

/** Our event in llhttp's shape: requests report a method, responses a status. */
function normalize(ev: LuaEvent, isRequest: boolean): ExpectedEvent {
  const out: ExpectedEvent = { e: ev.e, off: ev.e === "finish" ? -1 : ev.off };
  if (ev.data !== undefined) out.data = ev.data;
  if (ev.e === "headers complete") {
    if (isRequest) out.method = ev.method;
    else out.status = ev.status;
    Object.assign(out, { major: ev.major, minor: ev.minor, flags: ev.flags, length: ev.length });
  }
  if (ev.e === "chunk header") out.length = ev.length;
  if (ev.e === "error" || ev.e === "finish") out.code = ev.code;
  if (ev.e === "error") out.reason = ev.reason;
  return out;
}

interface FileStats { ran: number; passed: number; skipped: number; splits: number; reasons: Map<string, number> }
const stats = new Map<string, FileStats>();

let engine: Engine;
beforeAll(() => {
  engine = engineWithBundle();
});
afterAll(() => {
  engine?.close();
  const lines = ["llhttp vectors: ran / passed / skipped (splits compared)"];
  for (const [file, s] of stats) {
    lines.push(`  ${file.padEnd(32)} ${String(s.ran).padStart(3)} / ${String(s.passed).padStart(3)} / ${String(s.skipped).padStart(2)}   (${s.splits})`);
    for (const [reason, count] of s.reasons) lines.push(`      skipped ${count}: ${reason}`);
  }
  const total = [...stats.values()].reduce((a, s) => ({ ran: a.ran + s.ran, passed: a.passed + s.passed, skipped: a.skipped + s.skipped }), { ran: 0, passed: 0, skipped: 0 });
  lines.push(`  ${"total".padEnd(32)} ${String(total.ran).padStart(3)} / ${String(total.passed).padStart(3)} / ${String(total.skipped).padStart(2)}`);
  console.log(lines.join("\n"));
});

for (const dir of ["request", "response"]) {
  for (const name of readdirSync(`${ROOT}${dir}`).filter((f) => f.endsWith(".md")).sort()) {
    const file = `${dir}/${name}`;
    const cases = readVectors(`${ROOT}${file}`, file);
    const s: FileStats = { ran: 0, passed: 0, skipped: 0, splits: 0, reasons: new Map() };
    stats.set(file, s);
    describe(`llhttp ${file}`, () => {
      for (const c of cases) {
        const title = `${c.name} (${file}:${c.line})`;
        const reason = skipReason(c);
        if (reason !== undefined) {
          s.skipped += 1;
          s.reasons.set(reason, (s.reasons.get(reason) ?? 0) + 1);
          it.skip(`${title} — skipped: ${reason}`, () => {});
          continue;
        }
        s.ran += 1;
        it(title, () => {
          const isRequest = c.type.startsWith("request");
          const [report] = engine.call(0, "traceSplits", [
            isRequest ? "request" : "response",
            c.input,
            { skipBody: c.meta.skipBody === true, logFinish: c.type.endsWith("-finish") },
          ]) as [SplitReport];
          expect(engine.takeLogs()).toEqual([]);
          s.splits += report.runs;
          // Same events for every split (whole, 2 chunks at each position, byte by byte).
          expect(asList(report.differing), "splits whose events differ from the whole input").toEqual([]);
          expect(report.runs).toBe(c.input.length + 1);
          const got = report.events.map((ev) => normalize(ev, isRequest));
          const deviation = DEVIATIONS[`${file}:${c.line}`];
          if (deviation === undefined) {
            expect(got).toEqual(c.expected);
          } else {
            // Same outcome, earlier place: compare up to the span that differs, then the error.
            const want = c.expected;
            const lastGot = got[got.length - 1]!;
            const lastWant = want[want.length - 1]!;
            expect(lastGot.e).toBe("error");
            expect(lastGot.code).toBe(lastWant.code);
            expect(lastGot.reason).toBe(lastWant.reason);
            expect(lastGot.off).toBeLessThanOrEqual(lastWant.off);
            expect(got.slice(0, -2)).toEqual(want.slice(0, -2));
          }
          s.passed += 1;
        });
      }
    });
  }
}

// Machine instructions per message of the parser in the engine, counted by
// callgrind (a figure the machine's load does not change, unlike times):
// each input runs twice through bench/engine-call.ts under
// `valgrind --tool=callgrind --toggle-collect=kc_context_call`, with many
// and with few iterations; the difference over the difference of the
// iterations cancels loading. Needs valgrind (apt-get install valgrind).
// Usage (from packages/http-parser): tsx bench/callgrind.ts [BUNDLE] [INPUT...]
//   INPUT: request, response, chunked, chunked-1448, reader-request, reader-response (default: all)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { REQUEST, RESPONSE, chunkedMiB } from "./inputs.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const bundle = resolve(args[0]?.endsWith(".lua") ? args.shift()! : join(HERE, "../dist/http-parser.lua"));

interface Count { name: string; kind: "request" | "response"; bytes: string; segment: number; fn: string; many: number; few: number }
const INPUTS: Count[] = [
  { name: "request", kind: "request", bytes: REQUEST, segment: 0, fn: "benchParse", many: 1200, few: 200 },
  { name: "response", kind: "response", bytes: RESPONSE, segment: 0, fn: "benchParse", many: 1200, few: 200 },
  { name: "chunked", kind: "response", bytes: chunkedMiB(), segment: 0, fn: "benchParse", many: 12, few: 2 },
  { name: "chunked-1448", kind: "response", bytes: chunkedMiB(), segment: 1448, fn: "benchParse", many: 12, few: 2 },
  { name: "reader-request", kind: "request", bytes: REQUEST, segment: 0, fn: "benchReader", many: 1200, few: 200 },
  { name: "reader-response", kind: "response", bytes: RESPONSE, segment: 0, fn: "benchReader", many: 1200, few: 200 },
];

const work = mkdtempSync(join(tmpdir(), "http-parser-callgrind-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

/** Instructions callgrind counted inside kc_context_call for one run. */
function instructions(input: Count, file: string, iterations: number): number {
  const out = join(work, `${input.name}-${iterations}.out`);
  execFileSync("valgrind", [
    "--tool=callgrind", `--callgrind-out-file=${out}`, "--toggle-collect=kc_context_call",
    "node", "--import", "tsx", join(HERE, "engine-call.ts"), bundle, input.kind, file, String(iterations), String(input.segment), input.fn,
  ], { stdio: ["ignore", "ignore", "pipe"] });
  const totals = /^totals:\s+(\d+)/m.exec(readFileSync(out, "utf8"));
  if (!totals) throw new Error(`no totals in ${out}`);
  return Number(totals[1]);
}

const chosen = args.length > 0 ? INPUTS.filter((i) => args.includes(i.name)) : INPUTS;
for (const input of chosen) {
  const file = join(work, input.name);
  writeFileSync(file, Buffer.from(input.bytes, "latin1"));
  const perMessage = (instructions(input, file, input.many) - instructions(input, file, input.few)) / (input.many - input.few);
  console.log(`${input.name.padEnd(16)} ${(perMessage / 1000).toFixed(1).padStart(8)}k instructions per message`);
}

// The integer check: Lunatik runs Lua with integer-only numbers, so a shipped
// bundle must not contain float arithmetic. We read the compiled bytecode
// (`luac5.4 -l -l`), not the TypeScript, because that is what actually runs.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { SourceMapConsumer, type RawSourceMap } from "source-map";

export interface FloatFinding {
  /** Line in the Lua bundle. */
  luaLine: number;
  /** What was found, e.g. `float division (DIV)`. */
  what: string;
  /** The TypeScript position it came from, when the source map knows it. */
  source?: { file: string; line: number };
}

/** Opcodes that always produce floats in Lua 5.4. */
const FLOAT_OPCODES: Record<string, string> = {
  DIV: "float division '/'",
  DIVK: "float division '/'",
  POW: "power '^' (always a float)",
  POWK: "power '^' (always a float)",
  LOADF: "float constant",
};

/** Members of `math` that are floats or return floats whatever their arguments. */
const FLOAT_MATH = new Set([
  "sqrt", "sin", "cos", "tan", "asin", "acos", "atan", "exp", "log", "pi", "huge", "modf",
]);

const INSTRUCTION = /^\s+\d+\s+\[(\d+)\]\s+(\w+)\s+([^;]*?)\s*(?:;\s*(.*))?$/;
const FUNCTION_HEADER = /^(?:main|function) <[^:]+:(\d+),(\d+)>/;
const CONSTANT = /^\s+(\d+)\s+F\s+(\S+)/;

interface ParsedFunction {
  firstLine: number;
  instructions: { line: number; op: string; args: string; comment: string }[];
  floatConstants: string[];
}

function parseListing(listing: string): ParsedFunction[] {
  const functions: ParsedFunction[] = [];
  let current: ParsedFunction | undefined;
  let inConstants = false;
  for (const text of listing.split("\n")) {
    const header = FUNCTION_HEADER.exec(text);
    if (header) {
      current = { firstLine: Number(header[1]), instructions: [], floatConstants: [] };
      functions.push(current);
      inConstants = false;
      continue;
    }
    if (!current) continue;
    if (/^constants \(/.test(text)) { inConstants = true; continue; }
    if (/^(locals|upvalues) \(/.test(text)) { inConstants = false; continue; }
    if (inConstants) {
      const constant = CONSTANT.exec(text);
      if (constant) current.floatConstants.push(constant[2]!);
      continue;
    }
    const ins = INSTRUCTION.exec(text);
    if (ins) {
      current.instructions.push({ line: Number(ins[1]), op: ins[2]!, args: ins[3]!, comment: ins[4] ?? "" });
    }
  }
  return functions;
}

/** Finds float arithmetic in a `luac -l -l` listing. Lines are those of the Lua source. */
export function findFloatsInListing(listing: string): FloatFinding[] {
  const findings: FloatFinding[] = [];
  for (const fn of parseListing(listing)) {
    const floats = new Set(fn.floatConstants);
    const reportedConstants = new Set<string>();
    fn.instructions.forEach((ins, i) => {
      const opcodeProblem = FLOAT_OPCODES[ins.op];
      if (opcodeProblem) findings.push({ luaLine: ins.line, what: `${opcodeProblem} (${ins.op})` });
      for (const token of ins.comment.split(/\s+/)) {
        if (floats.has(token) && !reportedConstants.has(token)) {
          reportedConstants.add(token);
          findings.push({ luaLine: ins.line, what: `float constant ${token}` });
        }
      }
      if (ins.op === "GETFIELD") {
        const member = /^"(\w+)"$/.exec(ins.comment.trim())?.[1];
        const previous = fn.instructions[i - 1];
        const target = ins.args.split(/\s+/)[1];
        if (
          member && FLOAT_MATH.has(member) && previous?.op === "GETTABUP" &&
          previous.comment.includes('"math"') && previous.args.split(/\s+/)[0] === target
        ) {
          findings.push({ luaLine: ins.line, what: `math.${member} (returns a float)` });
        }
      }
    });
    for (const constant of floats) {
      if (!reportedConstants.has(constant)) {
        findings.push({ luaLine: fn.firstLine, what: `float constant ${constant}` });
      }
    }
  }
  return findings.sort((a, b) => a.luaLine - b.luaLine);
}

export function luacListing(luaFile: string): string {
  return execFileSync("luac5.4", ["-l", "-l", "-p", luaFile], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

async function withSourceMap<T>(mapFile: string, use: (map: SourceMapConsumer | undefined) => T): Promise<T> {
  if (!existsSync(mapFile)) return use(undefined);
  const raw = JSON.parse(readFileSync(mapFile, "utf8")) as RawSourceMap;
  return SourceMapConsumer.with(raw, null, use);
}

/** Maps a Lua line back through the bundle's source map, and on through a library's map when it leads to Lua. */
async function originalPosition(luaFile: string, line: number, depth = 0): Promise<{ file: string; line: number } | undefined> {
  const mapFile = `${luaFile}.map`;
  const found = await withSourceMap(mapFile, (map) => {
    if (!map) return undefined;
    for (let column = 0; column < 400; column++) {
      const pos = map.originalPositionFor({ line, column, bias: SourceMapConsumer.LEAST_UPPER_BOUND });
      if (pos.source && pos.line) return { file: resolve(dirname(luaFile), pos.source), line: pos.line };
    }
    return undefined;
  });
  if (found && found.file.endsWith(".lua") && depth < 3) {
    return (await originalPosition(found.file, found.line, depth + 1)) ?? found;
  }
  return found;
}

/** Checks a compiled Lua file; returns findings mapped to TypeScript where the maps allow. */
export async function checkIntegerOnly(luaFile: string): Promise<FloatFinding[]> {
  const findings = findFloatsInListing(luacListing(luaFile));
  for (const finding of findings) {
    finding.source = await originalPosition(luaFile, finding.luaLine);
  }
  return findings;
}

export function formatFinding(luaFile: string, finding: FloatFinding): string {
  const where = finding.source ? `${finding.source.file}:${finding.source.line}` : `${luaFile}:${finding.luaLine}`;
  return `${where}: ${finding.what} (Lua line ${finding.luaLine}); use '//' (TSTL floor division) and integers only`;
}

// One call of a bench function in the engine, for counting machine
// instructions per message with callgrind (a figure the machine's load does
// not change). See README.md (Speed) for the command; run it with two
// iteration counts and divide the difference, which cancels the loading.
// Usage: tsx bench/engine-call.ts BUNDLE request|response FILE ITERATIONS SEGMENT [benchParse|benchReader]
import { readFileSync } from "node:fs";
import { Engine } from "@kcache/kmod";

const [bundle, kind, file, iterations, segment, fn] = process.argv.slice(2);
if (bundle === undefined || kind === undefined || file === undefined || iterations === undefined || segment === undefined) {
  throw new Error("usage: engine-call.ts BUNDLE request|response FILE ITERATIONS SEGMENT [FUNCTION]");
}
const engine = Engine.sim({ seed: 1 });
engine.loadScript(0, bundle);
engine.setBudgets(0, { instructions: 0, timeMs: 600_000, memoryBytes: 1 << 30 });
const [messages, code] = engine.call(0, fn ?? "benchParse", [kind, readFileSync(file), Number(iterations), Number(segment)]) as [number, number];
console.log(`${messages} messages, code ${code}`);
engine.close();

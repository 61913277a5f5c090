// tcp-stack benchmark on the engine's sim backend (no root, no network):
// 1. the Lua cost per segment sent and received (bench.ts in the bundle),
//    with and without segmentation offload units: CPU time, and Lua VM
//    instructions counted in plain lua5.4 (bench/instructions.lua), which
//    do not depend on the machine's load;
// 2. loopback transfers (two sockets of the stack on a simulated 1 Gbit/s
//    link): virtual transfer time and the CPU time the stack took.
// Run: npx nx run tcp-stack:bench (after the build).
import { Engine, type Budgets } from "@kcache/kmod";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const bundle = join(dirname(fileURLToPath(import.meta.url)), "../dist/tcp-stack.lua");
if (!existsSync(bundle)) throw new Error(`${bundle} missing: build first`);
const engine = Engine.sim({ seed: 1 });
engine.loadScript(0, bundle);
/** The engine's default since the watchdog: a time budget, no per-instruction hook. */
const WATCHDOG = { instructions: 0, timeMs: 600_000, memoryBytes: 1024 * 1024 * 1024 };
/** An instruction budget: Lua's count hook runs on every instruction (what the engine did before). */
const COUNT_HOOK = { instructions: 2_000_000_000, memoryBytes: 1024 * 1024 * 1024 };

/** CPU time of the process in ms (the engine runs Lua on this thread; robust on a shared machine). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function best<T>(runs: number, f: () => [number, T]): [number, T] {
  let result: [number, T] | undefined;
  for (let i = 0; i < runs; i++) {
    const r = f();
    if (!result || r[0] < result[0]) result = r;
  }
  return result!;
}

console.log("tcp-stack benchmark (engine sim backend)\n");
/** Lua VM instructions per segment, from a count hook in plain lua5.4. */
function instructions(kind: string, offload: number): number {
  const script = join(dirname(fileURLToPath(import.meta.url)), "instructions.lua");
  const r = spawnSync("lua5.4", [script, bundle, kind, "5000", String(offload)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`instructions.lua: ${r.stderr}`);
  const [count, segments] = r.stdout.trim().split(" ").map(Number);
  return count! / segments!;
}

console.log("Lua CPU time per segment (best of 3, 20000 MSS-sized segments, timestamps on), and Lua VM instructions per segment:");
console.log(`  ${"".padEnd(40)} ${"watchdog".padStart(9)} ${"count hook".padStart(11)} ${"instructions".padStart(13)}`);
const cases: [string, string, Record<string, unknown>][] = [
  ["send, one MSS per segment", "send", {}],
  ["send, 64 KiB offload units (per MSS)", "send", { segmentOffloadBytes: 65536 }],
  ["receive (parse, checksum, ACK)", "receive", {}],
];
for (const [label, kind, config] of cases) {
  const perSegment = (budgets: Budgets): number => {
    engine.setBudgets(0, budgets);
    return best(3, () => {
      engine.call(0, "tcp_bench_prepare", [kind, 20000, config]);
      const t = cpuMs();
      const [n] = engine.call(0, "tcp_bench_run", []) as number[];
      return [((cpuMs() - t) * 1000) / n!, n!];
    })[0];
  };
  const [watchdog, hooked] = [perSegment(WATCHDOG), perSegment(COUNT_HOOK)];
  const counted = instructions(kind, (config.segmentOffloadBytes as number | undefined) ?? 0);
  console.log(`  ${label.padEnd(40)} ${watchdog.toFixed(2).padStart(9)} ${hooked.toFixed(2).padStart(11)} ${counted.toFixed(0).padStart(13)}  (µs, µs, instructions per segment)`);
}
engine.setBudgets(0, WATCHDOG);

console.log("\nLoopback transfers (1 Gbit/s simulated link, 100 µs one-way delay; both endpoints are tcp-stack):");
console.log(`  ${"size".padEnd(8)} ${"loss".padEnd(5)} ${"virtual ms".padStart(11)} ${"CPU ms".padStart(8)} ${"CPU Mbit/s".padStart(11)} ${"retrans".padStart(8)} ok`);
for (const bytes of [1024, 1 << 20, 32 << 20]) {
  for (const lossPpm of [0, 10_000]) {
    const [ms, r] = best(bytes > 1 << 20 ? 1 : 3, () => {
      const t = cpuMs();
      const [res] = engine.call(0, "tcp_loopback_transfer", [{ bytes, lossPpm, delayUs: 100, seed: 11 }]);
      return [cpuMs() - t, res as Record<string, number | boolean>];
    });
    const size = bytes >= 1 << 20 ? `${bytes >> 20} MiB` : `${bytes >> 10} KiB`;
    const cpuMbps = (bytes * 8) / (ms * 1000);
    console.log(`  ${size.padEnd(8)} ${`${lossPpm / 10_000}%`.padEnd(5)} ${((r.time_us as number) / 1000).toFixed(1).padStart(11)} ${ms.toFixed(1).padStart(8)} ${cpuMbps.toFixed(0).padStart(11)} ${String(r.retransmits).padStart(8)} ${r.ok}`);
  }
}
console.log("\n(CPU ms covers both endpoints, the simulated link and the byte check, all in one Lua state.)");
engine.close();

// npx nx run tftp-bench:bench [-- --quick | --sizes 1k,1M --runs 5 --clients atftp --delays 0,20]
// Root only: builds a netlab topology, measures, prints tables and targets,
// writes CSV and plots under --out (default results/), tears everything down.
import { progress, renderTable } from "@kcache/bench-kit";
import { formatSize, withLab } from "@kcache/netlab";
import { CACHE_BUSY_POLL, measure } from "./measure.ts";
import { UsageExit, parseOptions } from "./options.ts";
import { checkTargets, renderTables, summarizeCells, writeOutputs } from "./report.ts";

let options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageExit)) throw error;
  (error.code ? console.error : console.log)(error.message);
  process.exit(error.code);
}
if (process.getuid?.() !== 0) {
  console.error("tftp-bench: needs root (network namespaces, iptables, NFQUEUE)");
  process.exit(1);
}

const steps = options.delaysMs.length * options.clients.length * options.sizes.length * options.runs * options.columns.length;
console.log(`tftp-bench: ${options.sizes.length} sizes (${options.sizes.map(formatSize).join(", ")}), ${options.runs} run(s), clients ${options.clients.join(", ")}, origin delay ${options.delaysMs.join(" and ")} ms each way`);
console.log(`the cache's engine: kmod run ${CACHE_BUSY_POLL.join(" ")} (adaptive: it spins after sending DATA or letting a packet go on, while the next packets come within that on average)`);
console.log(`columns timed in turns, run by run, one engine per client and two delays; with a delay, the columns that wait on the origin skip sizes predicted (linearly) to take over ${options.cellLimitMs / 1000} s, and stop at a run over ${(4 * options.cellLimitMs) / 1000} s; skipped cache misses are filled without delay so hits are still measured`);
const started = Date.now();
const bar = progress(steps, "tftp-bench");
const results = await withLab((lab) => measure(lab, options, (label) => bar.step(label)));
bar.stop();

const cells = summarizeCells(results);
console.log(renderTables(cells, options));
if (results.skips.length) {
  console.log("\nskipped (too slow at this delay):");
  const ranges = new Map<string, number[]>();
  for (const s of results.skips) {
    const k = `${s.client}, ${s.delayMs} ms, ${s.column} (${s.reason})`;
    ranges.set(k, [...(ranges.get(k) ?? []), s.size]);
  }
  for (const [k, sizes] of ranges) console.log(`  ${k}: skipped ${sizes.map(formatSize).join(", ")}`);
}
console.log("\nthe engine during the hits of each client's largest size (kmod stats; Lua time includes the sends' system calls):");
console.log(renderTable(["client", "delay", "size", "hits", "packets in", "sends", "DATA sent", "GSO sends", "Lua µs / packet in", "Lua µs / DATA"],
  results.profiles.map((p) => [p.client, `${p.delayMs} ms`, formatSize(p.size), String(p.storeHits), String(p.packetsIn), String(p.packetsSent),
    String(p.dataSent), String(p.gsoSends), (p.luaUs / Math.max(1, p.packetsIn)).toFixed(2), (p.luaUs / Math.max(1, p.dataSent)).toFixed(2)])));
const verdicts = checkTargets(cells, results, options);
console.log("\ntargets (minimums of the runs):");
console.log(renderTable(["target", "client", "met", "detail"], verdicts.map((v) => [v.target, v.client, v.ok ? "yes" : "NO", v.detail])));
const written = await writeOutputs(results, cells, options);
console.log(`\nwritten:\n  ${written.join("\n  ")}`);
if (results.failures.length) {
  console.log(`\n${results.failures.length} download(s) failed:`);
  for (const f of results.failures) console.log(`  ${f.client} ${f.delayMs} ms ${f.column} ${formatSize(f.size)} #${f.run + 1}: ${f.error}`);
}
console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(results.failures.length ? 1 : 0);

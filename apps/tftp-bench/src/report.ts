// What the benchmark prints and writes: per-cell summaries (CSV), the raw
// runs (CSV), plots like the thesis' Figure 4.4, the ratios, and the targets.
import { join } from "node:path";
import { formatMs, lineSpec, ratio, renderTable, summarize, writeCsv, writePlot, type Summary } from "@kcache/bench-kit";
import { formatSize, type TftpClient } from "@kcache/netlab";
import { CLIENT_OPTIONS, type BenchOptions } from "./options.ts";
import type { Column } from "./columns.ts";
import type { Results } from "./measure.ts";

/** Files up to this size go on the "small files" plot, larger ones on the "large files" plot. */
const SMALL_MAX = 32 * 1024;

type Cells = Map<string, Summary>;
const key = (client: TftpClient, delayMs: number, column: Column, size: number) => `${client}|${delayMs}|${column}|${size}`;

export function summarizeCells(results: Results): Cells {
  const groups = new Map<string, number[]>();
  for (const s of results.samples) {
    const k = key(s.client, s.delayMs, s.column, s.size);
    groups.set(k, [...(groups.get(k) ?? []), s.ms]);
  }
  return new Map([...groups].map(([k, v]) => [k, summarize(v)]));
}

export function clientLabel(client: TftpClient): string {
  const o = CLIENT_OPTIONS[client];
  return `${client} (blksize ${o.blksize ?? 512}${o.windowsize ? `, windowsize ${o.windowsize}` : ""})`;
}

export async function writeOutputs(results: Results, cells: Cells, options: BenchOptions): Promise<string[]> {
  const written: string[] = [];
  const summaryCsv = join(options.outDir, "tftp-bench.csv");
  writeCsv(summaryCsv, [...cells].map(([k, s]) => {
    const [client, delayMs, column, size] = k.split("|");
    return { client, delay_ms: delayMs, column, size_bytes: size, runs: s.n, min_ms: s.min.toFixed(3), median_ms: s.median.toFixed(3), mean_ms: s.mean.toFixed(3), max_ms: s.max.toFixed(3), stddev_ms: s.stddev.toFixed(3) };
  }));
  const runsCsv = join(options.outDir, "tftp-bench-runs.csv");
  writeCsv(runsCsv, results.samples.map((s) => ({ client: s.client, delay_ms: s.delayMs, column: s.column, size_bytes: s.size, run: s.run + 1, ms: s.ms.toFixed(3) })));
  written.push(summaryCsv, runsCsv);
  for (const delayMs of options.delaysMs) {
    for (const client of options.clients) {
      for (const [part, inPart] of [["small", (size: number) => size <= SMALL_MAX], ["large", (size: number) => size >= SMALL_MAX]] as const) {
        const points = options.columns.flatMap((column) => options.sizes.filter(inPart).flatMap((size) => {
          const s = cells.get(key(client, delayMs, column, size));
          return s ? [{ x: size, y: s.mean, series: column }] : [];
        }));
        if (points.length === 0) continue;
        const base = join(options.outDir, `tftp-${client}-${delayMs}ms-${part}`);
        const plot = await writePlot(base, lineSpec({
          title: `${clientLabel(client)}, origin ${delayMs} ms each way: ${part} files (mean of runs)`,
          points, xTitle: "file size (bytes)", yTitle: "download time (ms)", logX: true, logY: part === "large",
        }));
        written.push(plot.svg, plot.png);
      }
    }
  }
  return written;
}

/** One table per client and delay: the minimum of each column, and the ratios. */
export function renderTables(cells: Cells, options: BenchOptions): string {
  const out: string[] = [];
  const min = (client: TftpClient, d: number, c: Column, size: number) => cells.get(key(client, d, c, size))?.min;
  const show = (s: Summary | undefined) => (s ? `${formatMs(s.min)} ±${formatMs(s.stddev)}` : "-");
  for (const delayMs of options.delaysMs) {
    for (const client of options.clients) {
      out.push(`\n${clientLabel(client)}, origin ${delayMs} ms each way — minimum ± standard deviation of ${options.runs} run(s)`);
      out.push(renderTable(
        ["size", ...options.columns, "hit / direct", "hit / router tftpd"],
        options.sizes.map((size) => {
          const hit = min(client, delayMs, "cache hit", size);
          const direct = min(client, delayMs, "origin direct", size);
          const local = min(client, delayMs, "tftpd-hpa on the router", size);
          return [
            formatSize(size), ...options.columns.map((c) => show(cells.get(key(client, delayMs, c, size)))),
            hit !== undefined && direct !== undefined ? ratio(hit, direct) : "-",
            hit !== undefined && local !== undefined ? ratio(hit, local) : "-",
          ];
        }),
      ));
    }
  }
  return out.join("\n");
}

export interface Verdict { target: string; client: TftpClient; ok: boolean; detail: string }

/**
 * The hit's time over origin direct's within each run (the two are measured
 * moments apart): their median, and in how many runs the hit was faster. Where
 * two minimums differ by less than the noise, this says which way it leans.
 */
function pairedRuns(results: Results, client: TftpClient, size: number): string {
  const runsOf = (column: Column) => new Map(results.samples
    .filter((s) => s.client === client && s.delayMs === 0 && s.size === size && s.column === column).map((s) => [s.run, s.ms]));
  const direct = runsOf("origin direct");
  const ratios = [...runsOf("cache hit")].flatMap(([run, ms]) => (direct.has(run) ? [ms / direct.get(run)!] : []));
  if (ratios.length === 0) return "no paired runs";
  const wins = ratios.filter((r) => r < 1).length;
  return `paired runs: median ${summarize(ratios).median.toFixed(2)}x, hit faster in ${wins}/${ratios.length}`;
}

/** The issue's targets, on minimums of the runs. */
export function checkTargets(cells: Cells, results: Results, options: BenchOptions): Verdict[] {
  const verdicts: Verdict[] = [];
  const min = (client: TftpClient, d: number, c: Column, size: number) => cells.get(key(client, d, c, size))?.min;
  const delayed = options.delaysMs.filter((d) => d > 0);
  for (const client of options.clients) {
    if (options.delaysMs.includes(0)) {
      const worse = options.sizes.flatMap((size) => {
        const hit = min(client, 0, "cache hit", size), direct = min(client, 0, "origin direct", size);
        return hit === undefined || direct === undefined || hit >= direct ? [{ size, hit, direct }] : [];
      });
      const detail = worse.map(({ size, hit, direct }) =>
        `${formatSize(size)} (${hit !== undefined && direct !== undefined ? ratio(hit, direct) : "not measured"}; ${pairedRuns(results, client, size)})`);
      verdicts.push({ target: "hit faster than origin direct at every size (0 ms)", client, ok: worse.length === 0, detail: worse.length ? `not at ${detail.join(", ")}` : "every size" });
    }
    for (const d of delayed) {
      const far = options.sizes.filter((size) => {
        const hit = min(client, d, "cache hit", size), near = min(client, 0, "cache hit", size);
        return hit === undefined || near === undefined || hit > near * 1.1;
      });
      verdicts.push({ target: `hit with ${d} ms within 10% of its 0 ms time`, client, ok: far.length === 0, detail: far.length ? `not at ${far.map(formatSize).join(", ")}` : "every size" });
    }
  }
  if (options.clients.includes("atftp") && options.delaysMs.includes(0)) {
    const large = options.sizes.filter((s) => s >= 8 * 1024 ** 2);
    const speedups = large.map((size) => {
      const hit = min("atftp", 0, "cache hit", size), direct = min("atftp", 0, "origin direct", size);
      return { size, x: hit && direct ? direct / hit : 0 };
    });
    verdicts.push({
      target: "atftp (blksize 1468, windowsize 16) hit ≥ 4x faster than tftpd-hpa direct, files ≥ 8 MiB (0 ms)", client: "atftp",
      ok: large.length > 0 && speedups.every((s) => s.x >= 4),
      detail: large.length ? speedups.map((s) => `${formatSize(s.size)}: ${s.x.toFixed(2)}x`).join(", ") : "no size ≥ 8 MiB measured",
    });
  }
  return verdicts;
}

// The NFQUEUE benchmark: UDP packets/s forwarded by the router of a netlab
// topology, and ping round trips, with (a) no queue, (b) a bare C NFQUEUE
// reader, (c) kmod with a trivial accepting Lua hook, (d) kmod with a hook
// reading IP and UDP headers. Floods are bounded in time (iperf3 -t) and go
// from the client to the origin only.
//   npx nx run packet-path:bench [-- --seconds 3 --runs 3 --length 64]
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { barSpec, progress, renderTable, writeCsv, writePlot } from "@kcache/bench-kit";
import { ADDR, Lab, sleep, startKmod } from "@kcache/netlab";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "3" }, runs: { type: "string", default: "3" }, length: { type: "string", default: "64" } },
});
const seconds = Number(values.seconds), runs = Number(values.runs), length = Number(values.length);
if (!(seconds > 0 && seconds <= 30 && runs >= 1 && runs <= 10 && length >= 16 && length <= 1400)) {
  console.error("bench: --seconds 1..30, --runs 1..10, --length 16..1400");
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error("bench: needs root (network namespaces, iptables, NFQUEUE)");
  process.exit(2);
}

const here = fileURLToPath(new URL(".", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "kcache-bench-"));
const bareReader = join(work, "bare_reader");
const libs = execFileSync("pkg-config", ["--libs", "libnetfilter_queue", "libmnl"], { encoding: "utf8" }).trim().split(/\s+/);
execFileSync("gcc", ["-O2", "-Wall", "-Werror", "-o", bareReader, join(here, "bare_reader.c"), ...libs]);

interface Result { pps: number[]; rttMs: number[] }

async function flood(lab: Lab): Promise<number> {
  const server = lab.spawnDaemon("origin", "iperf3", ["-s", "-1", "-B", ADDR.origin], { what: `iperf3-${Date.now()}` });
  await sleep(300);
  const r = await lab.exec("client", "iperf3", ["-c", ADDR.origin, "-u", "-b", "0", "-l", String(length), "-t", String(seconds), "--json"], { timeoutMs: (seconds + 20) * 1000 });
  lab.stopDaemon(server);
  const json = JSON.parse(r.stdout) as { end?: { sum?: { packets: number; lost_packets: number; seconds: number } }; error?: string };
  const sum = json.end?.sum;
  if (!sum) throw new Error(`iperf3: ${json.error ?? r.stderr}`);
  return (sum.packets - sum.lost_packets) / sum.seconds;
}

async function rtt(lab: Lab): Promise<number> {
  const r = await lab.exec("client", "ping", ["-n", "-q", "-c", "20", "-i", "0.05", ADDR.origin]);
  const avg = /= [\d.]+\/([\d.]+)\//.exec(r.stdout)?.[1];
  if (!avg) throw new Error(`ping: ${r.stdout}${r.stderr}`);
  return Number(avg);
}

type Setup = (lab: Lab) => Promise<() => void>;
const columns: [string, Setup][] = [
  ["(a) no queue", async () => () => undefined],
  ["(b) bare C NFQUEUE reader", async (lab) => {
    lab.execSync("router", "iptables", ["-w", "-t", "mangle", "-A", "FORWARD", "-j", "NFQUEUE", "--queue-num", "7100", "--queue-bypass"]);
    const reader = lab.spawnDaemon("router", bareReader, ["7100"], { what: `bare-${Date.now()}` });
    await sleep(300);
    return () => {
      lab.stopDaemon(reader);
      lab.execSync("router", "iptables", ["-w", "-t", "mangle", "-D", "FORWARD", "-j", "NFQUEUE", "--queue-num", "7100", "--queue-bypass"]);
    };
  }],
  ["(c) kmod, trivial Lua hook", async (lab) => {
    const kmod = await startKmod(lab, ["-q", "-A", "FORWARD", "-j", "LUA", "--script", join(here, "scripts/accept.lua")]);
    return () => kmod.stop();
  }],
  ["(d) kmod, hook reads IP+UDP headers", async (lab) => {
    const kmod = await startKmod(lab, ["-q", "-A", "FORWARD", "-j", "LUA", "--script", join(here, "scripts/read-headers.lua")]);
    return () => kmod.stop();
  }],
];

/** The columns' names on the plots' axis. */
const SHORT = ["a: no queue", "b: bare C", "c: kmod trivial", "d: kmod headers"];
const results = new Map<string, Result>(columns.map(([name]) => [name, { pps: [], rttMs: [] }]));
const rows: Record<string, unknown>[] = [];
const lab = Lab.create();
const bar = progress(runs * columns.length, "nfqueue bench");
try {
  for (let run = 0; run < runs; run++) {
    for (const [name, setup] of columns) {
      const teardown = await setup(lab);
      try {
        const pps = await flood(lab);
        const ms = await rtt(lab);
        results.get(name)!.pps.push(pps);
        results.get(name)!.rttMs.push(ms);
        rows.push({ column: name, run: run + 1, packets_per_s: Math.round(pps), rtt_ms: ms });
        bar.step(`${name}, run ${run + 1}: ${Math.round(pps)} packets/s, rtt ${ms.toFixed(3)} ms`);
      } finally {
        teardown();
      }
    }
  }
} finally {
  bar.stop();
  lab.teardownSync();
}

const best = (xs: number[]) => Math.max(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const baseline = best(results.get(columns[1]![0])!.pps);
const noQueueRtt = median(results.get(columns[0]![0])!.rttMs);
console.log(`\nUDP flood client -> origin through the router, ${length}-byte payloads, ${seconds} s, best of ${runs} runs; ping rtt median`);
console.log(renderTable(["column", "packets/s", "vs (b)", "rtt ms", "added ms"], columns.map(([name]) => {
  const r = results.get(name)!;
  const pps = best(r.pps), ms = median(r.rttMs);
  return [name, String(Math.round(pps)), (pps / baseline).toFixed(2), ms.toFixed(3), (ms - noQueueRtt).toFixed(3)];
})));
const ratio = (i: number) => best(results.get(columns[i]![0])!.pps) / baseline;
console.log(`\n(c)/(b) = ${ratio(2).toFixed(2)}, (d)/(b) = ${ratio(3).toFixed(2)} (target >= 0.95)`);

const out = join(here, "../results");
writeCsv(join(out, "nfqueue.csv"), rows);
const pps = await writePlot(join(out, "nfqueue-packets"), barSpec({
  title: `UDP packets/s forwarded (${length}-byte payloads, best of ${runs})`, yTitle: "packets/s",
  bars: columns.map(([name], i) => ({ label: SHORT[i]!, value: Math.round(best(results.get(name)!.pps)) })),
}));
const added = await writePlot(join(out, "nfqueue-rtt"), barSpec({
  title: "ping round trip through the router (median)", yTitle: "ms",
  bars: columns.map(([name], i) => ({ label: SHORT[i]!, value: median(results.get(name)!.rttMs) })),
}));
console.log(`\nCSV: ${join(out, "nfqueue.csv")}\nplots: ${pps.svg}, ${pps.png}, ${added.svg}, ${added.png}`);

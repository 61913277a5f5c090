// The tcp-stack benchmark on the real packet path (root): download times of
// generated files from the tcp-stack file server in the router's engine —
// one MSS per kmod.send, and 64 KiB units through kmod.send_gso (the kernel
// cuts them) — versus nginx on the router itself (same files, same client,
// same run, downloads interleaved), without and with engine-made loss
// (netem on the client, both ways), on the unshaped veth and on a link
// shaped with tc tbf (router -> client); the ratios; and the engine time per
// segment from kmod's per-rule stats. Prints tables, writes CSV and plots.
//   npx nx run tcp-bench:bench [-- --sizes 1K,1M,32M --loss 0,1 --links 0,1000 --runs 5 --client curl --out results
//                                  --config '{"congestion":"reno"}']   (socket settings of both tcp-stack servers)
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { lineSpec, progress, ratio, renderTable, summarize, writeCsv, writePlot } from "@kcache/bench-kit";
import {
  HTTP_CLIENTS, Lab, clearRate, download, formatSize, limitRate, parseSize, sleep, startNginx, type HttpClient, type HttpOrigin,
} from "@kcache/netlab";
import { writeGeneratedFiles, type GeneratedFile } from "../src/content.ts";
import { startClientNetem } from "../src/netem.ts";
import { processCpu } from "../src/process-cpu.ts";
import { STACK_SERVER, stackKmodArgs, startStack, type RunningStack } from "../src/stack-in-router.ts";

const TARGET_RATIO = 1.5;
const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1K,1M,32M" },
    loss: { type: "string", default: "0,1" },
    links: { type: "string", default: "0,1000" },
    runs: { type: "string", default: "5" },
    client: { type: "string", default: "curl" },
    out: { type: "string", default: "results" },
    config: { type: "string", default: "{}" },
  },
});
const sizes = values.sizes.split(",").map((s) => parseSize(s.trim()));
const losses = values.loss.split(",").map((s) => Number(s.trim()));
/** Link rates in Mbit/s, 0 = the unshaped veth. */
const links = values.links.split(",").map((s) => Number(s.trim()));
const runs = Number(values.runs);
const client = values.client as HttpClient;
const stackConfig = JSON.parse(values.config) as Record<string, number | boolean | string>;
if (!(sizes.every((s) => Number.isInteger(s) && s >= 1 && s <= 256 << 20) && losses.every((l) => Number.isInteger(l) && l >= 0 && l <= 20)
  && links.every((l) => Number.isInteger(l) && l >= 0 && l <= 100_000)
  && Number.isInteger(runs) && runs >= 1 && runs <= 50 && (HTTP_CLIENTS as readonly string[]).includes(client))) {
  console.error(`bench: --sizes 1K,1M,... (1 B..256 MiB), --loss 0,1 (percent 0..20), --links 0,1000 (Mbit/s, 0 = unshaped), --runs 1..50, --client ${HTTP_CLIENTS.join("|")}`);
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error("bench: needs root (network namespaces, iptables, NFQUEUE)");
  process.exit(2);
}
const outDir = resolve(values.out);
mkdirSync(outDir, { recursive: true });

const SERVERS = ["nginx", "tcp-stack", "tcp-stack GSO"] as const;
type Server = (typeof SERVERS)[number];
const STACK_PORT: Record<Exclude<Server, "nginx">, number> = { "tcp-stack": STACK_SERVER.port, "tcp-stack GSO": STACK_SERVER.gsoPort };
const linkLabel = (mbit: number) => (mbit === 0 ? "unshaped" : mbit >= 1000 ? `${mbit / 1000} Gbit/s` : `${mbit} Mbit/s`);

interface Sample {
  server: Server; link: number; size: number; loss: number; run: number; ms: number;
  /**
   * tcp-stack only: Lua time of the server's hook (kmod stats) and its calls, the connection's
   * segments (a GSO unit counts as one), µs inside kmod.send/send_gso and the sends.
   */
  luaNs?: number; hookCalls?: number; segsIn?: number; segsOut?: number; retransmits?: number; sends?: number; sendUs?: number;
  /** tcp-stack only: the server socket's RTT estimates and what held it back (µs), from its "served" line. */
  srttUs?: number; minRttUs?: number; lossProbes?: number; rtos?: number;
  cwndLimitedUs?: number; rwndLimitedUs?: number; sndbufLimitedUs?: number; appLimitedUs?: number;
  /** tcp-stack only: CPU time of the kmod process during the download, and its threads' wait for a CPU (ns). */
  engineCpuNs?: number; engineWaitNs?: number;
}

const samples: Sample[] = [];
const started = Date.now();
const lab = Lab.create();
try {
  const srv = lab.subdir("srv");
  const files = new Map<number, GeneratedFile>(writeGeneratedFiles(srv, sizes).map((f) => [f.size, f]));
  const nginx: HttpOrigin = await startNginx(lab, { root: srv, on: "router" });
  const stack: RunningStack = await startStack(lab, { config: stackConfig });
  console.log(`lab ${lab.name}: ${client} in the client (198.18.1.2) downloads from the router (${STACK_SERVER.address})`);
  console.log(`  nginx:          ${nginx.url("gen-N.bin")}  (sendfile, tcp_nopush, 1 worker)`);
  console.log(`  tcp-stack:      http://${STACK_SERVER.address}:${STACK_SERVER.port}/gen-N.bin  (one MSS per kmod.send)`);
  console.log(`  tcp-stack GSO:  http://${STACK_SERVER.address}:${STACK_SERVER.gsoPort}/gen-N.bin  (64 KiB units, kmod.send_gso)`);
  console.log(`  kmod run ${stackKmodArgs({ config: stackConfig }).join(" ")}`);
  console.log("  loss: netlab's netem bundle in a kmod of the client, on its TCP with the router, both ways; links: tc tbf on the router's side\n");

  const serverRule = async () => (await stack.stats()).rules[0]!;
  // Each server's own lines: a download's line comes when the client's FIN does, maybe after the next download began.
  const servedLines = (port: number) => stack.output().split("\n").filter((l) => l.includes("tcp-bench: served") && l.includes(`port=${port}`));
  const field = (line: string, name: string) => Number(new RegExp(`\\b${name}=(\\d+)`).exec(line)?.[1] ?? NaN);
  // The adapter's send counters are cumulative: each download's share is the difference to the one before.
  let lastSends = 0, lastSendUs = 0;

  const fromStack = async (server: Exclude<Server, "nginx">, file: GeneratedFile, timeoutMs: number): Promise<Omit<Sample, "link" | "loss" | "run">> => {
    const before = await serverRule();
    const cpuBefore = processCpu(stack.daemon.pid);
    const servedBefore = servedLines(STACK_PORT[server]).length;
    const url = `http://${STACK_SERVER.address}:${STACK_PORT[server]}/${file.name}`;
    const r = await download(lab, { client, url, expectSha256: file.sha256, timeoutMs });
    // The "served" line is logged when the client's FIN arrives, just after the client exits.
    let line: string | undefined;
    for (let i = 0; i < 100 && line === undefined; i++) {
      line = servedLines(STACK_PORT[server])[servedBefore];
      if (line === undefined) await sleep(20);
    }
    if (line === undefined) throw new Error(`tcp-stack logged no "served" line for ${url}`);
    const cpuAfter = processCpu(stack.daemon.pid);
    const after = await serverRule();
    const [sends, sendUs] = [field(line, "sends"), field(line, "send_us")];
    const sample = {
      server, size: file.size, ms: r.ms, luaNs: after.luaNs - before.luaNs, hookCalls: after.packets - before.packets,
      segsIn: field(line, "segs_in"), segsOut: field(line, "segs_out"), retransmits: field(line, "retransmits"),
      sends: sends - lastSends, sendUs: sendUs - lastSendUs,
      srttUs: field(line, "srtt_us"), minRttUs: field(line, "min_rtt_us"), lossProbes: field(line, "loss_probes"), rtos: field(line, "rtos"),
      cwndLimitedUs: field(line, "cwnd_limited_us"), rwndLimitedUs: field(line, "rwnd_limited_us"),
      sndbufLimitedUs: field(line, "sndbuf_limited_us"), appLimitedUs: field(line, "app_limited_us"),
      engineCpuNs: cpuAfter.cpuNs - cpuBefore.cpuNs, engineWaitNs: cpuAfter.waitNs - cpuBefore.waitNs,
    };
    [lastSends, lastSendUs] = [sends, sendUs];
    return sample;
  };

  const bar = progress(links.length * losses.length * sizes.length * runs * SERVERS.length, "tcp bench");
  for (const link of links) {
    if (link > 0) limitRate(lab, "router", lab.ifaces.routerClientSide, { mbit: link });
    for (const loss of losses) {
      const netem = loss > 0 ? await startClientNetem(lab, { loss_percent: loss }) : undefined;
      try {
        for (const size of sizes) {
          const file = files.get(size)!;
          for (let run = 1; run <= runs; run++) {
            // Interleaved, so all servers see the same machine load.
            for (const server of SERVERS) {
              if (server === "nginx") {
                const r = await download(lab, { client, url: nginx.url(file.name), expectSha256: file.sha256, timeoutMs: 120_000 });
                samples.push({ server, link, size, loss, run, ms: r.ms });
              } else {
                samples.push({ ...(await fromStack(server, file, 120_000)), link, loss, run });
              }
              bar.step(`${server} ${linkLabel(link)} ${formatSize(size)} ${loss}% #${run}`);
            }
          }
        }
      } finally {
        netem?.stop();
      }
    }
    if (link > 0) clearRate(lab, "router", lab.ifaces.routerClientSide);
  }
  bar.stop();
  const errors = (await stack.stats()).rules.reduce((n, r) => n + r.errors, 0);
  if (errors > 0) console.log(`\nWARNING: ${errors} Lua errors in the engine (see ${stack.daemon.outFile})`);
} finally {
  lab.teardownSync();
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
const pick = (server: Server, link: number, size: number, loss: number) =>
  samples.filter((s) => s.server === server && s.link === link && s.size === size && s.loss === loss);
const cases = links.flatMap((link) => losses.flatMap((loss) => sizes.map((size) => ({ link, loss, size }))));
const summary = cases.map(({ link, loss, size }) => {
  const [nx, st, gso] = SERVERS.map((server) => summarize(pick(server, link, size, loss).map((s) => s.ms)));
  return {
    link: linkLabel(link), link_mbit: link, size, loss,
    nginx_min_ms: nx!.min, nginx_median_ms: nx!.median, stack_min_ms: st!.min, stack_median_ms: st!.median, gso_min_ms: gso!.min, gso_median_ms: gso!.median,
    stack_ratio_min: st!.min / nx!.min, gso_ratio_min: gso!.min / nx!.min,
  };
});
/** Engine time of the tcp-stack servers, per case and variant. */
const costs = cases.flatMap(({ link, loss, size }) => (["tcp-stack", "tcp-stack GSO"] as const).map((server) => {
  const st = pick(server, link, size, loss);
  const sum = (k: keyof Sample) => st.reduce((a, s) => a + ((s[k] as number | undefined) ?? NaN), 0);
  const luaUs = sum("luaNs") / 1000;
  const segments = sum("segsIn") + sum("segsOut");
  return {
    server, link: linkLabel(link), size, loss, segs_out: sum("segsOut") / st.length, segs_in: sum("segsIn") / st.length, retransmits: sum("retransmits") / st.length,
    us_per_hook_call: luaUs / sum("hookCalls"), us_per_segment: luaUs / segments, us_per_send: sum("sendUs") / sum("sends"),
    lua_us_per_segment_without_send: (luaUs - sum("sendUs")) / segments, lua_us_per_kib_sent_without_send: (luaUs - sum("sendUs")) / (size / 1024) / st.length,
  };
}));

console.log(`\nDownload time with ${client}, ms (min and median of ${runs}; ratio = tcp-stack / nginx, of the minimums; this machine is shared: compare minimums)`);
console.log(renderTable(
  ["link", "size", "loss", "nginx min", "nginx med", "tcp-stack min", "med", "ratio", "tcp-stack GSO min", "med", "ratio"],
  summary.map((s) => [s.link, formatSize(s.size), `${s.loss}%`, fmt(s.nginx_min_ms), fmt(s.nginx_median_ms),
    fmt(s.stack_min_ms), fmt(s.stack_median_ms), ratio(s.stack_min_ms, s.nginx_min_ms),
    fmt(s.gso_min_ms), fmt(s.gso_median_ms), ratio(s.gso_min_ms, s.nginx_min_ms)]),
));
const big = summary.find((s) => s.size === Math.max(...sizes) && s.loss === 0 && s.link_mbit === 0);
if (big) {
  const verdict = (r: number) => `${r.toFixed(2)}x -> ${r <= TARGET_RATIO ? "met" : "MISSED"}`;
  console.log(`\nTarget: tcp-stack <= ${TARGET_RATIO}x nginx at ${formatSize(big.size)}, no loss, unshaped: one MSS per send ${verdict(big.stack_ratio_min)}; GSO ${verdict(big.gso_ratio_min)}`);
}
console.log("\nEngine time of the tcp-stack server: luaNs of its rule (kmod stats, sampled 1 call in 16; timer callbacks not included),");
console.log("and the time inside kmod.send/send_gso (system call and the kernel work in it, measured by the adapter); a GSO unit counts as one segment out");
console.log(renderTable(
  ["server", "link", "size", "loss", "segs out", "segs in", "rexmit", "µs/hook call", "µs/segment in+out", "µs/send", "Lua µs/segment w/o send", "Lua µs/KiB w/o send"],
  costs.map((c) => [c.server, c.link, formatSize(c.size), `${c.loss}%`, fmt(c.segs_out, 0), fmt(c.segs_in, 0), fmt(c.retransmits, 1),
    fmt(c.us_per_hook_call, 2), fmt(c.us_per_segment, 2), fmt(c.us_per_send, 2), fmt(c.lua_us_per_segment_without_send, 2), fmt(c.lua_us_per_kib_sent_without_send, 2)]),
));
console.log("(a hook call takes one segment in and sends what it makes possible; with loss, retransmissions from timers make the 'w/o send' columns underestimates)");

/** What held the stack's server socket back (its own timing, as Linux's tcp_chrono), medians of the runs. */
const limits = cases.flatMap(({ link, loss, size }) => (["tcp-stack", "tcp-stack GSO"] as const).map((server) => {
  const st = pick(server, link, size, loss);
  const median = (k: keyof Sample) => summarize(st.map((s) => (s[k] as number | undefined) ?? NaN)).median;
  return {
    server, link: linkLabel(link), size, loss, download_ms: median("ms"), cwnd_limited_ms: median("cwndLimitedUs") / 1000,
    rwnd_limited_ms: median("rwndLimitedUs") / 1000, sndbuf_limited_ms: median("sndbufLimitedUs") / 1000,
    app_limited_ms: median("appLimitedUs") / 1000, srtt_us: median("srttUs"), min_rtt_us: median("minRttUs"),
    loss_probes: median("lossProbes"), rtos: median("rtos"),
    engine_cpu_ms: median("engineCpuNs") / 1e6, engine_wait_ms: median("engineWaitNs") / 1e6,
  };
}));
console.log("\nWhat held the tcp-stack server back (the socket's own timing; medians of the runs; 'app' = the server had written everything it had),");
console.log("and the kmod process: its CPU time during the download and its threads' wait for a CPU (/proc schedstat: the machine's load)");
console.log(renderTable(
  ["server", "link", "size", "loss", "download ms", "cwnd ms", "peer window ms", "send buffer ms", "app ms", "SRTT µs", "min RTT µs", "probes", "RTOs",
    "engine CPU ms", "engine wait ms"],
  limits.map((l) => [l.server, l.link, formatSize(l.size), `${l.loss}%`, fmt(l.download_ms), fmt(l.cwnd_limited_ms), fmt(l.rwnd_limited_ms),
    fmt(l.sndbuf_limited_ms), fmt(l.app_limited_ms), fmt(l.srtt_us, 0), fmt(l.min_rtt_us, 0), fmt(l.loss_probes, 0), fmt(l.rtos, 0),
    fmt(l.engine_cpu_ms), fmt(l.engine_wait_ms)]),
));

writeCsv(join(outDir, "downloads.csv"), samples.map((s) => ({ ...s })));
writeCsv(join(outDir, "summary.csv"), summary);
writeCsv(join(outDir, "costs.csv"), costs);
writeCsv(join(outDir, "limits.csv"), limits);
const minOf: Record<Server, (s: (typeof summary)[number]) => number> = {
  nginx: (s) => s.nginx_min_ms, "tcp-stack": (s) => s.stack_min_ms, "tcp-stack GSO": (s) => s.gso_min_ms,
};
const plot = await writePlot(join(outDir, "download-time"), lineSpec({
  title: `Download time from the router, ${client} (min of ${runs})`, xTitle: "file size (bytes)", yTitle: "time (ms)", logX: true, logY: true,
  points: summary.flatMap((s) => SERVERS.map((server) => ({ x: s.size, y: minOf[server](s), series: `${server}, ${s.loss}% loss, ${s.link}` }))),
}));
const ratioPlot = await writePlot(join(outDir, "ratio"), lineSpec({
  title: "tcp-stack / nginx download time (min of runs)", xTitle: "file size (bytes)", yTitle: "ratio", logX: true,
  points: summary.flatMap((s) => [
    { x: s.size, y: s.stack_ratio_min, series: `tcp-stack, ${s.loss}% loss, ${s.link}` },
    { x: s.size, y: s.gso_ratio_min, series: `tcp-stack GSO, ${s.loss}% loss, ${s.link}` },
  ]),
}));
console.log(`\nCSV: ${join(outDir, "downloads.csv")}, ${join(outDir, "summary.csv")}, ${join(outDir, "costs.csv")}, ${join(outDir, "limits.csv")}`);
console.log(`plots:\n  ${[plot.svg, plot.png, ratioPlot.svg, ratioPlot.png].join("\n  ")}`);
console.log(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);

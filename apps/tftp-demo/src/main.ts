// npx nx run tftp-demo:demo [-- --delay MS] — builds the lab, runs the demo,
// prints the table, and tears everything down (also on Ctrl-C).
import { parseArgs } from "node:util";
import { formatMs, ratio, renderTable } from "@kcache/bench-kit";
import { formatSize, withLab } from "@kcache/netlab";
import { ATFTP_OPTIONS, DEMO_SIZES, runDemo } from "./demo.ts";

const { values } = parseArgs({ options: { delay: { type: "string", default: "20" }, help: { type: "boolean", default: false } } });
if (values.help) {
  console.log("usage: tftp-demo [--delay MS]   (root; MS each way between router and origin, default 20)");
  process.exit(0);
}
const delayMs = Number(values.delay);
if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 1000) {
  console.error(`tftp-demo: --delay must be an integer 0..1000 (ms), got ${values.delay}`);
  process.exit(1);
}
if (process.getuid?.() !== 0) {
  console.error("tftp-demo: needs root (it builds network namespaces and runs kmod on NFQUEUE)");
  process.exit(1);
}

console.log(`TFTP cache demo: client ${"—"} router (kmod + tftp-cache) ${"—"} origin (tftpd-hpa), ${delayMs} ms each way between router and origin.`);
console.log(`atftp asks blksize ${ATFTP_OPTIONS.blksize} and windowsize ${ATFTP_OPTIONS.windowsize}. tftpd-hpa ignores windowsize, so from`);
console.log(`the origin each block waits a round trip (${2 * delayMs} ms): files stay small so the demo takes seconds`);
console.log(`(1 MiB would take about 29 s). The cache grants the window and answers from the router.\n`);
const rows = await withLab((lab) => runDemo(lab, { delayMs, sizes: DEMO_SIZES, log: (line) => console.log(`  ${line}`) }));
console.log("");
console.log(renderTable(
  ["file", "size", "origin (miss)", "cached (hit)", "speed-up", "sha256 ok", "origin saw"],
  rows.map((r) => [
    r.file.name, formatSize(r.file.size), formatMs(r.origin.ms), formatMs(r.cached.ms), ratio(r.origin.ms, r.cached.ms, 1),
    r.sha256Ok ? "yes" : "NO", `${r.originRequests} request${r.originRequests === 1 ? "" : "s"}`,
  ]),
));
const ok = rows.every((r) => r.sha256Ok && r.originRequests === 1);
console.log(ok ? "\nEvery hit was byte-identical and never reached the origin." : "\nSomething went wrong: see the table.");
process.exit(ok ? 0 : 1);

// The demo in check mode (root only): the same run as `nx run tftp-demo:demo`,
// with its outcomes asserted, and an interrupted run that leaves nothing behind.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { listNamespaces, withLab } from "@kcache/netlab";
import { DEMO_SIZES, runDemo } from "../src/demo.ts";

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log("tftp-demo tests skipped: they need root (network namespaces, iptables, NFQUEUE)");

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../../node_modules/tsx/dist/esm/index.mjs", import.meta.url));

describe.skipIf(!isRoot)("the TFTP demo", () => {
  it("misses come from the far origin, hits from the router: byte-identical, unseen by the origin, much faster", async () => {
    const rows = await withLab((lab) => runDemo(lab, { delayMs: 20, sizes: DEMO_SIZES, log: () => undefined }));
    expect(rows.map((r) => r.file.size)).toEqual(DEMO_SIZES);
    for (const row of rows) {
      expect(row.sha256Ok, row.file.name).toBe(true);
      expect(row.originRequests, `${row.file.name}: requests tftpd-hpa saw`).toBe(1);
      // Lock-step from the origin: at least one 40 ms round trip per 1468-byte block.
      expect(row.origin.ms, row.file.name).toBeGreaterThan(Math.ceil((row.file.size + 1) / 1468) * 40);
    }
    const largest = rows.at(-1)!;
    expect(largest.origin.ms / largest.cached.ms, "speed-up of the largest file").toBeGreaterThan(20);
  });

  it("Ctrl-C in the middle of the demo stops it and removes its namespaces and kmod", async () => {
    const child = spawn(process.execPath, ["--import", TSX, MAIN], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
    for (let i = 0; i < 300 && !output.includes("file-64k.bin: first download"); i++) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain("file-64k.bin: first download");
    expect(listNamespaces().some((ns) => ns.startsWith(`kc-${child.pid}-`))).toBe(true);
    child.kill("SIGINT");
    await exited;
    expect(output).not.toContain("Every hit");
    expect(listNamespaces().filter((ns) => ns.startsWith(`kc-${child.pid}-`))).toEqual([]);
  });
});

// Root tests of the CLI: `up` makes a lab that outlives the command, `get`
// downloads from it, `cleanup` leaves it (its owner is gone on purpose),
// `down` removes it; `run` is a self-contained round; bad input gets one line.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { listNamespaces, readState, teardownStateSync } from "../src/index.ts";
import { alive, isRoot, leftovers, skipReason } from "./helpers.ts";

if (!isRoot) console.log(skipReason());

const packageDir = fileURLToPath(new URL("..", import.meta.url));
function netlab(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { cwd: packageDir, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!isRoot)("netlab CLI (root)", () => {
  let upName: string | undefined;
  afterAll(() => {
    // If a test failed halfway, do not leave the persistent lab behind.
    const state = upName ? readState(upName) : undefined;
    if (state) teardownStateSync(state);
  });

  it("up, get, list, cleanup (keeps it), down", () => {
    const up = netlab("up", "--json", "--sizes", "2k,300k");
    expect(up.stderr).toBe("");
    expect(up.code).toBe(0);
    const lab = JSON.parse(up.stdout) as { name: string; ns: Record<string, string>; dir: string; files: { name: string; sha256: string }[] };
    upName = lab.name;
    const state = readState(lab.name)!;
    expect(state.persistent).toBe(true);
    // The command has exited; the lab and its daemons stay.
    expect(listNamespaces()).toEqual(expect.arrayContaining(Object.values(lab.ns)));
    expect(alive(state.pids.map((p) => p.pid)).length).toBe(state.pids.length);

    const file = lab.files.find((f) => f.name === "file-300k.bin")!;
    for (const args of [["wget"], ["atftp", "--blksize", "1024"], ["npm-tftp", "--windowsize", "2"]]) {
      const get = netlab("get", lab.name, args[0], file.name, "--json", ...args.slice(1));
      expect(get.code, get.stderr).toBe(0);
      expect(JSON.parse(get.stdout)).toMatchObject({ sha256: file.sha256, bytes: 300 * 1024 });
    }
    const missing = netlab("get", lab.name, "curl", "missing.bin");
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toMatch(/^curl http:\/\/198\.18\.2\.2\/missing\.bin: exit 22/);

    expect(netlab("list").stdout).toMatch(new RegExp(`^${lab.name}  up  3/3 namespaces`, "m"));
    expect(netlab("cleanup").code).toBe(0);
    expect(listNamespaces()).toEqual(expect.arrayContaining(Object.values(lab.ns)));

    const down = netlab("down", lab.name);
    expect(down.code).toBe(0);
    expect(leftovers({ namespaces: Object.values(lab.ns), pids: state.pids.map((p) => p.pid), dir: lab.dir })).toEqual({ namespaces: [], pids: [], dir: false });
    upName = undefined;
  });

  it("run: builds, downloads with the chosen clients, checks sha256, tears down", () => {
    const before = new Set(listNamespaces());
    const r = netlab("run", "--clients", "curl,tftp-hpa", "--sizes", "1k", "--repeat", "2");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^curl\s+file-1k\.bin\s+mean [\d.]+ ms .*\(2x, sha256 ok\)$/m);
    expect(r.stdout).toMatch(/^tftp-hpa\s+file-1k\.bin\s+mean [\d.]+ ms .*\(2x, sha256 ok\)$/m);
    const name = /^lab (kc-\d+-[0-9a-z]+)/m.exec(r.stdout)![1];
    expect(listNamespaces().filter((n) => n.startsWith(name))).toEqual([]);
    expect(listNamespaces().filter((n) => !before.has(n) && n.startsWith(name))).toEqual([]);
  });

  it("rejects bad input with a clear message and a non-zero exit, before building anything", () => {
    const bad = [
      ["run", "--clients", "lynx"],
      ["run", "--sizes", "1.5M"],
      ["run", "--repeat", "0"],
      ["get", "kc-1-aaaaaa", "curl", "x"],
      ["frobnicate"],
    ];
    for (const args of bad) {
      const r = netlab(...args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr.split("\n")[0], args.join(" ")).toMatch(/^(error: |netlab: )/);
      expect(r.stdout, args.join(" ")).toBe(""); // nothing was built
    }
  });
});

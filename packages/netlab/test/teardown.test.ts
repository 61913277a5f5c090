// Root tests: teardown runs whatever happens to the run (a thrown error,
// SIGTERM), two runs never collide, and `cleanupSync` removes what a killed
// run (SIGKILL: no handler runs) left behind, and nothing of live runs.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { Lab, cleanupSync, downloadFrom, listNamespaces, makeTestFiles, namespacePids, startNginx, withLab } from "../src/index.ts";
import { alive, exited, firstLine, isRoot, leftovers, skipReason, spawnTs } from "./helpers.ts";

if (!isRoot) console.log(skipReason());

const holdLab = fileURLToPath(new URL("./fixtures/hold-lab.ts", import.meta.url));

interface Held {
  name: string;
  namespaces: string[];
  dir: string;
  recorded: number[];
  pids: number[];
}

describe.skipIf(!isRoot)("teardown and cleanup (root)", () => {
  it("tears the lab down when the body of withLab throws", async () => {
    let seen: { namespaces: string[]; pids: number[]; dir: string } | undefined;
    await expect(withLab(async (lab) => {
      const srv = lab.subdir("srv");
      makeTestFiles(srv, ["1k"]);
      await startNginx(lab, { root: srv });
      seen = { namespaces: Object.values(lab.ns), pids: Object.values(lab.ns).flatMap((ns) => namespacePids(ns)), dir: lab.dir };
      expect(leftovers(seen).pids.length).toBeGreaterThanOrEqual(2);
      throw new Error("simulated test failure");
    })).rejects.toThrow("simulated test failure");
    expect(leftovers(seen!)).toEqual({ namespaces: [], pids: [], dir: false });
  });

  it("runs two labs at once without collisions, each with its own origin on the same addresses", async () => {
    const a = Lab.create();
    const b = Lab.create();
    try {
      expect(a.name).not.toBe(b.name);
      expect(a.ifaces.client).not.toBe(b.ifaces.client);
      const [fa] = makeTestFiles(a.subdir("srv"), ["4k"], "a");
      const [fb] = makeTestFiles(b.subdir("srv"), ["4k"], "b");
      const na = await startNginx(a, { root: a.subdir("srv") });
      const nb = await startNginx(b, { root: b.subdir("srv") });
      // Same URL, different labs, different bytes.
      expect((await downloadFrom(a, na, "curl", fa.name)).sha256).toBe(fa.sha256);
      expect((await downloadFrom(b, nb, "curl", fb.name)).sha256).toBe(fb.sha256);
      expect(fa.sha256).not.toBe(fb.sha256);
    } finally {
      a.teardownSync();
      b.teardownSync();
    }
  });

  it("tears down on SIGTERM to the process that holds the lab", async () => {
    const child = spawnTs(holdLab);
    const held = JSON.parse(await firstLine(child)) as Held;
    const run = { namespaces: held.namespaces, pids: [...held.pids, ...held.recorded], dir: held.dir };
    expect(leftovers(run).namespaces).toEqual(held.namespaces);
    expect(leftovers(run).pids.length).toBeGreaterThanOrEqual(4); // nginx master + worker, tftpd, its syslog listener
    child.kill("SIGTERM");
    const end = await exited(child);
    expect(end.signal).toBe("SIGTERM");
    expect(leftovers(run)).toEqual({ namespaces: [], pids: [], dir: false });
  });

  it("finds and removes what a SIGKILLed run left behind, and leaves live runs alone", async () => {
    const mine = Lab.create();
    try {
      const child = spawnTs(holdLab);
      const held = JSON.parse(await firstLine(child)) as Held;
      const run = { namespaces: held.namespaces, pids: [...held.pids, ...held.recorded], dir: held.dir };
      child.kill("SIGKILL");
      await exited(child);
      // No handler ran: everything is still there.
      const left = leftovers(run);
      expect(left.namespaces).toEqual(held.namespaces);
      expect(left.pids.length).toBeGreaterThanOrEqual(4);
      expect(left.dir).toBe(true);
      const report = cleanupSync();
      expect(report.namespaces).toEqual(expect.arrayContaining(held.namespaces));
      expect(report.pids).toEqual(expect.arrayContaining(held.recorded));
      expect(leftovers(run)).toEqual({ namespaces: [], pids: [], dir: false });
      // Our own live lab is untouched.
      expect(listNamespaces()).toEqual(expect.arrayContaining(Object.values(mine.ns)));
    } finally {
      mine.teardownSync();
    }
    expect(alive(mine.pids.map((p) => p.pid))).toEqual([]);
  });
});

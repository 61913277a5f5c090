// The run registry and cleanup by PID, without namespaces (no root needed):
// fake runs are written to a private state directory.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanupSync, listRuns, NAMESPACE_PATTERN, procStartTime, runIsLive, type RunState } from "../src/index.ts";
import { newRunName } from "../src/state.ts";
import { alive, waitUntil } from "./helpers.ts";

const root = mkdtempSync(join(tmpdir(), "netlab-state-"));
beforeAll(() => { process.env.NETLAB_STATE_DIR = root; });
afterAll(() => { delete process.env.NETLAB_STATE_DIR; rmSync(root, { recursive: true, force: true }); });

/** A PID that certainly belongs to no live process of ours: one of a process that has exited. */
function deadPid(): number {
  return spawnSync("true").pid!;
}

function fakeRun(ownerPid: number, extra: Partial<RunState> = {}): RunState {
  const { name, id } = newRunName(ownerPid);
  const dir = join(root, name);
  mkdirSync(dir);
  const state: RunState = {
    name, id, dir, ownerPid, ownerStartTime: procStartTime(ownerPid), persistent: false,
    namespaces: [`${name}-client`, `${name}-router`, `${name}-origin`], pids: [], created: new Date().toISOString(), ...extra,
  };
  writeFileSync(join(dir, "state.json"), JSON.stringify(state));
  return state;
}

describe("run names", () => {
  it("carry the owner's PID, match the namespace pattern, and give interface names of at most 15 characters", () => {
    const names = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { name, id } = newRunName();
      expect(name.startsWith(`kc-${process.pid}-`)).toBe(true);
      expect(NAMESPACE_PATTERN.test(`${name}-router`)).toBe(true);
      expect(`kc${id}ro`.length).toBeLessThanOrEqual(15);
      names.add(name);
    }
    expect(names.size).toBe(200);
  });
});

describe("cleanup", () => {
  it("kills the recorded processes of a run whose owner is gone, by PID, and removes its directory", async () => {
    const sleeper = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
    const pid = sleeper.pid!;
    const dead = fakeRun(deadPid(), { pids: [{ pid, startTime: procStartTime(pid), role: "root", what: "sleep" }] });
    expect(runIsLive(dead)).toBe(false);
    const report = cleanupSync();
    expect(report.pids).toContain(pid);
    await waitUntil(() => alive([pid]).length === 0);
    expect(existsSync(dead.dir)).toBe(false);
  });

  it("leaves live runs and persistent labs alone unless named (or told --all)", () => {
    const live = fakeRun(process.pid);
    const persistent = fakeRun(deadPid(), { persistent: true });
    expect(runIsLive(live)).toBe(true);
    expect(runIsLive(persistent)).toBe(true);
    cleanupSync();
    expect(existsSync(live.dir)).toBe(true);
    expect(existsSync(persistent.dir)).toBe(true);
    cleanupSync({ name: persistent.name });
    expect(existsSync(persistent.dir)).toBe(false);
    // (Not `all: true` here: that would also sweep live labs of tests running in parallel.)
    cleanupSync({ name: live.name });
    expect(existsSync(live.dir)).toBe(false);
    expect(listRuns()).toEqual([]);
  });

  it("never kills a process whose PID was reused (start time differs)", () => {
    const sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
    const pid = sleeper.pid!;
    try {
      fakeRun(deadPid(), { pids: [{ pid, startTime: procStartTime(pid)! - 1, role: "root", what: "someone else" }] });
      cleanupSync();
      expect(alive([pid])).toEqual([pid]);
    } finally {
      sleeper.kill("SIGKILL");
    }
  });
});

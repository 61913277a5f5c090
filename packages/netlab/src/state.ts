// Run names, the on-disk record of a run (so that `cleanup` can find what a
// killed run left behind), and the sweep that removes namespaces and the
// processes in them.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { isSameProcess, killPid, procStartTime, runSync, sleepSync, stopPidsSync, type TrackedPid } from "./proc.ts";

export type Role = "client" | "router" | "origin";
export const ROLES: readonly Role[] = ["client", "router", "origin"];

/** Where runs keep their state, served files and logs. Override with NETLAB_STATE_DIR. */
export function stateRoot(): string {
  return process.env.NETLAB_STATE_DIR ?? "/tmp/kcache-netlab";
}

/** Every namespace netlab makes is named `kc-<owner pid>-<id>-<role>`. */
export const NAMESPACE_PATTERN = /^kc-(\d+)-([0-9a-z]{6})-(client|router|origin)$/;

export interface RunName {
  /** `kc-<pid>-<id>`: the prefix of the run's namespaces and the name of its state directory. */
  name: string;
  /** 6 random base-36 characters, also used in interface names. */
  id: string;
}

export function newRunName(pid = process.pid): RunName {
  const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  const bytes = randomBytes(6);
  let id = "";
  for (const b of bytes) id += alphabet[b % 36];
  return { name: `kc-${pid}-${id}`, id };
}

export interface PidRecord extends TrackedPid {
  role: Role | "root";
  what: string;
}

export interface RunState {
  name: string;
  id: string;
  ownerPid: number;
  ownerStartTime?: number;
  /** A persistent run (CLI `up`) outlives its owner; only `down`/`cleanup --all` remove it. */
  persistent: boolean;
  namespaces: string[];
  dir: string;
  pids: PidRecord[];
  created: string;
  /** Free-form facts about the run (origins started by `netlab up`, ...). */
  info?: Record<string, unknown>;
}

export function runDir(name: string): string {
  return join(stateRoot(), name);
}

/** Creates the run directory, world-traversable (0755) because nginx workers and tftpd children run as nobody. */
export function makeRunDir(name: string): string {
  const root = stateRoot();
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  const dir = runDir(name);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  return dir;
}

export function writeState(state: RunState): void {
  const file = join(state.dir, "state.json");
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}

export function readState(name: string): RunState | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir(name), "state.json"), "utf8")) as RunState;
  } catch {
    return undefined;
  }
}

export function listNamespaces(): string[] {
  return runSync("ip", ["netns", "list"])
    .split("\n")
    .map((line) => line.trim().split(" ")[0])
    .filter((n) => n.length > 0);
}

/** PIDs of every process whose network namespace is `ns`. */
export function namespacePids(ns: string): number[] {
  return runSync("ip", ["netns", "pids", ns], { allowFail: true })
    .split("\n")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Kills every process in the namespace (SIGKILL, by PID), then deletes it. */
export function removeNamespaceSync(ns: string): number[] {
  const killed: number[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = namespacePids(ns).filter((p) => p !== process.pid);
    if (pids.length === 0) break;
    for (const pid of pids) {
      if (killPid(pid, "SIGKILL") && !killed.includes(pid)) killed.push(pid);
    }
    // A killed process leaves the namespace once it is reaped or a zombie.
    const deadline = Date.now() + 200;
    while (Date.now() < deadline && pids.some((p) => procStartTime(p) !== undefined)) sleepSync(5);
  }
  runSync("ip", ["netns", "del", ns], { allowFail: true });
  return killed;
}

export interface TeardownReport {
  namespaces: string[];
  pids: number[];
  dirs: string[];
}

/** Removes everything a run made: its processes (by recorded PID, then by namespace), namespaces and directory. */
export function teardownStateSync(state: RunState, opts: { keepDir?: boolean; graceMs?: number } = {}): TeardownReport {
  const report: TeardownReport = { namespaces: [], pids: [], dirs: [] };
  const tracked = state.pids.filter((p) => isSameProcess(p.pid, p.startTime));
  stopPidsSync(tracked, opts.graceMs ?? 1000);
  report.pids.push(...tracked.map((p) => p.pid));
  const existing = new Set(listNamespaces());
  for (const ns of state.namespaces) {
    if (!existing.has(ns)) continue;
    report.pids.push(...removeNamespaceSync(ns));
    report.namespaces.push(ns);
  }
  if (!opts.keepDir) {
    rmSync(state.dir, { recursive: true, force: true });
    report.dirs.push(state.dir);
  }
  return report;
}

function ownerAlive(pid: number, startTime?: number): boolean {
  return isSameProcess(pid, startTime);
}

/** True when a run is still owned by a live process (or is persistent). */
export function runIsLive(state: RunState): boolean {
  return state.persistent || ownerAlive(state.ownerPid, state.ownerStartTime);
}

export function listRuns(): RunState[] {
  let names: string[];
  try {
    names = readdirSync(stateRoot());
  } catch {
    return [];
  }
  return names.filter((n) => /^kc-\d+-[0-9a-z]{6}$/.test(n)).map((n) => readState(n)).filter((s): s is RunState => s !== undefined);
}

/**
 * Finds leftovers of runs whose owner is gone (killed, crashed) and removes
 * them: recorded processes, every process in their namespaces, the namespaces,
 * the run directories. Live runs are left alone unless `all` is set; `name`
 * limits the sweep to one run (live or not).
 */
export function cleanupSync(opts: { all?: boolean; name?: string } = {}): TeardownReport {
  const report: TeardownReport = { namespaces: [], pids: [], dirs: [] };
  const selected = (name: string, live: boolean) => (opts.name !== undefined ? name === opts.name : opts.all === true || !live);
  const handled = new Set<string>();
  for (const state of listRuns()) {
    if (!selected(state.name, runIsLive(state))) continue;
    const r = teardownStateSync(state, { graceMs: 300 });
    report.namespaces.push(...r.namespaces);
    report.pids.push(...r.pids);
    report.dirs.push(...r.dirs);
    handled.add(state.name);
  }
  // Namespaces without a readable state file (killed while being created, or state dir removed).
  for (const ns of listNamespaces()) {
    const m = NAMESPACE_PATTERN.exec(ns);
    if (!m) continue;
    const run = `kc-${m[1]}-${m[2]}`;
    if (handled.has(run) && report.namespaces.includes(ns)) continue;
    const state = readState(run);
    const live = state ? runIsLive(state) : ownerAlive(Number(m[1]));
    if (!selected(run, live)) continue;
    report.pids.push(...removeNamespaceSync(ns));
    report.namespaces.push(ns);
    if (!state) {
      rmSync(runDir(run), { recursive: true, force: true });
    }
  }
  return report;
}

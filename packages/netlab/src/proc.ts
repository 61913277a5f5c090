// Process helpers: run commands (optionally inside a network namespace), and
// identify, signal and wait for processes by PID without ever matching names.
import { spawn, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Environment for everything netlab starts: no proxy variables, so no client ever sends traffic to a proxy elsewhere. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(http|https|ftp|all|no)_proxy$/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command to completion synchronously; throws with the command and its stderr on a non-zero exit. */
export function runSync(cmd: string, args: string[], opts: { allowFail?: boolean; timeoutMs?: number } = {}): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: opts.timeoutMs ?? 10_000, env: cleanEnv() });
  } catch (err) {
    if (opts.allowFail) return "";
    const e = err as { stderr?: string; status?: number | null; message: string };
    const stderr = (e.stderr ?? "").trim().split("\n").slice(-3).join(" | ");
    throw new Error(`netlab: \`${[cmd, ...args].join(" ")}\` failed (exit ${e.status ?? "?"}): ${stderr || e.message}`);
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in milliseconds (fractional). */
  ms: number;
  timedOut: boolean;
}

/**
 * Runs a command asynchronously, capturing its output; kills it (SIGKILL, by
 * its PID) when `timeoutMs` passes. Never throws for a non-zero exit: callers
 * decide what a failure is.
 */
export function run(cmd: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: opts.env ?? cleanEnv(), cwd: opts.cwd });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout!.setEncoding("utf8").on("data", (d: string) => { if (stdout.length < 1 << 20) stdout += d; });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => { if (stderr.length < 1 << 20) stderr += d; });
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killPid(child.pid, "SIGKILL");
    }, opts.timeoutMs);
    child.on("error", (err) => { if (timer) clearTimeout(timer); reject(new Error(`netlab: cannot start ${cmd}: ${err.message}`)); });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, signal, stdout, stderr, ms, timedOut });
    });
  });
}

/** `ip netns exec NS cmd args...`: ip execs the command itself, so the child's PID is the command's PID. */
export function nsArgs(ns: string, cmd: string, args: string[]): [string, string[]] {
  return ["ip", ["netns", "exec", ns, cmd, ...args]];
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or undefined when it is gone. */
export function procStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: fields after it start past the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (rest[0] === "Z") return undefined; // a zombie is as good as gone
    return Number(rest[19]);
  } catch {
    return undefined;
  }
}

/** True when the process with this PID is alive and (if given) still the one started at `startTime`, not a reused PID. */
export function isSameProcess(pid: number, startTime?: number): boolean {
  const now = procStartTime(pid);
  if (now === undefined) return false;
  return startTime === undefined || now === startTime;
}

export function killPid(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the thread for `ms` (used only in teardown, which must also work inside an exit handler). */
export function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface TrackedPid {
  pid: number;
  startTime?: number;
}

/**
 * Stops processes by PID: SIGTERM, wait up to `graceMs`, then SIGKILL whatever
 * is left. A PID whose start time changed belongs to someone else and is left alone.
 */
export function stopPidsSync(pids: TrackedPid[], graceMs = 1000): void {
  const alive = () => pids.filter((p) => isSameProcess(p.pid, p.startTime));
  for (const p of alive()) killPid(p.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (alive().length > 0 && Date.now() < deadline) sleepSync(10);
  for (const p of alive()) killPid(p.pid, "SIGKILL");
  const killDeadline = Date.now() + 1000;
  while (alive().length > 0 && Date.now() < killDeadline) sleepSync(10);
}

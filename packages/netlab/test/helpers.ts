import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { listNamespaces, procStartTime } from "../src/index.ts";

export const isRoot = process.getuid?.() === 0;
export function skipReason(): string | undefined {
  if (!isRoot) return `netlab root tests skipped: they build network namespaces and need root (uid ${process.getuid?.()})`;
  return undefined;
}

/** Every PID alive (not a zombie) among `pids`. */
export function alive(pids: number[]): number[] {
  return pids.filter((p) => procStartTime(p) !== undefined);
}

/** Asserts-friendly summary of what is left of a run. */
export function leftovers(run: { namespaces: string[]; pids: number[]; dir: string }) {
  const present = new Set(listNamespaces());
  return { namespaces: run.namespaces.filter((n) => present.has(n)), pids: alive(run.pids), dir: existsSync(run.dir) };
}

/** Runs a TypeScript file of this package with Node + tsx (cwd: the package, so `tsx` resolves). */
export function spawnTs(file: string, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", file, ...args], { cwd: new URL("..", import.meta.url).pathname, stdio: ["ignore", "pipe", "pipe"] });
}

/** First line the child prints on stdout (or rejects with its stderr when it exits first). */
export function firstLine(child: ChildProcess, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`no output after ${timeoutMs} ms: ${err}`)), timeoutMs);
    child.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) { clearTimeout(timer); resolve(out.slice(0, nl)); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`child exited (${code}) before printing: ${err}`)); });
  });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
}

export function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() > deadline) return reject(new Error("condition not met in time"));
      setTimeout(tick, 20);
    };
    tick();
  });
}

// What nginx and tftpd-hpa share: where they listen by default, readiness
// polling through the namespace's socket tables, and permission checks.
import { readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ADDR, type Daemon } from "../lab.ts";
import type { Role } from "../state.ts";
import { isSameProcess, sleep } from "../proc.ts";

/** The address an origin listens on by default: the origin's, or the router's client-side one for a "local server". */
export function defaultAddress(role: Role): string {
  if (role === "origin") return ADDR.origin;
  if (role === "router") return ADDR.routerClientSide;
  return ADDR.client;
}

/** Daemons run as nobody: every directory up to `dir` must be world-traversable and `dir` world-readable. */
export function assertWorldReadable(dir: string): void {
  let path = resolve(dir);
  const st = statSync(path);
  if (!st.isDirectory()) throw new Error(`netlab: ${dir} is not a directory`);
  if ((st.mode & 0o005) !== 0o005) throw new Error(`netlab: ${path} must be world-readable (0755): daemons run as nobody`);
  while (path !== "/") {
    path = dirname(path);
    if ((statSync(path).mode & 0o001) === 0) throw new Error(`netlab: ${path} must be world-traversable (o+x): daemons run as nobody`);
  }
}

function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, "0");
}

/**
 * True when a socket of the process's network namespace listens on `port`
 * (TCP state LISTEN, or any bound UDP socket). /proc/PID/net/* shows the
 * namespace of PID, so no command has to run inside it.
 */
export function isListening(pid: number, proto: "tcp" | "udp", port: number): boolean {
  let table: string;
  try {
    table = readFileSync(`/proc/${pid}/net/${proto}`, "utf8");
  } catch {
    return false;
  }
  const want = `:${hexPort(port)}`;
  return table.split("\n").slice(1).some((line) => {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || !cols[1].endsWith(want)) return false;
    return proto === "udp" || cols[3] === "0A";
  });
}

function tail(path: string, lines = 5): string {
  try {
    return readFileSync(path, "utf8").trim().split("\n").slice(-lines).join(" | ");
  } catch {
    return "";
  }
}

/** Waits until the daemon listens, or throws with the tail of its output if it exits or takes too long. */
export async function waitListening(daemon: Daemon, proto: "tcp" | "udp", port: number, extraLog?: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isSameProcess(daemon.pid, daemon.startTime)) {
      throw new Error(`netlab: ${daemon.what} exited during startup: ${tail(daemon.outFile)} ${extraLog ? tail(extraLog) : ""}`.trim());
    }
    if (isListening(daemon.pid, proto, port)) return;
    if (Date.now() > deadline) throw new Error(`netlab: ${daemon.what} does not listen on ${proto}/${port} after ${timeoutMs} ms`);
    await sleep(5);
  }
}

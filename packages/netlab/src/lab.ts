// The topology of LAB.md, built from the root namespace:
//
//   client 198.18.1.2/24 --veth-- 198.18.1.1 router 198.18.2.1 --veth-- 198.18.2.2/24 origin
//
// with default routes via the router and ip_forward=1 in the router. Every run
// has its own namespace names; teardown always runs (normal end, thrown error,
// process exit, SIGINT/SIGTERM), and `cleanupSync` removes what killed runs left.
import { openSync, closeSync, mkdirSync, chmodSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { cleanEnv, nsArgs, procStartTime, run, runSync, stopPidsSync, type RunResult } from "./proc.ts";
import {
  ROLES, makeRunDir, newRunName, readState, teardownStateSync, writeState,
  type PidRecord, type Role, type RunState, type TeardownReport,
} from "./state.ts";

/** Addresses of the lab (all in 198.18.0.0/15, the range set aside for benchmarking). */
export const ADDR = {
  client: "198.18.1.2",
  routerClientSide: "198.18.1.1",
  routerOriginSide: "198.18.2.1",
  origin: "198.18.2.2",
  clientNet: "198.18.1.0/24",
  originNet: "198.18.2.0/24",
} as const;

export interface LabOptions {
  /** Keep the lab after this process exits (CLI `up`); it is then removed by `down` or `cleanup --all`. */
  persistent?: boolean;
  /** Keep the run directory (logs, downloads) after teardown. */
  keepDir?: boolean;
}

export interface Interfaces {
  /** client's veth (198.18.1.2) */
  client: string;
  /** router's veth towards the client (198.18.1.1) */
  routerClientSide: string;
  /** router's veth towards the origin (198.18.2.1) */
  routerOriginSide: string;
  /** origin's veth (198.18.2.2) */
  origin: string;
}

export interface Daemon {
  pid: number;
  startTime?: number;
  role: Role | "root";
  what: string;
  /** stdout and stderr of the process go here */
  outFile: string;
}

const liveLabs = new Set<Lab>();
let hooksInstalled = false;

function teardownAllSync(): void {
  for (const lab of [...liveLabs]) {
    try {
      lab.teardownSync();
    } catch (err) {
      process.stderr.write(`netlab: teardown of ${lab.name} failed: ${(err as Error).message}\n`);
    }
  }
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", teardownAllSync);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      teardownAllSync();
      // If nobody else handles the signal, die of it as the default action would.
      if (process.listenerCount(signal) <= 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

export class Lab {
  readonly name: string;
  readonly id: string;
  readonly dir: string;
  readonly ns: Readonly<Record<Role, string>>;
  readonly ifaces: Readonly<Interfaces>;
  readonly addr = ADDR;
  private readonly state: RunState;
  private readonly keepDir: boolean;
  private tornDown = false;

  private constructor(state: RunState, keepDir: boolean) {
    this.state = state;
    this.name = state.name;
    this.id = state.id;
    this.dir = state.dir;
    this.keepDir = keepDir;
    this.ns = { client: `${state.name}-client`, router: `${state.name}-router`, origin: `${state.name}-origin` };
    // At most 15 characters; unique per run even though each veth end is created directly in its namespace.
    const id = state.id;
    this.ifaces = { client: `kc${id}cr`, routerClientSide: `kc${id}rc`, routerOriginSide: `kc${id}ro`, origin: `kc${id}or` };
  }

  /** Builds the three namespaces, the two veth pairs, addresses, routes and forwarding. */
  static create(opts: LabOptions = {}): Lab {
    if (process.getuid?.() !== 0) throw new Error("netlab: building network namespaces needs root");
    const { name, id } = newRunName();
    const dir = makeRunDir(name);
    const state: RunState = {
      name, id, dir,
      ownerPid: process.pid,
      ownerStartTime: procStartTime(process.pid),
      persistent: opts.persistent ?? false,
      namespaces: ROLES.map((r) => `${name}-${r}`),
      pids: [],
      created: new Date().toISOString(),
    };
    // Recorded before anything exists, so that cleanup finds a run killed halfway through building.
    writeState(state);
    const lab = new Lab(state, opts.keepDir ?? false);
    if (!state.persistent) {
      installExitHooks();
      liveLabs.add(lab);
    }
    try {
      lab.build();
    } catch (err) {
      lab.teardownSync();
      throw err;
    }
    return lab;
  }

  /**
   * Opens an existing run by name (e.g. one made by `netlab up`) to run clients
   * in it or tear it down. The caller does not own it: it is not torn down at exit.
   */
  static open(name: string): Lab {
    const state = readState(name);
    if (!state) throw new Error(`netlab: no run named ${name} (see \`netlab list\`)`);
    return new Lab(state, false);
  }

  /** Records extra information about the run (e.g. the origins `netlab up` started) in its state file. */
  setInfo(info: Record<string, unknown>): void {
    this.state.info = { ...(this.state.info ?? {}), ...info };
    writeState(this.state);
  }

  get info(): Record<string, unknown> {
    return this.state.info ?? {};
  }

  private build(): void {
    const { ns, ifaces } = this;
    for (const role of ROLES) runSync("ip", ["netns", "add", ns[role]]);
    // No IPv6 on the lab's links (set before they exist, so they inherit it): no router
    // solicitations or DAD packets in captures and queues.
    for (const role of ROLES) {
      const sysctls = ["net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"];
      if (role === "router") sysctls.push("net.ipv4.ip_forward=1");
      runSync(...nsArgs(ns[role], "sysctl", ["-q", "-w", ...sysctls]));
    }
    // Each end is created directly inside its namespace: the root namespace never holds these links.
    runSync("ip", ["link", "add", ifaces.client, "netns", ns.client, "type", "veth", "peer", "name", ifaces.routerClientSide, "netns", ns.router]);
    runSync("ip", ["link", "add", ifaces.routerOriginSide, "netns", ns.router, "type", "veth", "peer", "name", ifaces.origin, "netns", ns.origin]);
    const ipn = (role: Role, ...args: string[]) => runSync("ip", ["-n", ns[role], ...args]);
    ipn("client", "link", "set", "lo", "up");
    ipn("client", "addr", "add", `${ADDR.client}/24`, "dev", ifaces.client);
    ipn("client", "link", "set", ifaces.client, "up");
    ipn("client", "route", "add", "default", "via", ADDR.routerClientSide);
    ipn("router", "link", "set", "lo", "up");
    ipn("router", "addr", "add", `${ADDR.routerClientSide}/24`, "dev", ifaces.routerClientSide);
    ipn("router", "addr", "add", `${ADDR.routerOriginSide}/24`, "dev", ifaces.routerOriginSide);
    ipn("router", "link", "set", ifaces.routerClientSide, "up");
    ipn("router", "link", "set", ifaces.routerOriginSide, "up");
    ipn("origin", "link", "set", "lo", "up");
    ipn("origin", "addr", "add", `${ADDR.origin}/24`, "dev", ifaces.origin);
    ipn("origin", "link", "set", ifaces.origin, "up");
    ipn("origin", "route", "add", "default", "via", ADDR.routerOriginSide);
  }

  /** Runs a command in a namespace of the lab to completion (never throws on a non-zero exit). */
  exec(role: Role, cmd: string, args: string[] = [], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
    const [c, a] = nsArgs(this.ns[role], cmd, args);
    return run(c, a, { timeoutMs: opts.timeoutMs ?? 30_000, env: opts.env });
  }

  /** Like exec, but synchronous and throwing on failure; returns stdout. */
  execSync(role: Role, cmd: string, args: string[] = []): string {
    return runSync(...nsArgs(this.ns[role], cmd, args));
  }

  /** A directory inside the run directory, world-readable (0755) so daemons running as nobody can read it. */
  subdir(name: string): string {
    const dir = join(this.dir, name);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    return dir;
  }

  /**
   * Starts a long-running process in a namespace (or the root namespace for
   * "root"), in its own process group, output to a file of the run, and records
   * its PID so teardown and cleanup stop it by PID.
   */
  spawnDaemon(role: Role | "root", cmd: string, args: string[], opts: { what: string; env?: NodeJS.ProcessEnv }): Daemon {
    if (this.tornDown) throw new Error(`netlab: ${this.name} is torn down`);
    const outFile = join(this.dir, `${opts.what}.out`);
    const fd = openSync(outFile, "a");
    const [c, a] = role === "root" ? [cmd, args] : nsArgs(this.ns[role], cmd, args);
    let child;
    try {
      child = spawn(c, a, { stdio: ["ignore", fd, fd], detached: true, env: opts.env ?? cleanEnv() });
    } finally {
      closeSync(fd);
    }
    const pid = child.pid;
    if (pid === undefined) throw new Error(`netlab: cannot start ${cmd}`);
    child.on("error", () => undefined);
    child.unref();
    const record: PidRecord = { pid, startTime: procStartTime(pid), role, what: opts.what };
    this.state.pids.push(record);
    writeState(this.state);
    return { ...record, outFile };
  }

  /** Stops a daemon of this lab by PID (SIGTERM, then SIGKILL after `graceMs`). */
  stopDaemon(daemon: Pick<Daemon, "pid" | "startTime">, graceMs = 1000): void {
    stopPidsSync([daemon], graceMs);
  }

  /** PIDs started by this lab, as recorded. */
  get pids(): readonly PidRecord[] {
    return this.state.pids;
  }

  get isTornDown(): boolean {
    return this.tornDown;
  }

  /** Stops every recorded process, kills whatever else runs in the namespaces, deletes them and the run directory. */
  teardownSync(): TeardownReport {
    if (this.tornDown) return { namespaces: [], pids: [], dirs: [] };
    this.tornDown = true;
    liveLabs.delete(this);
    return teardownStateSync(this.state, { keepDir: this.keepDir });
  }

  async teardown(): Promise<TeardownReport> {
    return this.teardownSync();
  }
}

/** Builds a lab, runs `fn`, and tears the lab down whatever `fn` does. */
export async function withLab<T>(fn: (lab: Lab) => Promise<T> | T, opts: LabOptions = {}): Promise<T> {
  const lab = Lab.create(opts);
  try {
    return await fn(lab);
  } finally {
    lab.teardownSync();
  }
}

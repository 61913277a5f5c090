// tftpd-hpa as a TFTP origin: `in.tftpd -L -s DIR -a ADDR:PORT`, started
// directly in a namespace and stopped by PID.
//
// in.tftpd logs only through syslog(3), i.e. to /dev/log, which this machine
// does not have (and which would be shared by every run). So each tftpd gets
// its own: a small listener (syslog-sink.mjs) serves a Unix socket in the run
// directory, and tftpd runs with that directory bind-mounted over /dev inside
// the private mount namespace `ip netns exec` gives it. tftpd connects to
// /dev/log at startup (LOG_NDELAY), before it chroots into DIR, so the log
// keeps working for every request: `requests()` reads which files were asked for.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Lab } from "../lab.ts";
import type { Role } from "../state.ts";
import { sleep, stopPidsSync } from "../proc.ts";
import { assertWorldReadable, defaultAddress, waitListening } from "./common.ts";

export interface TftpdOptions {
  /** Directory served (tftpd chroots into it; must be world-readable: transfers run as nobody). */
  root: string;
  /** "origin" (default) or "router" for the benchmark's local server. */
  on?: Role;
  /** Default 198.18.2.2 on the origin, 198.18.1.1 on the router. */
  address?: string;
  port?: number;
  /** Extra in.tftpd arguments (e.g. ["-B", "1468"] to cap the block size). */
  extraArgs?: string[];
}

export interface TftpRequest {
  /** "RRQ" (read) or "WRQ" (write) */
  op: string;
  from: string;
  file: string;
}

export interface TftpOrigin {
  kind: "tftpd-hpa";
  on: Role;
  address: string;
  port: number;
  root: string;
  pid: number;
  dir: string;
  /** Requests tftpd logged so far. */
  requests(): TftpRequest[];
  /** Every line tftpd logged (requests, NAKs, errors). */
  log(): string[];
  /** Waits until `file` was requested `count` times (default 1), or throws after `timeoutMs`. */
  waitForRequest(file: string, opts?: { count?: number; timeoutMs?: number }): Promise<void>;
  stop(): void;
}

const sinkScript = fileURLToPath(new URL("./syslog-sink.mjs", import.meta.url));
let instance = 0;

export async function startTftpd(lab: Lab, opts: TftpdOptions): Promise<TftpOrigin> {
  const on = opts.on ?? "origin";
  const address = opts.address ?? defaultAddress(on);
  const port = opts.port ?? 69;
  const root = resolve(opts.root);
  assertWorldReadable(root);
  const tag = `tftpd-${on}-${++instance}`;
  const dir = lab.subdir(tag);
  const devDir = lab.subdir(`${tag}/dev`);
  const socket = join(devDir, "log");
  const logFile = join(dir, "tftpd.log");

  const sink = lab.spawnDaemon("root", process.execPath, [sinkScript, socket, logFile], { what: `${tag}-syslog` });
  for (const deadline = Date.now() + 5000; !existsSync(socket); ) {
    if (Date.now() > deadline) throw new Error(`netlab: the syslog listener for ${tag} did not start (see ${sink.outFile})`);
    await sleep(5);
  }
  // sh execs in.tftpd after the mount, so the recorded PID is tftpd's.
  const tftpd = [
    "in.tftpd", "-L", "-v", "-v", "-v", "-s", root, "-a", `${address}:${port}`, ...(opts.extraArgs ?? []),
  ].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const daemon = lab.spawnDaemon(on, "sh", ["-c", `mount --bind '${devDir}' /dev && exec ${tftpd}`], { what: tag });
  await waitListening(daemon, "udp", port);

  const log = (): string[] => {
    try {
      return readFileSync(logFile, "utf8").split("\n").filter((l) => l.length > 0);
    } catch {
      return [];
    }
  };
  const requests = (): TftpRequest[] => {
    const out: TftpRequest[] = [];
    for (const line of log()) {
      const m = /(RRQ|WRQ) from (\S+) filename (.*)$/.exec(line);
      if (m) out.push({ op: m[1], from: m[2], file: m[3] });
    }
    return out;
  };
  return {
    kind: "tftpd-hpa", on, address, port, root, pid: daemon.pid, dir,
    log, requests,
    async waitForRequest(file, o = {}) {
      const count = o.count ?? 1;
      const deadline = Date.now() + (o.timeoutMs ?? 2000);
      while (requests().filter((r) => r.file === file).length < count) {
        if (Date.now() > deadline) throw new Error(`netlab: tftpd did not log ${count} request(s) for ${file}; log: ${log().slice(-3).join(" | ")}`);
        await sleep(5);
      }
    },
    stop: () => stopPidsSync([daemon, sink]),
  };
}

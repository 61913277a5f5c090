// NetPIPE (Debian's netpipe-tcp, NPtcp), as the thesis measured its NAT: a
// ping-pong of blocks of growing size between the client (transmitter) and
// the origin (receiver), through the router. Bounded: the block sizes go up
// to `maxBytes`, each size is sent `repeats` times (both ends must agree on
// these options), no perturbations (-p 0).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sleep, type Lab } from "@kcache/netlab";

export interface NetpipeOptions {
  /** Largest block (NPtcp -u). */
  maxBytes: number;
  /** Round trips per block size and trial (NPtcp -n). */
  repeats: number;
  timeoutMs: number;
}

export interface NetpipePoint {
  bytes: number;
  mbps: number;
  /** NetPIPE's time for one block: half a round trip, in µs. */
  oneWayUs: number;
}

let instance = 0;

/** NPtcp's options that both ends need. */
export function netpipeArgs(opts: NetpipeOptions): string[] {
  return ["-l", "1", "-u", String(opts.maxBytes), "-p", "0", "-n", String(opts.repeats)];
}

/** Runs NPtcp once, client → `host` in the origin; returns one point per block size. */
export async function runNetpipe(lab: Lab, host: string, opts: NetpipeOptions): Promise<NetpipePoint[]> {
  const out = join(lab.subdir("netpipe"), `np-${++instance}.out`);
  await netpipePair(lab, host, netpipeArgs(opts), ["-o", out], opts.timeoutMs);
  return parseNetpipeOutput(readFileSync(out, "utf8"));
}

/** NPtcp -i: every block that comes back to the transmitter is checked; returns the block sizes that passed and failed. */
export async function checkNetpipeIntegrity(lab: Lab, host: string, opts: NetpipeOptions): Promise<{ passed: number; failed: number }> {
  const transmitterLog = await netpipePair(lab, host, [...netpipeArgs(opts), "-i"], [], opts.timeoutMs);
  return {
    passed: transmitterLog.match(/Integrity check passed/g)?.length ?? 0,
    failed: transmitterLog.match(/Integrity check failed/g)?.length ?? 0,
  };
}

/** Starts the receiver in the origin, runs the transmitter in the client; returns what the transmitter printed. */
async function netpipePair(lab: Lab, host: string, args: string[], transmitterArgs: string[], timeoutMs: number): Promise<string> {
  const receiver = lab.spawnDaemon("origin", "NPtcp", args, { what: `nptcp-receiver-${++instance}` });
  try {
    await sleep(300);
    const r = await lab.exec("client", "NPtcp", ["-h", host, ...args, ...transmitterArgs], { timeoutMs });
    if (r.code !== 0) throw new Error(`NPtcp exited ${r.code}: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ")}`);
    // NPtcp prints its progress lines (and integrity results) on stderr.
    return r.stdout + r.stderr;
  } finally {
    lab.stopDaemon(receiver);
  }
}

/** NPtcp's output file: "bytes Mbps seconds" per line. */
export function parseNetpipeOutput(text: string): NetpipePoint[] {
  const points: NetpipePoint[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/).map(Number);
    if (f.length >= 3 && f.every(Number.isFinite)) points.push({ bytes: f[0]!, mbps: f[1]!, oneWayUs: f[2]! * 1e6 });
  }
  if (points.length === 0) throw new Error("NPtcp wrote no measurements");
  return points;
}

// Packet captures with tcpdump inside a namespace of the lab, for tests that
// must see what reached a host (e.g. a payload a script rewrote on the router).
import { readFileSync } from "node:fs";
import type { Lab } from "./lab.ts";
import type { Role } from "./state.ts";
import { isSameProcess, sleep, stopPidsSync } from "./proc.ts";

export interface CaptureOptions {
  /** Namespace to capture in. */
  on: Role;
  /** Interface (default: "any"). */
  iface?: string;
  /** A pcap filter, e.g. "udp port 69". */
  filter?: string;
  /** Print payloads as hex and ASCII (-X). Default true. */
  hex?: boolean;
}

export interface Capture {
  pid: number;
  /** tcpdump's output so far (one packet per header line, hex lines below when `hex`). */
  text(): string;
  /** Waits until the output matches `pattern`, or throws after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): void;
}

let instance = 0;

/** Starts tcpdump (line-buffered, numeric) and waits until it listens. */
export async function startCapture(lab: Lab, opts: CaptureOptions): Promise<Capture> {
  const args = ["-l", "-n", "-U", "-i", opts.iface ?? "any"];
  if (opts.hex ?? true) args.push("-X");
  if (opts.filter) args.push(...opts.filter.split(/\s+/));
  const daemon = lab.spawnDaemon(opts.on, "tcpdump", args, { what: `tcpdump-${opts.on}-${++instance}` });
  const text = () => {
    try {
      return readFileSync(daemon.outFile, "latin1");
    } catch {
      return "";
    }
  };
  const waitFor = async (pattern: RegExp, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const t = text();
      if (pattern.test(t)) return t;
      if (!isSameProcess(daemon.pid, daemon.startTime)) throw new Error(`netlab: tcpdump exited: ${t.trim().split("\n").slice(-2).join(" | ")}`);
      if (Date.now() > deadline) throw new Error(`netlab: capture did not show ${pattern} within ${timeoutMs} ms`);
      await sleep(10);
    }
  };
  await waitFor(/listening on /);
  return { pid: daemon.pid, text, waitFor, stop: () => stopPidsSync([daemon]) };
}

// Clients run in a namespace of the lab (the client's by default). Each
// download goes to a file of the run, is hashed (sha256) and measured, and
// fails with a clear error on a non-zero exit, an error message, or a timeout.
import { rmSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Lab } from "./lab.ts";
import type { Role } from "./state.ts";
import type { HttpOrigin } from "./origins/nginx.ts";
import type { TftpOrigin } from "./origins/tftpd.ts";
import { sha256File } from "./files.ts";

export const HTTP_CLIENTS = ["wget", "curl", "got"] as const;
export const TFTP_CLIENTS = ["tftp-hpa", "atftp", "curl-tftp", "npm-tftp"] as const;
export type HttpClient = (typeof HTTP_CLIENTS)[number];
export type TftpClient = (typeof TFTP_CLIENTS)[number];
export type ClientName = HttpClient | TftpClient;
export const CLIENTS: readonly ClientName[] = [...HTTP_CLIENTS, ...TFTP_CLIENTS];

export function isHttpClient(c: string): c is HttpClient {
  return (HTTP_CLIENTS as readonly string[]).includes(c);
}
export function isTftpClient(c: string): c is TftpClient {
  return (TFTP_CLIENTS as readonly string[]).includes(c);
}

export interface DownloadOptions {
  /** TFTP block size option (curl-tftp, atftp, npm-tftp; tftp-hpa has none: 512-byte blocks). */
  blksize?: number;
  /** TFTP windowsize option (atftp, npm-tftp). */
  windowsize?: number;
  /** Kill the client and fail after this long (default 30 s). */
  timeoutMs?: number;
  /** Namespace to run in (default "client"). */
  on?: Role;
  /** Fail unless the download has this sha256. */
  expectSha256?: string;
  /** Keep the downloaded file (its path is in the result); default: deleted after hashing. */
  keepFile?: boolean;
}

export interface DownloadSpec extends DownloadOptions {
  client: ClientName;
  /** HTTP clients: the URL. */
  url?: string;
  /** TFTP clients: server address, port (default 69) and file name. */
  host?: string;
  port?: number;
  file?: string;
}

export interface DownloadResult {
  client: ClientName;
  /** URL fetched (tftp://host[:port]/file for TFTP). */
  target: string;
  /**
   * Wall time in ms. Command-line clients: from spawn to exit of the client
   * (via `ip netns exec`). got and npm-tftp: measured inside the Node helper,
   * from the request to the last byte written, so Node's startup is left out.
   */
  ms: number;
  sha256: string;
  bytes: number;
  /** Path of the download when `keepFile` was set. */
  file?: string;
  command: string[];
}

export class ClientError extends Error {
  constructor(
    message: string,
    readonly client: ClientName,
    readonly command: string[],
    readonly stderr: string,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = "ClientError";
  }
}

const helperDir = fileURLToPath(new URL("./clients/", import.meta.url));
let sequence = 0;

function commandFor(spec: DownloadSpec, out: string, timeoutMs: number): { cmd: string; args: string[]; target: string } {
  const { client } = spec;
  const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  if (isHttpClient(client)) {
    if (!spec.url) throw new Error(`netlab: ${client} needs a url`);
    if (spec.blksize !== undefined || spec.windowsize !== undefined) throw new Error(`netlab: ${client} is an HTTP client: no blksize/windowsize`);
    const url = spec.url;
    switch (client) {
      case "wget":
        return { cmd: "wget", args: ["-q", "--no-proxy", "--tries=1", `--timeout=${seconds}`, "-O", out, url], target: url };
      case "curl":
        return { cmd: "curl", args: ["-sS", "-f", "--noproxy", "*", "--max-time", seconds, "-o", out, url], target: url };
      case "got":
        return { cmd: process.execPath, args: [join(helperDir, "got-get.mjs"), url, out, String(timeoutMs)], target: url };
    }
  }
  if (!spec.host || !spec.file) throw new Error(`netlab: ${client} needs host and file`);
  const port = spec.port ?? 69;
  const target = `tftp://${spec.host}${port === 69 ? "" : `:${port}`}/${spec.file}`;
  if (spec.windowsize !== undefined && client !== "atftp" && client !== "npm-tftp") throw new Error(`netlab: ${client} has no windowsize option`);
  switch (client) {
    case "tftp-hpa":
      if (spec.blksize !== undefined) throw new Error("netlab: tftp-hpa has no blksize option (512-byte blocks only)");
      return { cmd: "tftp", args: ["-m", "binary", spec.host, String(port), "-c", "get", spec.file, out], target };
    case "atftp": {
      const options: string[] = [];
      if (spec.blksize !== undefined) options.push("--option", `blksize ${spec.blksize}`);
      if (spec.windowsize !== undefined) options.push("--option", `windowsize ${spec.windowsize}`);
      return { cmd: "atftp", args: ["--get", "-r", spec.file, "-l", out, ...options, spec.host, String(port)], target };
    }
    case "curl-tftp": {
      const options = spec.blksize !== undefined ? ["--tftp-blksize", String(spec.blksize)] : [];
      return { cmd: "curl", args: ["-sS", "--max-time", seconds, ...options, "-o", out, target], target };
    }
    case "npm-tftp":
      return {
        cmd: process.execPath,
        args: [join(helperDir, "tftp-get.mjs"), spec.host, String(port), spec.file, out, String(spec.blksize ?? "-"), String(spec.windowsize ?? "-"), String(timeoutMs)],
        target,
      };
  }
  throw new Error(`netlab: unknown client ${String(client)}`);
}

/** Downloads with one client inside the lab; returns wall time, sha256 and size. */
export async function download(lab: Lab, spec: DownloadSpec): Promise<DownloadResult> {
  if (!(CLIENTS as readonly string[]).includes(spec.client)) throw new Error(`netlab: unknown client "${spec.client}" (one of ${CLIENTS.join(", ")})`);
  const timeoutMs = spec.timeoutMs ?? 30_000;
  const name = basename(spec.file ?? spec.url ?? "download").replace(/[^\w.-]/g, "_") || "download";
  const out = join(lab.subdir("downloads"), `${++sequence}-${spec.client}-${name}`);
  const { cmd, args, target } = commandFor(spec, out, timeoutMs);
  const command = [cmd, ...args];
  // Our own deadline is a little later than the client's, so its own timeout message wins when it has one.
  const result = await lab.exec(spec.on ?? "client", cmd, args, { timeoutMs: timeoutMs + Math.min(2000, Math.ceil(timeoutMs / 4)) });
  // tftp-hpa exits 0 even when the server refuses the file or the transfer times out, and prints why on stdout.
  const stderr = spec.client === "tftp-hpa" ? `${result.stdout}${result.stderr}`.trim() : result.stderr.trim();
  const fail = (why: string): never => {
    rmSync(out, { force: true });
    throw new ClientError(`${spec.client} ${target}: ${why}${stderr ? `: ${stderr.split("\n").slice(-3).join(" | ")}` : ""}`, spec.client, command, stderr, result.timedOut);
  };
  if (result.timedOut) fail(`timed out after ${timeoutMs} ms`);
  if (result.code !== 0) fail(`exit ${result.code ?? result.signal}`);
  if (spec.client === "tftp-hpa" && stderr.length > 0) fail("transfer failed");
  let ms = result.ms;
  if (spec.client === "got" || spec.client === "npm-tftp") {
    const line = result.stdout.trim().split("\n").pop() ?? "";
    try {
      ms = (JSON.parse(line) as { ms: number }).ms;
    } catch {
      fail(`no result line from the helper (stdout: ${line.slice(0, 200)})`);
    }
  }
  let hashed: { sha256: string; bytes: number };
  try {
    hashed = await sha256File(out);
  } catch {
    return fail("no file was written");
  }
  if (!spec.keepFile) rmSync(out, { force: true });
  if (spec.expectSha256 !== undefined && hashed.sha256 !== spec.expectSha256) {
    throw new ClientError(`${spec.client} ${target}: sha256 mismatch (${hashed.bytes} bytes, ${hashed.sha256} != ${spec.expectSha256})`, spec.client, command, stderr, false);
  }
  return { client: spec.client, target, ms, sha256: hashed.sha256, bytes: hashed.bytes, file: spec.keepFile ? out : undefined, command };
}

/** Downloads `file` from a started origin with a client of the matching protocol. */
export function downloadFrom(lab: Lab, origin: HttpOrigin | TftpOrigin, client: ClientName, file: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  if (origin.kind === "nginx") {
    if (!isHttpClient(client)) throw new Error(`netlab: ${client} is not an HTTP client (nginx origin)`);
    return download(lab, { ...opts, client, url: origin.url(file) });
  }
  if (!isTftpClient(client)) throw new Error(`netlab: ${client} is not a TFTP client (tftpd origin)`);
  return download(lab, { ...opts, client, host: origin.address, port: origin.port, file });
}

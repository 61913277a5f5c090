// Command-line options of the benchmark, with the thesis' protocol as default
// and a --quick preset.
import { parseArgs } from "node:util";
import { TFTP_CLIENTS, parseSize, type DownloadOptions, type TftpClient } from "@kcache/netlab";
import { COLUMNS, type Column } from "./columns.ts";

export interface BenchOptions {
  sizes: number[];
  runs: number;
  clients: TftpClient[];
  delaysMs: number[];
  /** A column skips the sizes whose predicted download time (from its last size's fastest run, linear in size) is over this. */
  cellLimitMs: number;
  /** The columns measured (default all; without the miss column the hits' entries are filled from an undelayed client). */
  columns: Column[];
  outDir: string;
}

/** The thesis' 26 sizes: 1 B to 32 MiB, powers of two. */
export const THESIS_SIZES = Array.from({ length: 26 }, (_, i) => 2 ** i);
const QUICK_SIZES = [1, 1024, 64 * 1024, 1024 ** 2, 8 * 1024 ** 2, 32 * 1024 ** 2];

/** What each client asks: tftp-hpa has no options (512-byte blocks); the others ask for 1468-byte blocks, and a window where they can. */
export const CLIENT_OPTIONS: Record<TftpClient, DownloadOptions> = {
  "tftp-hpa": {},
  atftp: { blksize: 1468, windowsize: 16 },
  "curl-tftp": { blksize: 1468 },
  "npm-tftp": { blksize: 1468, windowsize: 16 },
};

/** Short names of the columns for --columns. */
const COLUMN_NAMES: Record<string, Column> = {
  direct: "origin direct", off: "engine, cache off", miss: "cache miss", hit: "cache hit", router: "tftpd-hpa on the router",
};

export const USAGE = `usage: tftp-bench [--quick] [--sizes 1,1k,1M,...] [--runs N] [--clients a,b] [--delays 0,20] [--columns a,b] [--cell-limit-s S] [--out DIR]
  default: the thesis' protocol, 26 sizes (1 B .. 32 MiB), 10 runs, every client, delays 0 and 20 ms each way, every column
  --quick: sizes 1, 1k, 64k, 1M, 8M, 32M and 3 runs
  --clients: any of ${TFTP_CLIENTS.join(", ")}
  --columns: any of ${Object.entries(COLUMN_NAMES).map(([name, column]) => `${name} (${column})`).join(", ")};
             without miss, the hits' entries are filled by a client the delay does not apply to
  --cell-limit-s: a column skips sizes predicted to take longer per download (default 3 s)`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      sizes: { type: "string" },
      runs: { type: "string" },
      clients: { type: "string" },
      delays: { type: "string", default: "0,20" },
      columns: { type: "string" },
      "cell-limit-s": { type: "string", default: "3" },
      out: { type: "string", default: "results" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) throw new UsageExit(USAGE, 0);
  const list = (text: string) => text.split(",").map((s) => s.trim()).filter(Boolean);
  const integer = (name: string, text: string, min: number, max: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageExit(`tftp-bench: ${name} must be an integer ${min}..${max}, got ${text}`, 1);
    return n;
  };
  const sizes = values.sizes ? list(values.sizes).map(parseSize) : values.quick ? QUICK_SIZES : THESIS_SIZES;
  const clients = values.clients ? list(values.clients) : [...TFTP_CLIENTS];
  const columnNames = values.columns ? list(values.columns) : Object.keys(COLUMN_NAMES);
  for (const c of columnNames) if (!(c in COLUMN_NAMES)) throw new UsageExit(`tftp-bench: unknown column ${c} (one of ${Object.keys(COLUMN_NAMES).join(", ")})`, 1);
  for (const c of clients) if (!(TFTP_CLIENTS as readonly string[]).includes(c)) throw new UsageExit(`tftp-bench: unknown client ${c} (one of ${TFTP_CLIENTS.join(", ")})`, 1);
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    runs: integer("--runs", values.runs ?? (values.quick ? "3" : "10"), 1, 1000),
    clients: clients as TftpClient[],
    delaysMs: [...new Set(list(values.delays!).map((d) => integer("--delays", d, 0, 1000)))],
    cellLimitMs: integer("--cell-limit-s", values["cell-limit-s"]!, 1, 3600) * 1000,
    columns: COLUMNS.filter((c) => columnNames.some((name) => COLUMN_NAMES[name] === c)),
    outDir: values.out!,
  };
}

export class UsageExit extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

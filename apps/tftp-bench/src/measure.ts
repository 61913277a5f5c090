// The measurements: for each delay and client, three router setups (nothing
// or only the delay; an accepting script; the cache), each a `kmod run` of its
// own, and tftpd-hpa on the origin and on the router. Every download is
// checked by sha256.
import { copyFileSync, linkSync } from "node:fs";
import { join } from "node:path";
import {
  ClientError, NETEM_BUNDLE, downloadFrom, formatSize, makeTestFiles, type KmodSnapshot, sha256File, startTftpd, type Lab, type TestFile, type TftpClient, type TftpOrigin,
} from "@kcache/netlab";
import { TFTP_CACHE_BUNDLE, startRouter, type ForwardScript, type RunningRouter } from "@kcache/tftp-cache/host/router.ts";
import type { Column } from "./columns.ts";
import { CLIENT_OPTIONS, type BenchOptions } from "./options.ts";

/** The columns whose downloads wait on the origin (and so on its delay). */
const ORIGIN_COLUMNS: readonly Column[] = ["origin direct", "engine, cache off", "cache miss"];

export interface Sample { client: TftpClient; delayMs: number; column: Column; size: number; run: number; ms: number }
export interface Skip { client: TftpClient; delayMs: number; column: Column; size: number; reason: string }
export interface Failure { client: TftpClient; delayMs: number; column: Column; size: number; run: number; error: string }
/**
 * What the engine did during one size's hits (kmod stats and the cache's stats before and after): packets the cache rule
 * saw, sends (one per packet, or per UDP-GSO super-datagram), DATA messages and super-datagrams the cache sent, its Lua time.
 */
export interface Profile {
  client: TftpClient; delayMs: number; size: number; packetsIn: number; packetsSent: number; dataSent: number; gsoSends: number; luaUs: number; storeHits: number;
}

export interface Results { samples: Sample[]; skips: Skip[]; failures: Failure[]; profiles: Profile[] }

/**
 * A second client address the delay does not apply to: when a miss at some
 * delay is too slow to measure, the cache entry the hit column needs is filled
 * from here instead (curl, no delay). The cache's key is the origin's address,
 * mode and file name, not the client's.
 */
const FILLER = "198.18.1.3";
const UNDELAYED = { toOrigin: ["!", "-s", FILLER], fromOrigin: ["!", "-d", FILLER] };

/**
 * The cache's engine waits up to 50 µs for a lock-step client's next ACK
 * without sleeping (kmod's adaptive busy polling: only after it sent DATA,
 * only while ACKs come back that fast; windowed clients take longer and get
 * no spinning).
 */
export const CACHE_BUSY_POLL = ["--busy-poll", "50"];

/** The name of run `run`'s copy of a file (a hard link): each miss asks for a name the cache has not seen. */
const runName = (file: TestFile, run: number) => `${file.name}.r${run}`;

export async function measure(lab: Lab, options: BenchOptions, step: (label: string) => void): Promise<Results> {
  const results: Results = { samples: [], skips: [], failures: [], profiles: [] };
  const srv = lab.subdir("srv");
  const files = makeTestFiles(srv, options.sizes);
  for (const file of files) {
    for (let run = 0; run < options.runs; run++) {
      for (const name of [runName(file, run), `${runName(file, run)}.filled`]) linkSync(join(srv, file.name), join(srv, name));
    }
  }
  const origin = await startTftpd(lab, { root: srv });
  const local = await startTftpd(lab, { root: srv, on: "router" });
  lab.execSync("client", "ip", ["addr", "add", `${FILLER}/24`, "dev", lab.ifaces.client]);
  // Copies of the bundles: a rebuild during a long run must not pull them away from under kmod.
  const netemScript = join(lab.subdir("scripts"), "netem.lua");
  const cacheScript = join(lab.subdir("scripts"), "tftp-cache.lua");
  copyFileSync(NETEM_BUNDLE, netemScript);
  copyFileSync(TFTP_CACHE_BUNDLE, cacheScript);

  for (const delayMs of options.delaysMs) {
    for (const client of options.clients) {
      const cell = new Cells(results, options, client, delayMs, step);
      const withRouter = async (forward: ForwardScript, body: (router: RunningRouter | undefined) => Promise<void>, kmodOptions: string[] = []) => {
        const router = await startRouter(lab, { forward, delayMs, netemScript, cacheScript, undelayed: UNDELAYED, kmodOptions }, `kmod-${client}-${delayMs}ms`);
        try {
          await body(router);
        } finally {
          router?.stop();
        }
      };
      // With a delay, a download from the origin that takes over 4x the cell limit is stopped (and its column with it).
      const timeoutMs = (server: TftpOrigin) => (delayMs > 0 && server === origin ? 4 * options.cellLimitMs : 120_000);
      const get = (server: TftpOrigin, name: string, file: TestFile) =>
        downloadFrom(lab, server, client, name, { ...CLIENT_OPTIONS[client], expectSha256: file.sha256, timeoutMs: timeoutMs(server) }).then((r) => r.ms);

      const measured = (column: Column) => options.columns.includes(column);
      if (measured("origin direct") || measured("tftpd-hpa on the router")) {
        await withRouter("none", async () => {
          for (const file of files) {
            for (let run = 0; run < options.runs; run++) {
              if (measured("origin direct")) await cell.measure("origin direct", file, run, () => get(origin, file.name, file));
              if (measured("tftpd-hpa on the router")) await cell.measure("tftpd-hpa on the router", file, run, () => get(local, file.name, file));
            }
            cell.endSize("origin direct", file);
            cell.endSize("tftpd-hpa on the router", file);
          }
        });
      }
      if (measured("engine, cache off")) {
        await withRouter("accept", async () => {
          for (const file of files) {
            for (let run = 0; run < options.runs; run++) await cell.measure("engine, cache off", file, run, () => get(origin, file.name, file));
            cell.endSize("engine, cache off", file);
          }
        });
      }
      if (!measured("cache miss") && !measured("cache hit")) continue;
      await withRouter({ cache: {} }, async (router) => {
        for (const file of files) {
          // Every run's miss first (each run has its own name), then every run's hit: the Lua time between is the hits'.
          const hitNames: string[] = [];
          for (let run = 0; run < options.runs; run++) {
            const missed = measured("cache miss") && await cell.measure("cache miss", file, run, () => get(origin, runName(file, run), file));
            // A stopped miss may still be recording its name (until the cache's idle time): fill another one.
            hitNames.push(missed ? runName(file, run) : `${runName(file, run)}.filled`);
            if (!missed) await fill(lab, origin, hitNames[run]!, file);
          }
          cell.endSize("cache miss", file);
          if (!measured("cache hit")) continue;
          const before = await snapshot(router!);
          for (let run = 0; run < options.runs; run++) await cell.measure("cache hit", file, run, () => get(origin, hitNames[run]!, file));
          cell.endSize("cache hit", file);
          results.profiles.push(hitProfile(client, delayMs, file.size, before, await snapshot(router!)));
        }
      }, ["--store-budget", String(Math.max(256 * 1024 ** 2, 2 * options.runs * Math.max(...options.sizes))), ...CACHE_BUSY_POLL]);
    }
  }
  return results;
}

interface Snapshot { kmod: KmodSnapshot; cache: { data_sent: number; gso_sends: number } }

async function snapshot(router: RunningRouter): Promise<Snapshot> {
  return { kmod: await router.stats(), cache: (await router.call("0:stats"))[0] as Snapshot["cache"] };
}

function hitProfile(client: TftpClient, delayMs: number, size: number, before: Snapshot, after: Snapshot): Profile {
  const rule = (s: Snapshot) => s.kmod.rules.find((r) => r.name.includes("FORWARD"))!;
  return {
    client, delayMs, size,
    packetsIn: rule(after).packets - rule(before).packets,
    packetsSent: after.kmod.queue.sent - before.kmod.queue.sent,
    dataSent: after.cache.data_sent - before.cache.data_sent,
    gsoSends: after.cache.gso_sends - before.cache.gso_sends,
    luaUs: (rule(after).luaNs - rule(before).luaNs) / 1000,
    storeHits: after.kmod.store.hits - before.kmod.store.hits,
  };
}

/** Caches a file by downloading it from the undelayed filler address (curl, 1468-byte blocks). */
async function fill(lab: Lab, origin: TftpOrigin, name: string, file: TestFile): Promise<void> {
  const out = join(lab.subdir("fill"), name);
  const r = await lab.exec("client", "curl", ["-sS", "--interface", FILLER, "--tftp-blksize", "1468", "-o", out, `tftp://${origin.address}/${name}`], { timeoutMs: 120_000 });
  if (r.code !== 0 || (await sha256File(out)).sha256 !== file.sha256) throw new Error(`filling the cache with ${name} failed: ${r.stderr.trim()}`);
}

/** The cells of one client and delay: measures, records failures, and stops a column at the size limit. */
class Cells {
  /** Columns stopped, with why. */
  readonly #stopped = new Map<Column, string>();
  /** Per column, the last size measured and its fastest run. */
  readonly #last = new Map<Column, { size: number; ms: number }>();
  readonly #times = new Map<string, number[]>();

  constructor(
    readonly results: Results, readonly options: BenchOptions, readonly client: TftpClient, readonly delayMs: number,
    readonly step: (label: string) => void,
  ) {}

  /** Runs one download unless the column stopped below this size; returns whether it ran and succeeded. */
  async measure(column: Column, file: TestFile, run: number, download: () => Promise<number>): Promise<boolean> {
    const { client, delayMs } = this;
    this.step(`${client} ${delayMs} ms ${column} ${file.name} #${run + 1}`);
    const last = this.#last.get(column);
    // Once the time is dominated by the transfer (over an eighth of the limit), it grows about
    // linearly with size: skip a size whose predicted time is over the limit.
    // Only the columns that wait on a delayed origin are limited.
    const limited = delayMs > 0 && ORIGIN_COLUMNS.includes(column);
    const limit = this.options.cellLimitMs;
    if (limited && run === 0 && !this.#stopped.has(column) && last && last.ms > limit / 8 && (last.ms * file.size) / last.size > limit) {
      this.#stopped.set(column, `predicted over ${formatLimit(limit)} from ${formatSize(last.size)}`);
    }
    const stopped = this.#stopped.get(column);
    if (stopped !== undefined) {
      if (run === 0) this.results.skips.push({ client, delayMs, column, size: file.size, reason: stopped });
      return false;
    }
    try {
      const ms = await download();
      this.results.samples.push({ client, delayMs, column, size: file.size, run, ms });
      const key = `${column} ${file.size}`;
      this.#times.set(key, [...(this.#times.get(key) ?? []), ms]);
      return true;
    } catch (error) {
      if (limited && error instanceof ClientError && error.timedOut) {
        this.#stopped.set(column, `a run took over ${formatLimit(4 * limit)} at ${formatSize(file.size)}`);
        this.results.skips.push({ client, delayMs, column, size: file.size, reason: this.#stopped.get(column)! });
        return false;
      }
      const message = error instanceof ClientError ? error.message : String(error);
      this.results.failures.push({ client, delayMs, column, size: file.size, run, error: message });
      return false;
    }
  }

  /** After a size: its fastest run predicts the next size's time. */
  endSize(column: Column, file: TestFile): void {
    const times = this.#times.get(`${column} ${file.size}`) ?? [];
    if (times.length) this.#last.set(column, { size: file.size, ms: Math.min(...times) });
  }
}

function formatLimit(ms: number): string {
  return `${ms / 1000} s`;
}

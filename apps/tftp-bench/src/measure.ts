// The measurements. For each client, one `kmod run` on the router per two
// delays times every column at both delays in turn, run by run, so a slow
// minute of this shared machine weighs on all cells alike. The client reaches
// the origin from one address per column and delay, and the engine's rules
// pick by address what its packets meet: the delay or none, then nothing, an
// accepting script or the cache. tftpd-hpa runs on the origin and on the
// router. Every download is checked by sha256.
import { copyFileSync, linkSync } from "node:fs";
import { join } from "node:path";
import {
  ADDR, ClientError, NETEM_BUNDLE, downloadFrom, formatSize, makeTestFiles, type KmodSnapshot, sha256File, startTftpd, type Lab, type TestFile, type TftpClient, type TftpOrigin,
} from "@kcache/netlab";
import { TFTP_CACHE_BUNDLE, startRouter, type RunningRouter } from "@kcache/tftp-cache/host/router.ts";
import type { Column } from "./columns.ts";
import { CLIENT_OPTIONS, type BenchOptions } from "./options.ts";

/** The columns whose downloads wait on the origin (and so on its delay). */
const ORIGIN_COLUMNS: readonly Column[] = ["origin direct", "engine, cache off", "cache miss"];

export interface Sample { client: TftpClient; delayMs: number; column: Column; size: number; run: number; ms: number }
export interface Skip { client: TftpClient; delayMs: number; column: Column; size: number; reason: string }
export interface Failure { client: TftpClient; delayMs: number; column: Column; size: number; run: number; error: string }
/**
 * What the engine did during the hits of one size (kmod stats and the cache's stats around each hit): packets the
 * cache's rules saw, sends (one per packet, or per UDP-GSO super-datagram), DATA messages and super-datagrams the
 * cache sent, its Lua time.
 */
export interface Profile {
  client: TftpClient; delayMs: number; size: number; packetsIn: number; packetsSent: number; dataSent: number; gsoSends: number; luaUs: number; storeHits: number;
}

export interface Results { samples: Sample[]; skips: Skip[]; failures: Failure[]; profiles: Profile[] }

/**
 * The client's addresses at the `slot`-th delay of an engine: a /29 each
 * from 198.18.1.16 on (the lab's own, .2, is left to other tools), one
 * address per column that goes through the router to the origin. The delay's
 * rules match the /29: a hit never reaches the origin, so it does not matter
 * that its address is in it.
 */
function addressesOf(slot: number) {
  const base = 16 + 8 * slot;
  const at = (n: number) => `198.18.1.${base + n}`;
  return { block: `${at(0)}/29`, direct: at(4), off: at(5), cache: at(2) };
}

/** Delays share an engine two at a time: kmod takes 15 rules, and each delay takes 6 (2 for its delay, 2 each for cache and accept). */
const DELAYS_PER_ENGINE = 2;

/**
 * A client address the delay does not apply to: when a miss at some delay is
 * too slow to measure, the cache entry the hit column needs is filled from
 * here instead (curl, no delay). The cache's key is the origin's address,
 * mode and file name, not the client's.
 */
const FILLER = "198.18.1.3";

/**
 * The cache's engine waits up to 200 µs for a client's next ACK without
 * sleeping (kmod's adaptive busy polling: only after it sent DATA or let a
 * packet go on, only while the next packets come within that on average): a
 * lock-step client ACKs within ~20 µs, atftp a window of 16 within ~100 µs.
 */
export const CACHE_BUSY_POLL = ["--busy-poll", "200"];

/** The name of a run's copy of a file (a hard link): each miss asks for a name the cache has not seen. */
const runName = (file: TestFile, delayMs: number, run: number) => `${file.name}.${delayMs}ms.r${run}`;

export async function measure(lab: Lab, options: BenchOptions, step: (label: string) => void): Promise<Results> {
  const results: Results = { samples: [], skips: [], failures: [], profiles: [] };
  const srv = lab.subdir("srv");
  const files = makeTestFiles(srv, options.sizes);
  for (const file of files) {
    for (const delayMs of options.delaysMs) {
      for (let run = 0; run < options.runs; run++) {
        const name = runName(file, delayMs, run);
        for (const link of [name, `${name}.filled`]) linkSync(join(srv, file.name), join(srv, link));
      }
    }
  }
  const origin = await startTftpd(lab, { root: srv });
  const local = await startTftpd(lab, { root: srv, on: "router" });
  const slots = Array.from({ length: Math.min(DELAYS_PER_ENGINE, options.delaysMs.length) }, (_, slot) => addressesOf(slot));
  for (const address of [FILLER, ...slots.flatMap((a) => [a.direct, a.off, a.cache])]) {
    lab.execSync("client", "ip", ["addr", "add", `${address}/24`, "dev", lab.ifaces.client]);
  }
  // Copies of the bundles: a rebuild during a long run must not pull them away from under kmod.
  const netemScript = join(lab.subdir("scripts"), "netem.lua");
  const cacheScript = join(lab.subdir("scripts"), "tftp-cache.lua");
  copyFileSync(NETEM_BUNDLE, netemScript);
  copyFileSync(TFTP_CACHE_BUNDLE, cacheScript);
  const largest = Math.max(...options.sizes);
  const measured = (column: Column) => options.columns.includes(column);
  const storeBudget = Math.max(256 * 1024 ** 2, 2 * DELAYS_PER_ENGINE * options.runs * largest);

  let source: string = ADDR.client;
  /** Packets to the origin leave from `address`: the default route's preferred source. */
  const sendFrom = (address: string) => {
    if (address === source) return;
    lab.execSync("client", "ip", ["route", "replace", "default", "via", ADDR.routerClientSide, "src", address]);
    source = address;
  };

  for (let first = 0; first < options.delaysMs.length; first += DELAYS_PER_ENGINE) {
    const delays = options.delaysMs.slice(first, first + DELAYS_PER_ENGINE).map((delayMs, slot) => ({ delayMs, ...slots[slot]! }));
    const forward = [
      ...(measured("cache miss") || measured("cache hit") ? [{ script: { cache: {} }, clients: [FILLER, ...delays.map((d) => d.cache)] }] : []),
      ...(measured("engine, cache off") ? [{ script: "accept" as const, clients: delays.map((d) => d.off) }] : []),
    ];
    const delaysByClient = delays.map((d) => ({ delayMs: d.delayMs, clients: [d.block] }));
    for (const client of options.clients) {
      const router = await startRouter(lab, {
        forward, delaysByClient, netemScript, cacheScript, kmodOptions: ["--store-budget", String(storeBudget), ...CACHE_BUSY_POLL],
      }, `kmod-${client}-${delays.map((d) => d.delayMs).join("-")}ms`);
      try {
        const cells = delays.map((d) => new Cells(results, options, client, d.delayMs, step));
        for (const file of files) {
          const profiles = delays.map((d) => (file.size === largest && measured("cache hit") ? newProfile(client, d.delayMs, file.size) : undefined));
          for (let run = 0; run < options.runs; run++) {
            // Every other run takes the delays in the other order: neither gets the first place every time.
            const order = run % 2 ? [...delays.entries()].reverse() : [...delays.entries()];
            for (const [slot, d] of order) {
              const cell = cells[slot]!;
              // With a delay, a download from the origin that takes over 4x the cell limit is stopped (and its column with it).
              const get = (from: string | undefined, server: TftpOrigin, name: string) => {
                if (from) sendFrom(from);
                const timeoutMs = d.delayMs > 0 && server === origin ? 4 * options.cellLimitMs : 120_000;
                return downloadFrom(lab, server, client, name, { ...CLIENT_OPTIONS[client], expectSha256: file.sha256, timeoutMs }).then((r) => r.ms);
              };
              if (measured("origin direct")) await cell.measure("origin direct", file, run, () => get(d.direct, origin, file.name));
              if (measured("tftpd-hpa on the router")) await cell.measure("tftpd-hpa on the router", file, run, () => get(undefined, local, file.name));
              if (measured("engine, cache off")) await cell.measure("engine, cache off", file, run, () => get(d.off, origin, file.name));
              if (!measured("cache miss") && !measured("cache hit")) continue;
              // Each run's miss asks for a name of its own; its hit asks for it again.
              let name = runName(file, d.delayMs, run);
              const missed = measured("cache miss") && await cell.measure("cache miss", file, run, () => get(d.cache, origin, name));
              if (!missed) {
                // A stopped miss may still be recording its name (until the cache's idle time): fill another one.
                name = `${name}.filled`;
                await fill(lab, origin, name, file);
              }
              if (!measured("cache hit")) continue;
              const profile = profiles[slot];
              const before = profile && await snapshot(router!);
              const served = await cell.measure("cache hit", file, run, () => get(d.cache, origin, name));
              if (profile && served) addToProfile(profile, d.cache, before!, await snapshot(router!));
            }
          }
          for (const cell of cells) for (const column of options.columns) cell.endSize(column, file);
          for (const profile of profiles) if (profile) results.profiles.push(profile);
        }
      } finally {
        router?.stop();
      }
    }
  }
  return results;
}

interface Snapshot { kmod: KmodSnapshot; cache: { data_sent: number; gso_sends: number } }

async function snapshot(router: RunningRouter): Promise<Snapshot> {
  return { kmod: await router.stats(), cache: (await router.call("0:stats"))[0] as Snapshot["cache"] };
}

function newProfile(client: TftpClient, delayMs: number, size: number): Profile {
  return { client, delayMs, size, packetsIn: 0, packetsSent: 0, dataSent: 0, gsoSends: 0, luaUs: 0, storeHits: 0 };
}

/** Adds one hit's work: the cache's rules are those of the hit's client address. */
function addToProfile(p: Profile, address: string, before: Snapshot, after: Snapshot): void {
  const cacheRules = (s: Snapshot) => s.kmod.rules.filter((r) => r.name.endsWith(` ${address})`));
  const sum = (s: Snapshot, field: "packets" | "luaNs") => cacheRules(s).reduce((total, r) => total + r[field], 0);
  p.packetsIn += sum(after, "packets") - sum(before, "packets");
  p.packetsSent += after.kmod.queue.sent - before.kmod.queue.sent;
  p.dataSent += after.cache.data_sent - before.cache.data_sent;
  p.gsoSends += after.cache.gso_sends - before.cache.gso_sends;
  p.luaUs += (sum(after, "luaNs") - sum(before, "luaNs")) / 1000;
  p.storeHits += after.kmod.store.hits - before.kmod.store.hits;
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

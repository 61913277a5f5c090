// The cache on the real packet path (root only): kmod in a netlab router with
// dist/tftp-cache.lua, real tftpd-hpa on the origin, and every TFTP client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  KMOD_CLI, Lab, downloadFrom, makeTestFile, sleep, startTftpd, type DownloadOptions, type TestFile, type TftpClient, type TftpOrigin,
} from "@kcache/netlab";
import { startRouter, type RunningRouter } from "../../host/router.ts";

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log("tftp-cache real-path tests skipped: they need root (network namespaces, iptables, NFQUEUE)");

interface ClientCase {
  client: TftpClient;
  options: DownloadOptions;
  /** File size: odd sizes, and one exact multiple of 512 (the transfer ends with an empty block). */
  size: number;
}

const CASES: ClientCase[] = [
  { client: "tftp-hpa", options: {}, size: 512 * 600 },
  { client: "atftp", options: {}, size: 300_001 },
  { client: "atftp", options: { blksize: 1468, windowsize: 16 }, size: 1_048_577 },
  { client: "curl-tftp", options: {}, size: 200_003 },
  { client: "curl-tftp", options: { blksize: 1468 }, size: 700_007 },
  { client: "npm-tftp", options: {}, size: 100_009 },
  { client: "npm-tftp", options: { blksize: 1468, windowsize: 16 }, size: 900_011 },
];

/** The cache's own counters (`kmod call 0:stats`). */
async function cacheStats(router: RunningRouter): Promise<Record<string, number>> {
  return ((await router.call("0:stats")) as [Record<string, number>])[0];
}

const label = (c: ClientCase) => `${c.client}${c.options.blksize ? ` blksize ${c.options.blksize}` : ""}${c.options.windowsize ? ` windowsize ${c.options.windowsize}` : ""}`;
const requestsFor = (tftpd: TftpOrigin, name: string) => tftpd.requests().filter((r) => r.file === name);

describe.skipIf(!isRoot)("the TFTP cache on the real packet path", () => {
  let lab: Lab;
  let srv: string;
  let tftpd: TftpOrigin;

  beforeAll(async () => {
    lab = Lab.create();
    srv = lab.subdir("srv");
    tftpd = await startTftpd(lab, { root: srv });
  });
  afterAll(() => lab?.teardownSync());

  describe("kmod run -A FORWARD -p udp -j LUA --script tftp-cache.lua", () => {
    let router: RunningRouter;
    beforeAll(async () => {
      router = (await startRouter(lab, { forward: { cache: {} } }))!;
    });
    afterAll(() => router?.stop());

    it.each(CASES.map((c, i) => ({ ...c, i })))("$client $options: a miss, then a byte-identical hit the origin never sees", async (c) => {
      const file = makeTestFile(srv, `client-${c.i}.bin`, c.size, label(c));
      const miss = await downloadFrom(lab, tftpd, c.client, file.name, { ...c.options, expectSha256: file.sha256 });
      expect(miss.bytes).toBe(file.size);
      expect(requestsFor(tftpd, file.name)).toHaveLength(1);
      const before = await router.stats();
      const cacheBefore = await cacheStats(router);
      const hit = await downloadFrom(lab, tftpd, c.client, file.name, { ...c.options, expectSha256: file.sha256 });
      expect(hit.sha256).toBe(miss.sha256);
      await sleep(200); // tftpd logs a request as soon as it receives it: give a stray one time to show
      expect(requestsFor(tftpd, file.name), "tftpd saw the hit's request").toHaveLength(1);
      const after = await router.stats();
      expect(after.store.hits).toBeGreaterThan(before.store.hits);
      expect(after.queue.sendErrors).toBe(0);
      // Sent to the client's link, a window as UDP-GSO super-datagrams; nothing fell back to a slower way.
      const cacheAfter = await cacheStats(router);
      expect(cacheAfter).toMatchObject({ send_failures: 0, link_layer_fallbacks: 0, gso_fallbacks: 0 });
      if (c.options.windowsize) expect(cacheAfter.gso_sends).toBeGreaterThan(cacheBefore.gso_sends);
    });

    it("a file cached by one client is a hit for every other client, in its own block size", async () => {
      const file = makeTestFile(srv, "shared.bin", 500_000, "shared");
      await downloadFrom(lab, tftpd, "tftp-hpa", file.name, { expectSha256: file.sha256 });
      for (const c of CASES) await downloadFrom(lab, tftpd, c.client, file.name, { ...c.options, expectSha256: file.sha256 });
      expect(requestsFor(tftpd, file.name)).toHaveLength(1);
      const rule = (await router.stats()).rules[0]!;
      expect(rule.errors).toBe(0);
    });

    it("a missing file passes the origin's ERROR through and is not cached", async () => {
      await expect(downloadFrom(lab, tftpd, "atftp", "no-such-file.bin", { timeoutMs: 5000 })).rejects.toThrow();
      await expect(downloadFrom(lab, tftpd, "atftp", "no-such-file.bin", { timeoutMs: 5000 })).rejects.toThrow();
      // tftpd logs through a socket: wait until both requests are in its log (it fails after 5 s).
      await tftpd.waitForRequest("no-such-file.bin", { count: 2, timeoutMs: 5000 });
      expect(requestsFor(tftpd, "no-such-file.bin")).toHaveLength(2);
    });
  });

  it("keeps its entries across `kmod reload` (the script reloaded in the running engine)", async () => {
    const file: TestFile = makeTestFile(srv, "reload.bin", 400_000, "reload");
    const router = (await startRouter(lab, { forward: { cache: { ttl_ms: 600_000 } } }))!;
    const cacheStatsNow = () => cacheStats(router);
    try {
      await downloadFrom(lab, tftpd, "atftp", file.name, { blksize: 1468, expectSha256: file.sha256 });
      expect(await cacheStatsNow()).toMatchObject({ recorded: 1, misses: 1 });
      const reload = await lab.exec("router", KMOD_CLI, ["reload"]);
      expect(reload.code, reload.stderr).toBe(0);
      expect(await cacheStatsNow(), "a fresh Lua state: the cache's counters start again").toMatchObject({ recorded: 0, misses: 0, hits: 0 });
      expect((await router.call("0:settings"))[0], "the --call configure ran again").toMatchObject({ ttl_ms: 600_000 });
      expect((await router.stats()).store.entries).toBe(1);
      await downloadFrom(lab, tftpd, "tftp-hpa", file.name, { expectSha256: file.sha256 });
      await downloadFrom(lab, tftpd, "atftp", file.name, { blksize: 1468, windowsize: 16, expectSha256: file.sha256 });
      expect(await cacheStatsNow()).toMatchObject({ hits: 2, misses: 0 });
      expect(requestsFor(tftpd, file.name)).toHaveLength(1);
    } finally {
      router.stop();
    }
  });

  it("with kmod's --busy-poll, a lock-step hit waits for its ACKs spinning, at most once per DATA it sends", async () => {
    const file = makeTestFile(srv, "spin.bin", 200 * 512 + 7, "spin");
    const router = (await startRouter(lab, { forward: { cache: {} }, kmodOptions: ["--busy-poll", "50"] }))!;
    try {
      await downloadFrom(lab, tftpd, "tftp-hpa", file.name, { expectSha256: file.sha256 });
      // A miss forwards 201 DATA and 201 ACKs: the engine may spin after each while the next comes within 50 µs.
      const afterMiss = (await router.stats()).queue.busyPolls;
      expect(afterMiss).toBeLessThanOrEqual(2 * 201 + 1);
      await downloadFrom(lab, tftpd, "tftp-hpa", file.name, { expectSha256: file.sha256 });
      const { queue } = await router.stats();
      // After each DATA it sends, the engine spins while ACKs come back within 50 µs on average.
      expect(queue.busyPolls - afterMiss).toBeGreaterThan(0);
      expect(queue.busyPolls - afterMiss).toBeLessThanOrEqual(201);
      expect(requestsFor(tftpd, file.name)).toHaveLength(1);
    } finally {
      router.stop();
    }
  });

  it("with an engine-made delay of 20 ms each way towards the origin, a hit does not wait for it", async () => {
    const file = makeTestFile(srv, "far.bin", 64 * 1024, "far");
    const router = (await startRouter(lab, { forward: { cache: {} }, delayMs: 20 }))!;
    try {
      const miss = await downloadFrom(lab, tftpd, "atftp", file.name, { blksize: 1468, windowsize: 16, expectSha256: file.sha256 });
      const hit = await downloadFrom(lab, tftpd, "atftp", file.name, { blksize: 1468, windowsize: 16, expectSha256: file.sha256 });
      // 45 blocks in lock-step (tftpd-hpa ignores windowsize) cross the 40 ms round trip at least 45 times.
      expect(miss.ms).toBeGreaterThan(45 * 40);
      expect(hit.ms).toBeLessThan(miss.ms / 10);
      expect(requestsFor(tftpd, file.name)).toHaveLength(1);
    } finally {
      router.stop();
    }
  });
});

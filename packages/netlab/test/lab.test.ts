// Root tests: the topology of LAB.md, nginx and tftpd-hpa in the origin, every
// client downloading a small and a 1 MiB file byte for byte, clear failures,
// the local server on the router, and a teardown that leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ADDR, ClientError, HTTP_CLIENTS, Lab, TFTP_CLIENTS, clearRate, download, downloadFrom, limitRate, listNamespaces, makeTestFiles, namespacePids,
  startCapture, startNginx, startTftpd,
  type HttpOrigin, type TestFile, type TftpOrigin,
} from "../src/index.ts";
import { alive, isRoot, leftovers, skipReason, waitUntil } from "./helpers.ts";

if (!isRoot) console.log(skipReason());

/** The ClientError a download fails with (fails the test if it succeeds or fails otherwise). */
async function failure(p: Promise<unknown>): Promise<ClientError> {
  const err = await p.then(() => new Error("expected the download to fail"), (e: unknown) => e);
  expect(err).toBeInstanceOf(ClientError);
  return err as ClientError;
}

describe.skipIf(!isRoot)("lab (root)", () => {
  let lab: Lab;
  let small: TestFile;
  let big: TestFile;
  let nginx: HttpOrigin;
  let tftpd: TftpOrigin;

  beforeAll(async () => {
    lab = Lab.create();
    const srv = lab.subdir("srv");
    [small, big] = makeTestFiles(srv, [{ name: "small.txt", size: 1000 }, { name: "one-mib.bin", size: "1M" }]);
    nginx = await startNginx(lab, { root: srv });
    tftpd = await startTftpd(lab, { root: srv });
  });
  afterAll(() => lab?.teardownSync());

  it("builds client -- router -- origin with unique names, addresses from 198.18.0.0/15 and forwarding on", () => {
    const present = listNamespaces();
    for (const ns of Object.values(lab.ns)) {
      expect(present).toContain(ns);
      expect(ns.startsWith(`kc-${process.pid}-`)).toBe(true);
    }
    for (const name of Object.values(lab.ifaces)) expect(name.length).toBeLessThanOrEqual(15);
    const addrs = (role: "client" | "router" | "origin") =>
      (JSON.parse(lab.execSync(role, "ip", ["-j", "-4", "addr", "show"])) as { ifname: string; addr_info: { local: string; prefixlen: number }[] }[])
        .flatMap((l) => l.addr_info.map((a) => `${l.ifname} ${a.local}/${a.prefixlen}`));
    expect(addrs("client")).toContain(`${lab.ifaces.client} ${ADDR.client}/24`);
    expect(addrs("router")).toEqual(expect.arrayContaining([`${lab.ifaces.routerClientSide} ${ADDR.routerClientSide}/24`, `${lab.ifaces.routerOriginSide} ${ADDR.routerOriginSide}/24`]));
    expect(addrs("origin")).toContain(`${lab.ifaces.origin} ${ADDR.origin}/24`);
    for (const [role, a] of Object.entries({ client: addrs("client"), router: addrs("router"), origin: addrs("origin") })) {
      for (const line of a.filter((l) => !l.startsWith("lo "))) expect(line, role).toMatch(/ 198\.1[89]\.\d+\.\d+\/24$/);
    }
    expect(lab.execSync("client", "ip", ["route", "show", "default"])).toMatch(`default via ${ADDR.routerClientSide}`);
    expect(lab.execSync("origin", "ip", ["route", "show", "default"])).toMatch(`default via ${ADDR.routerOriginSide}`);
    expect(lab.execSync("router", "sysctl", ["-n", "net.ipv4.ip_forward"]).trim()).toBe("1");
    expect(lab.execSync("client", "sysctl", ["-n", "net.ipv4.ip_forward"]).trim()).toBe("0");
    // IPv6 is off on the lab's links: nothing but the test's IPv4 traffic crosses them.
    for (const role of ["client", "router", "origin"] as const) expect(lab.execSync(role, "ip", ["-6", "addr", "show"]).trim(), role).toBe("");
  });

  it("runs the origins as recorded daemons; nginx workers run as nobody", async () => {
    expect(alive([nginx.pid, tftpd.pid])).toEqual([nginx.pid, tftpd.pid]);
    expect(lab.pids.map((p) => p.pid)).toEqual(expect.arrayContaining([nginx.pid, tftpd.pid]));
    const workers = () => lab.execSync("origin", "ps", ["-o", "user=,args=", "--ppid", String(nginx.pid)]).trim();
    await waitUntil(() => workers() !== ""); // the master listens before it forks its worker
    expect(workers()).toMatch(/^nobody\s+nginx: worker process$/);
  });

  for (const client of HTTP_CLIENTS) {
    it(`downloads a small and a 1 MiB file from nginx with ${client}, byte for byte, through the router`, async () => {
      const before = nginx.accessLog().filter((e) => e.path === `/${big.name}`).length;
      for (const f of [small, big]) {
        const r = await downloadFrom(lab, nginx, client, f.name);
        expect(r.sha256).toBe(f.sha256);
        expect(r.bytes).toBe(f.size);
        expect(r.ms).toBeGreaterThan(0);
        expect(r.target).toBe(`http://${ADDR.origin}/${f.name}`);
      }
      // The origin saw the client's address: the request was routed, not answered elsewhere.
      await nginx.waitForRequest(`/${big.name}`, { count: before + 1 });
      const mine = nginx.accessLog().filter((e) => e.path === `/${big.name}`).slice(before);
      expect(mine).toEqual([{ remote: ADDR.client, method: "GET", path: `/${big.name}`, status: 200, bytes: big.size }]);
    });
  }

  for (const client of TFTP_CLIENTS) {
    it(`downloads a small and a 1 MiB file from tftpd-hpa with ${client}, byte for byte, and tftpd logs the request`, async () => {
      const before = tftpd.requests().filter((r) => r.file === big.name).length;
      for (const f of [small, big]) {
        const r = await downloadFrom(lab, tftpd, client, f.name);
        expect(r.sha256).toBe(f.sha256);
        expect(r.bytes).toBe(f.size);
      }
      await tftpd.waitForRequest(big.name, { count: before + 1 });
      expect(tftpd.requests().filter((r) => r.file === big.name).every((r) => r.op === "RRQ" && r.from === ADDR.client)).toBe(true);
    });
  }

  it("passes TFTP options: blksize for atftp, curl and npm-tftp, windowsize for atftp and npm-tftp", async () => {
    const runs = [
      { client: "atftp", blksize: 1468, windowsize: 4 },
      { client: "curl-tftp", blksize: 1468 },
      { client: "npm-tftp", blksize: 1024, windowsize: 2 },
    ] as const;
    for (const opts of runs) {
      const r = await downloadFrom(lab, tftpd, opts.client, big.name, { ...opts, expectSha256: big.sha256 });
      expect(r.bytes, opts.client).toBe(big.size);
    }
    // tftp-hpa has no blksize option: asking for one is refused before anything runs.
    await expect(downloadFrom(lab, tftpd, "tftp-hpa", big.name, { blksize: 1468 })).rejects.toThrow(/no blksize/);
  });

  it("fails clearly on a missing file, with every client", async () => {
    for (const client of HTTP_CLIENTS) {
      const err = await failure(downloadFrom(lab, nginx, client, "missing.bin"));
      expect(err.message).toMatch(new RegExp(`^${client} http://198\\.18\\.2\\.2/missing\\.bin: exit `));
    }
    for (const client of TFTP_CLIENTS) {
      const err = await failure(downloadFrom(lab, tftpd, client, "missing.bin", { timeoutMs: 5000 }));
      expect(err.client).toBe(client);
      expect(err.timedOut, client).toBe(false);
    }
    // tftp-hpa exits 0 here: its error message is what tells.
    const err = await failure(downloadFrom(lab, tftpd, "tftp-hpa", "missing.bin"));
    expect(err.message).toMatch(/transfer failed: Error code 1: File not found/);
  });

  it("fails on a wrong sha256 and on a timeout, and kills the client", async () => {
    await expect(downloadFrom(lab, nginx, "curl", small.name, { expectSha256: big.sha256 })).rejects.toThrow(/sha256 mismatch \(1000 bytes/);
    // Nothing listens on port 6969 and tftp-hpa retries for 25 s: the deadline kills it.
    const started = Date.now();
    const err = await failure(download(lab, { client: "tftp-hpa", host: ADDR.origin, port: 6969, file: small.name, timeoutMs: 500 }));
    expect(err.timedOut).toBe(true);
    expect(err.message).toMatch(/^tftp-hpa tftp:\/\/198\.18\.2\.2:6969\/small\.txt: timed out after 500 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(namespacePids(lab.ns.client)).toEqual([]);
  });

  it("runs origins on the router too (the local server), answering without the origin", async () => {
    const srv = lab.subdir("srv");
    const localHttp = await startNginx(lab, { root: srv, on: "router" });
    const localTftp = await startTftpd(lab, { root: srv, on: "router" });
    expect(localHttp.address).toBe(ADDR.routerClientSide);
    const originHits = nginx.accessLog().length;
    const h = await downloadFrom(lab, localHttp, "wget", big.name, { expectSha256: big.sha256 });
    expect(h.target).toBe(`http://${ADDR.routerClientSide}/${big.name}`);
    await downloadFrom(lab, localTftp, "atftp", big.name, { blksize: 1468, expectSha256: big.sha256 });
    await localHttp.waitForRequest(`/${big.name}`);
    expect(localHttp.accessLog().map((e) => e.path)).toEqual([`/${big.name}`]);
    await localTftp.waitForRequest(big.name);
    expect(localTftp.requests().map((r) => r.file)).toEqual([big.name]);
    expect(nginx.accessLog().length).toBe(originHits);
    localHttp.stop();
    localTftp.stop();
    expect(alive([localHttp.pid, localTftp.pid])).toEqual([]);
  });

  it("captures at the origin what the client sent (npm-tftp asks for blksize and windowsize, without a timeout option)", async () => {
    const cap = await startCapture(lab, { on: "origin", iface: lab.ifaces.origin, filter: "udp port 69" });
    await downloadFrom(lab, tftpd, "npm-tftp", small.name, { blksize: 1200, windowsize: 3, expectSha256: small.sha256 });
    const text = await cap.waitFor(/RRQ "small\.txt"/);
    cap.stop();
    expect(text).toMatch(/198\.18\.1\.2\.\d+ > 198\.18\.2\.2\.69: TFTP, length \d+, RRQ "small\.txt" octet blksize 1200 windowsize 3 rollover 0 tsize 0$/m);
    expect(text).not.toMatch(/timeout/);
    expect(alive([cap.pid])).toEqual([]);
  });

  it("limits a link's rate with tbf and lifts the limit", async () => {
    limitRate(lab, "origin", lab.ifaces.origin, { mbit: 20 });
    expect(lab.execSync("origin", "tc", ["qdisc", "show", "dev", lab.ifaces.origin])).toMatch(/tbf .*rate 20Mbit/);
    // 1 MiB at 20 Mbit/s takes at least ~0.42 s, however fast the machine.
    const slow = await downloadFrom(lab, nginx, "curl", big.name, { expectSha256: big.sha256 });
    expect(slow.ms).toBeGreaterThan(350);
    clearRate(lab, "origin", lab.ifaces.origin);
    expect(lab.execSync("origin", "tc", ["qdisc", "show", "dev", lab.ifaces.origin])).not.toMatch(/tbf/);
  });

  it("starts any daemon in a namespace, records it, and stops it by PID", async () => {
    const d = lab.spawnDaemon("router", "sleep", ["600"], { what: "sleeper" });
    // `ip netns exec` joins the namespace and then execs sleep under the same PID.
    await waitUntil(() => namespacePids(lab.ns.router).includes(d.pid));
    expect(lab.pids.map((p) => p.pid)).toContain(d.pid);
    lab.stopDaemon(d);
    expect(alive([d.pid])).toEqual([]);
  });

  it("refuses to serve a directory that nobody cannot read", async () => {
    const priv = mkdtempSync(join(tmpdir(), "netlab-private-"));
    chmodSync(priv, 0o700);
    try {
      await expect(startNginx(lab, { root: priv })).rejects.toThrow(/must be world-readable/);
    } finally {
      rmSync(priv, { recursive: true, force: true });
    }
  });

  it("tears down everything: daemons and their children, namespaces, run directory", () => {
    const pids = [...new Set([...lab.pids.map((p) => p.pid), ...Object.values(lab.ns).flatMap((ns) => namespacePids(ns))])];
    expect(alive(pids).length).toBeGreaterThanOrEqual(3); // nginx master + worker, tftpd, ...
    lab.teardownSync();
    expect(leftovers({ namespaces: Object.values(lab.ns), pids, dir: lab.dir })).toEqual({ namespaces: [], pids: [], dir: false });
  });
});

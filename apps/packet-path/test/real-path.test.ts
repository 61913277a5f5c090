// The engine on the real packet path (root only): kmod in the router of a
// netlab topology, with real origins and clients.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADDR, CLIENTS, KMOD_CLI as KMOD, Lab, downloadFrom, isHttpClient, kcacheRules, makeTestFiles, sleep, startCapture, startKmod, startNginx,
  startTftpd,
  type HttpOrigin, type TestFile, type TftpOrigin,
} from "@kcache/netlab";

const script = (name: string) => fileURLToPath(new URL(`./scripts/${name}.lua`, import.meta.url));
const UDP = fileURLToPath(new URL("../src/udp.mjs", import.meta.url));
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log("packet-path tests skipped: they need root (network namespaces, iptables, NFQUEUE)");

describe.skipIf(!isRoot)("kmod on the real packet path", () => {
  let lab: Lab;
  let nginx: HttpOrigin;
  let tftpd: TftpOrigin;
  let small: TestFile;
  let large: TestFile;

  beforeAll(async () => {
    lab = Lab.create();
    const srv = lab.subdir("srv");
    [small, large] = makeTestFiles(srv, ["1000", "1M"]) as [TestFile, TestFile];
    nginx = await startNginx(lab, { root: srv });
    tftpd = await startTftpd(lab, { root: srv });
  });
  afterAll(() => lab?.teardownSync());

  it("an accepting script passes byte-identical downloads from nginx and tftpd-hpa to every client; --busy-poll waits for the packets that follow those it lets go on", async () => {
    // A budget no transfer's gaps exceed: the engine spins after every batch that passed a packet on.
    const kmod = await startKmod(lab, ["--busy-poll", "100000", "-A", "FORWARD", "-j", "LUA", "--script", script("accept")]);
    try {
      for (const client of CLIENTS) {
        const origin = isHttpClient(client) ? nginx : tftpd;
        for (const file of [small, large]) {
          const r = await downloadFrom(lab, origin, client, file.name, { expectSha256: file.sha256 });
          expect(r.bytes, `${client} ${file.name}`).toBe(file.size);
        }
      }
      const stats = await kmod.stats();
      expect(stats.rules[0]!.packets).toBeGreaterThan(1000);
      expect(stats.rules[0]!.errors).toBe(0);
      expect(stats.rules[0]!.verdicts.ACCEPT).toBe(stats.rules[0]!.packets);
      // One spin at most per batch, and the next packet of a transfer ends most of them.
      expect(stats.queue.busyPolls).toBeGreaterThan(0);
      expect(stats.queue.busyPolls).toBeLessThanOrEqual(stats.rules[0]!.packets);
      expect(stats.queue.busyPollHits).toBeGreaterThan(stats.queue.busyPolls / 2);
    } finally {
      kmod.stop();
    }
    expect(kcacheRules(lab)).toEqual([]);
  });

  it("a forwarded TCP stream reaches scripts as GSO packets larger than the MTU; changed, they go on intact", async () => {
    const kmod = await startKmod(lab, ["-A", "FORWARD", "-p", "tcp", "-j", "LUA", "--script", script("gso-whole")]);
    try {
      const r = await downloadFrom(lab, nginx, "wget", large.name, { expectSha256: large.sha256 });
      expect(r.bytes).toBe(large.size);
      const [largest] = (await kmod.call("0:largest_packet")) as [number];
      expect(largest).toBeGreaterThan(1500);
      const stats = await kmod.stats();
      expect(stats.queue.gso).toBeGreaterThan(0);
      expect(stats.queue.checksumsCompleted).toBeGreaterThan(0);
      expect(stats.queue.modified).toBe(stats.rules[0]!.packets);
      expect(stats.rules[0]!.errors).toBe(0);
    } finally {
      kmod.stop();
    }
  });

  it("a dropping script drops: the download fails and every packet is counted as dropped", async () => {
    const kmod = await startKmod(lab, ["-A", "FORWARD", "-p", "tcp", "--dport", "80", "-j", "LUA", "--script", script("drop")]);
    try {
      await expect(downloadFrom(lab, nginx, "curl", small.name, { timeoutMs: 3000 })).rejects.toThrow();
      const stats = await kmod.stats();
      expect(stats.rules[0]!.packets).toBeGreaterThan(0);
      expect(stats.rules[0]!.verdicts.DROP).toBe(stats.rules[0]!.packets);
      // TFTP is not matched by the rule and still works.
      await downloadFrom(lab, tftpd, "atftp", small.name, { expectSha256: small.sha256 });
    } finally {
      kmod.stop();
    }
  });

  it("a script's change to a packet's payload is what the origin receives", async () => {
    const kmod = await startKmod(lab, ["-A", "FORWARD", "-p", "udp", "-j", "LUA", "--script", script("rewrite")]);
    try {
      const listener = lab.exec("origin", "node", [UDP, "listen", "9000", "1", "5000"]);
      await sleep(300);
      await lab.exec("client", "node", [UDP, "send", ADDR.origin, "9000", "hello origin"]);
      const received = (await listener).stdout.trim().split("\n").map((l) => JSON.parse(l));
      expect(received[1]).toMatchObject({ from: ADDR.client, payload: "HELLO ORIGIN" });
    } finally {
      kmod.stop();
    }
  });

  it("a packet made by a script, spoofing the origin, reaches the client", async () => {
    const kmod = await startKmod(lab, ["--load", `0:${script("reply")}`, "-A", "FORWARD", "-p", "udp", "--dport", "9001", "-j", "LUA", "--script", script("spoof")]);
    try {
      const r = await lab.exec("client", "node", [UDP, "send", ADDR.origin, "9001", "ping", "1500"]);
      const replies = r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
      expect(replies).toEqual([{ from: ADDR.origin, port: 9001, payload: "spoofed reply to ping" }]);
      expect((await kmod.stats()).queue.sent).toBe(1);
    } finally {
      kmod.stop();
    }
  });

  it("a packet a script sends as a frame (kmod.send_l2) reaches the client", async () => {
    const kmod = await startKmod(lab, ["--load", `0:${script("reply")}`, "-A", "FORWARD", "-p", "udp", "--dport", "9005", "-j", "LUA", "--script", script("l2")]);
    try {
      const r = await lab.exec("client", "node", [UDP, "send", ADDR.origin, "9005", "me", "1500"]);
      const replies = r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
      expect(replies).toEqual([{ from: ADDR.origin, port: 9005, payload: "frame for me" }]);
      expect((await kmod.stats()).queue).toMatchObject({ sent: 1, sendErrors: 0 });
    } finally {
      kmod.stop();
    }
  });

  it("a TCP super-segment a script sends reaches the client whole over veth, and is cut into MSS-sized segments where the device cannot take it (GSO)", async () => {
    const kmod = await startKmod(lab, ["-A", "FORWARD", "-p", "udp", "--dport", "9003", "-j", "LUA", "--script", script("gso")]);
    const capture = async () => {
      const c = await startCapture(lab, { on: "client", iface: lab.ifaces.client, filter: "tcp and port 80", hex: false });
      await lab.exec("client", "node", [UDP, "send", ADDR.origin, "9003", "go", "300"]);
      // The client's kernel answers with RST: it accepted the segments as valid TCP (a bad checksum is dropped silently).
      const text = await c.waitFor(/5555 > 198\.18\.2\.2\.80: Flags \[R\]/);
      c.stop();
      return text.split("\n").filter((l) => /198\.18\.2\.2\.80 > 198\.18\.1\.2\.5555: Flags/.test(l)).map((l) => Number(/length (\d+)/.exec(l)?.[1]));
    };
    try {
      // veth takes GSO packets as they are: one 10,000-byte packet arrives and the client's stack takes it.
      expect(await capture()).toEqual([10_000]);
      // Without segmentation offload on the router's side, the kernel cuts it into 1000-byte segments.
      lab.execSync("router", "ethtool", ["-K", lab.ifaces.routerClientSide, "tso", "off", "gso", "off"]);
      expect(await capture()).toEqual(Array.from({ length: 10 }, () => 1000));
      expect((await kmod.stats()).queue.sent).toBe(2);
    } finally {
      lab.execSync("router", "ethtool", ["-K", lab.ifaces.routerClientSide, "tso", "on", "gso", "on"]);
      kmod.stop();
    }
  });

  it("--link-layer presents an Ethernet header with the sender's MAC to PacketScript-style scripts (lua-std)", async () => {
    const luaStd = fileURLToPath(new URL("../../../packages/lua-std/dist/lua-std.lua", import.meta.url));
    const kmod = await startKmod(lab, [
      "--load", `0:${luaStd}`, "--load", `0:${script("reply")}`,
      "-A", "FORWARD", "-p", "udp", "--dport", "9004", "-j", "LUA", "--script", script("eth"), "--link-layer",
    ]);
    try {
      const mac = /link\/ether ([0-9a-f:]+)/.exec(lab.execSync("client", "ip", ["link", "show", lab.ifaces.client]))![1]!;
      const r = await lab.exec("client", "node", [UDP, "send", ADDR.origin, "9004", "who am i", "1000"]);
      const [reply] = r.stdout.trim().split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { payload: string }).payload);
      expect(reply!.toLowerCase()).toBe(`smac=${mac} saddr=${ADDR.client}`);
    } finally {
      kmod.stop();
    }
  });

  it("`kmod reload` gives the scripts fresh Lua states and keeps the content store; `kmod call` reaches them", async () => {
    const kmod = await startKmod(lab, ["--load", `0:${script("reply")}`, "-A", "FORWARD", "-p", "udp", "--dport", "9002", "-j", "LUA", "--script", script("store-reload")]);
    const ask = async (text: string) => {
      const r = await lab.exec("client", "node", [UDP, "send", ADDR.origin, "9002", text, "1000"]);
      return r.stdout.trim().split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { payload: string }).payload);
    };
    try {
      expect(await ask("first")).toEqual(["seen=1 store=first"]);
      expect(await ask("second")).toEqual(["seen=2 store=first"]);
      const reload = await lab.exec("router", KMOD, ["reload"]);
      expect(reload.stdout).toMatch(/reloaded 1 rule/);
      expect(await ask("third")).toEqual(["seen=1 store=first"]);
      expect((await kmod.stats()).rules[0]!.packets).toBe(1);
      expect((await lab.exec("router", KMOD, ["call", "0:seen_count"])).stdout.trim()).toBe("[1]");
    } finally {
      kmod.stop();
    }
  });

  it("delaying the origin side by 20 ms each way adds about 40 ms to a round trip", async () => {
    const ping = async () => {
      const r = await lab.exec("client", "ping", ["-n", "-q", "-c", "5", "-i", "0.2", ADDR.origin]);
      const avg = /= [\d.]+\/([\d.]+)\//.exec(r.stdout)?.[1];
      if (!avg) throw new Error(`ping: ${r.stdout}${r.stderr}`);
      return Number(avg);
    };
    const before = await ping();
    const originSide = lab.ifaces.routerOriginSide;
    const kmod = await startKmod(lab, [
      "--call", "0:configure:20",
      "-A", "FORWARD", "-o", originSide, "-j", "LUA", "--script", script("delay"),
      "-A", "FORWARD", "-i", originSide, "-j", "LUA", "--script", script("delay"),
    ]);
    try {
      const added = (await ping()) - before;
      expect(added).toBeGreaterThan(38);
      expect(added).toBeLessThan(80);
      const stats = await kmod.stats();
      expect(stats.queue.held).toBe(stats.queue.released);
    } finally {
      kmod.stop();
    }
  });

  it("a killed engine leaves rules that `kmod cleanup` removes; traffic flows again", async () => {
    const kmod = await startKmod(lab, ["-A", "FORWARD", "-j", "LUA", "--script", script("accept")]);
    const transfer = downloadFrom(lab, tftpd, "tftp-hpa", large.name, { timeoutMs: 20_000 }).catch((e: Error) => e);
    await sleep(150);
    process.kill(kmod.daemon.pid, "SIGKILL");
    await transfer;
    expect(kcacheRules(lab).length).toBeGreaterThan(0);
    const cleanup = await lab.exec("router", KMOD, ["cleanup"]);
    expect(cleanup.stdout).toMatch(/removed .*chain KCACHE-FORWARD/);
    expect(kcacheRules(lab)).toEqual([]);
    // --queue-bypass: with no listener the queue accepts, and after cleanup no queue is left at all.
    await downloadFrom(lab, tftpd, "atftp", small.name, { expectSha256: small.sha256 });
  });

  describe("bad input gets one clear line, a non-zero exit, and no installed rule", () => {
    const cases: [string, string[], RegExp][] = [
      ["an unknown flag", ["run", "--bogus"], /unknown option '--bogus'/],
      ["a missing script", ["run", "-A", "FORWARD", "-j", "LUA", "--script", "/nonexistent.lua"], /no such file/],
      ["a script with a syntax error", ["run", "-A", "FORWARD", "-j", "LUA", "--script", script("broken")], /broken\.lua:5: .*expected/],
      ["a match iptables rejects", ["run", "-A", "FORWARD", "-p", "udp", "--dport", "notaport", "-j", "LUA", "--script", script("accept")], /rule 1: iptables .*notaport/],
      ["a missing -j LUA", ["run", "-A", "FORWARD", "-p", "udp"], /missing '-j LUA'/],
      ["an unknown chain", ["run", "-A", "SIDEWAYS", "-j", "LUA", "--script", script("accept")], /unknown chain 'SIDEWAYS'/],
    ];
    it.each(cases)("%s", async (_what, args, message) => {
      const r = await lab.exec("router", KMOD, args);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(kcacheRules(lab)).toEqual([]);
    });
  });
});

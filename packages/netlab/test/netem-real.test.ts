// netem on the real packet path (root only): the bundle run by the kmod CLI
// in a lab's router, on the router-origin link, with real pings, downloads
// and UDP bursts.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADDR, Lab, NETEM_BUNDLE, downloadFrom, makeTestFiles, netemKmodArgs, sleep, startNetem, startNginx, type HttpOrigin, type TestFile } from "../src/index.ts";
import { skipReason } from "./helpers.ts";

const reason = skipReason();
if (reason) console.log(reason);
const BURST = fileURLToPath(new URL("./fixtures/udp-burst.mjs", import.meta.url));

describe("netemKmodArgs (the kmod rules startNetem runs; no root needed)", () => {
  const lua = ["-j", "LUA", "--script", NETEM_BUNDLE];
  it("both ways, with the router's own traffic, one configuration on state 0, on MTU-sized packets", () => {
    expect(netemKmodArgs("kc1ro", { delay_ms: 20 })).toEqual([
      "--segment-gso", "--call", '0:configure:{"delay_ms":20}',
      "-A", "FORWARD", "-o", "kc1ro", ...lua, "-A", "OUTPUT", "-o", "kc1ro", ...lua,
      "-A", "FORWARD", "-i", "kc1ro", ...lua, "-A", "INPUT", "-i", "kc1ro", ...lua,
    ]);
  });
  it("one way, forwarded traffic only, with extra matches", () => {
    expect(netemKmodArgs("kc1ro", { loss_percent: 5, ways: "from-origin", routerTraffic: false, match: ["-p", "udp"] })).toEqual([
      "--segment-gso", "--call", '0:configure:{"loss_percent":5}', "-A", "FORWARD", "-i", "kc1ro", "-p", "udp", ...lua,
    ]);
    expect(() => netemKmodArgs("kc1ro", { ways: "sideways" as "both" })).toThrow(/ways must be both, to-origin or from-origin/);
  });
});

describe.skipIf(reason !== undefined)("netem on a lab's router-origin link (kmod, NFQUEUE)", () => {
  let lab: Lab;
  let nginx: HttpOrigin;
  let file: TestFile;
  let bursts = 0;

  beforeAll(async () => {
    lab = Lab.create();
    const srv = lab.subdir("srv");
    [file] = makeTestFiles(srv, ["1M"]) as [TestFile];
    nginx = await startNginx(lab, { root: srv });
  });
  afterAll(() => lab?.teardownSync());

  /** Average RTT of 5 pings from the client to the origin, ms. */
  async function ping(): Promise<number> {
    const r = await lab.exec("client", "ping", ["-n", "-q", "-c", "5", "-i", "0.2", ADDR.origin]);
    const avg = /= [\d.]+\/([\d.]+)\//.exec(r.stdout)?.[1];
    if (!avg) throw new Error(`ping: ${r.stdout}${r.stderr}`);
    return Number(avg);
  }

  /** Sends `count` numbered datagrams client -> origin:port (perMs a millisecond); the sequence numbers the origin got, in order. */
  async function burst(port: number, count: number, perMs: number): Promise<number[]> {
    const ready = join(lab.dir, `listening-${port}-${bursts++}`);
    const listener = lab.exec("origin", "node", [BURST, "listen", String(port), "1000", "20000", ready]);
    for (let i = 0; i < 100 && !existsSync(ready); i++) await sleep(50);
    expect(existsSync(ready)).toBe(true);
    const sender = await lab.exec("client", "node", [BURST, "send", ADDR.origin, String(port), String(count), String(perMs)]);
    expect(sender.code).toBe(0);
    const lines = (await listener).stdout.trim().split("\n");
    return JSON.parse(lines[lines.length - 1]!) as number[];
  }

  it("20 ms each way adds about 40 ms to a ping's round trip; a download through it is intact", async () => {
    const before = await ping();
    const netem = await startNetem(lab, { delay_ms: 20 });
    try {
      const added = (await ping()) - before;
      expect(added).toBeGreaterThan(39);
      expect(added).toBeLessThan(70);
      const r = await downloadFrom(lab, nginx, "wget", file.name, { expectSha256: file.sha256 });
      expect(r.bytes).toBe(file.size);
      await sleep(100);
      const stats = await netem.stats();
      const forward = stats.rules.filter((rule) => rule.name.includes("FORWARD"));
      expect(forward).toHaveLength(2);
      for (const rule of forward) {
        expect(rule.errors).toBe(0);
        expect(rule.verdicts.STOLEN).toBe(rule.packets); // every packet held, none lost
      }
      expect(stats.queue.held).toBe(stats.queue.released);
    } finally {
      netem.stop();
    }
    expect(Math.abs((await ping()) - before)).toBeLessThan(15);
  });

  it("loss: every datagram missing at the origin is one netem dropped, about 20% of 500", async () => {
    const netem = await startNetem(lab, { delay_ms: 0, loss_percent: 20, seed: 1, ways: "to-origin", routerTraffic: false, match: ["-p", "udp", "--dport", "9100"] });
    try {
      const got = await burst(9100, 500, 10);
      const [rule] = (await netem.stats()).rules;
      expect(rule!.packets).toBe(500);
      expect(got.length + rule!.verdicts.DROP!).toBe(500);
      expect(Math.abs(rule!.verdicts.DROP! - 100)).toBeLessThan(45); // sd = sqrt(500 * 0.2 * 0.8) = 8.9
      expect(got).toEqual([...got].sort((a, b) => a - b));
    } finally {
      netem.stop();
    }
  });

  it("jitter of ±8 ms keeps a burst in order by default, and reorders it with reorder: true", async () => {
    const config = { delay_ms: 10, jitter_ms: 8, ways: "to-origin", routerTraffic: false, match: ["-p", "udp", "--dport", "9101"] } as const;
    const inOrder = await startNetem(lab, config, "netem-jitter");
    let fifo: number[];
    try {
      fifo = await burst(9101, 300, 10);
    } finally {
      inOrder.stop();
    }
    expect(fifo).toEqual([...Array(300).keys()]);

    const reordering = await startNetem(lab, { ...config, reorder: true }, "netem-jitter"); // same output file: must wait for its own start
    let free: number[];
    try {
      free = await burst(9101, 300, 10);
    } finally {
      reordering.stop();
    }
    expect([...free].sort((a, b) => a - b)).toEqual([...Array(300).keys()]);
    expect(free).not.toEqual([...Array(300).keys()]);
  });

  it("a bad configuration is refused by kmod with netem's reason, and nothing is installed", async () => {
    await expect(startNetem(lab, { delay_ms: -1 }, "netem-bad")).rejects.toThrow(/netem: delay_ms must be an integer from 0 to 1000000 ms, got -1/);
    const rules = lab.execSync("router", "iptables", ["-w", "-t", "mangle", "-S"]);
    expect(rules).not.toMatch(/KCACHE/);
  });
});

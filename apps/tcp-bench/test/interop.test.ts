// tcp-stack against Linux's TCP on the real packet path (root only): the
// stack runs in kmod on the router of a netlab topology, as a file server
// for Linux clients (curl, wget, got) and as a client of nginx on the
// origin; then both with engine-made loss and delay (netlab's netem bundle
// at the end host). Every byte is checked: the clients' downloads by sha256,
// the stack's own downloads byte for byte against the generated content
// (which test/content.test.ts pins to the files nginx serves).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab, download, sleep, startCapture, startKmod, startNginx, type Capture, type HttpClient, type HttpOrigin } from "@kcache/netlab";
import { writeGeneratedFiles, type GeneratedFile } from "../src/content.ts";
import { startClientNetem, startOriginNetem } from "../src/netem.ts";
import { STACK_SERVER, TCP_STACK_BUNDLE, startStack, type RunningStack } from "../src/stack-in-router.ts";

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log("tcp-bench interoperability tests skipped: they need root (network namespaces, iptables, NFQUEUE)");

const KiB = 1024;
const MiB = 1024 * KiB;
const SIZES = [1, 1000, 64 * KiB, MiB, 32 * MiB];
/** A port of the router nobody listens on: its kernel answers a SYN with a reset. */
const CLOSED_PORT = 8099;

describe.skipIf(!isRoot)("tcp-stack and Linux's TCP", () => {
  let lab: Lab;
  let nginx: HttpOrigin;
  let stack: RunningStack;
  let resets: Capture;
  const files = new Map<number, GeneratedFile>();

  const fromStack = async (client: HttpClient, size: number, timeoutMs = 30_000, port: number = STACK_SERVER.port) => {
    const f = files.get(size)!;
    const r = await download(lab, { client, url: `http://${STACK_SERVER.address}:${port}/${f.name}`, expectSha256: f.sha256, timeoutMs });
    expect(r.bytes, `${client} ${f.name}`).toBe(size);
  };
  const stackFetches = async (size: number, timeoutMs = 30_000) => {
    const r = await stack.fetch(size, timeoutMs);
    expect({ ok: r.ok, end: r.end, status: r.status, bytes: r.bytes, mismatchAt: r.mismatchAt }, r.line).toEqual({ ok: true, end: "closed", status: 200, bytes: size, mismatchAt: -1 });
    return r;
  };

  beforeAll(async () => {
    lab = Lab.create();
    const srv = lab.subdir("srv");
    for (const f of writeGeneratedFiles(srv, [...SIZES, 4 * MiB])) files.set(f.size, f);
    nginx = await startNginx(lab, { root: srv });
    // Every reset seen by the router, whoever sends it: neither the router's kernel nor the stack may send one here.
    resets = await startCapture(lab, { on: "router", filter: "tcp[tcpflags] & tcp-rst != 0", hex: false });
    stack = await startStack(lab);
  });
  afterAll(() => lab?.teardownSync());

  it("Linux clients download 1 B to 32 MiB from the tcp-stack server on the router", async () => {
    for (const size of SIZES) await fromStack("curl", size);
    for (const client of ["wget", "got"] as const) {
      for (const size of [1000, MiB]) await fromStack(client, size);
    }
    await fromStack("wget", 32 * MiB);
  });

  it("with segmentation offload (kmod.send_gso), Linux clients download 1 B to 32 MiB; 64 KiB units cross the veth", async () => {
    const served = () => stack.output().split("\n").filter((l) => l.includes("tcp-bench: served") && l.includes(`port=${STACK_SERVER.gsoPort}`));
    const before = served().length;
    // Frames longer than one MSS from the server's port can only be the stack's super-segments (veth keeps them whole).
    const big = await startCapture(lab, { on: "client", iface: lab.ifaces.client, filter: `tcp src port ${STACK_SERVER.gsoPort} and greater 3000`, hex: false });
    try {
      for (const size of SIZES) await fromStack("curl", size, 30_000, STACK_SERVER.gsoPort);
      await fromStack("wget", MiB, 30_000, STACK_SERVER.gsoPort);
      await big.waitFor(/length \d{4,5}/);
    } finally {
      big.stop();
    }
    // Logged when the client's FIN arrives, which may be just after the client exits.
    for (let i = 0; i < 100 && served().length < before + SIZES.length + 1; i++) await sleep(20);
    const lines = served().slice(before);
    expect(lines.length).toBe(SIZES.length + 1);
    const field = (line: string, name: string) => Number(new RegExp(`\\b${name}=(\\d+)`).exec(line)?.[1]);
    expect(lines.map((l) => field(l, "gso_failures"))).toEqual(lines.map(() => 0));
    expect(field(lines.at(-1)!, "gso_sends")).toBeGreaterThan(0);
  });

  it("answers 404 for a path it does not serve, and the connection ends cleanly", async () => {
    const r = await lab.exec("client", "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", `http://${STACK_SERVER.address}:${STACK_SERVER.port}/nothing`]);
    expect(r.stdout).toBe("404");
  });

  it("tcp-stack downloads 1 B to 32 MiB from nginx on the origin, every byte as nginx's file", async () => {
    for (const size of SIZES) await stackFetches(size);
    const served = nginx.accessLog().filter((e) => e.path.startsWith("/gen-"));
    expect(served.map((e) => [e.path, e.status])).toEqual(SIZES.map((s) => [`/gen-${s}.bin`, 200]));
  });

  // RACK-TLP repairs even 5 % loss each way without timeouts: the same sizes at both rates.
  const sizesAtLoss = [64 * KiB, MiB, 4 * MiB];
  for (const loss of [1, 5]) {
    it(`serves Linux clients with ${loss}% loss each way (netem on the client)`, async () => {
      const netem = await startClientNetem(lab, { loss_percent: loss });
      try {
        for (const size of sizesAtLoss) await fromStack("curl", size, 60_000);
        await fromStack("curl", MiB, 60_000, STACK_SERVER.gsoPort);
        const dropped = (await netem.stats()).rules.reduce((n, r) => n + (r.verdicts.DROP ?? 0), 0);
        expect(dropped, "netem dropped segments").toBeGreaterThan(0);
      } finally {
        netem.stop();
      }
    });

    it(`downloads from nginx with ${loss}% loss each way (netem on the origin)`, async () => {
      const netem = await startOriginNetem(lab, { loss_percent: loss });
      try {
        for (const size of sizesAtLoss) await stackFetches(size, 60_000);
        const dropped = (await netem.stats()).rules.reduce((n, r) => n + (r.verdicts.DROP ?? 0), 0);
        expect(dropped, "netem dropped segments").toBeGreaterThan(0);
      } finally {
        netem.stop();
      }
    });
  }

  it("works both ways with 10 ms of delay each way and 1% loss", async () => {
    const client = await startClientNetem(lab, { delay_ms: 10, loss_percent: 1 });
    const origin = await startOriginNetem(lab, { delay_ms: 10, loss_percent: 1 });
    try {
      await fromStack("curl", 4 * MiB, 60_000);
      await fromStack("curl", 4 * MiB, 60_000, STACK_SERVER.gsoPort);
      await stackFetches(4 * MiB, 60_000);
    } finally {
      client.stop();
      origin.stop();
    }
  });

  it("a SYN flood beyond the half-open table does not keep a client out: SYN cookies (RFC 4987 §3.6)", async () => {
    // 1100 SYNs from an address no host has (its SYN-ACKs go nowhere) fill the 1024 half-open entries.
    const flood = { from: "198.18.1.77", to: STACK_SERVER.address, port: STACK_SERVER.gsoPort, count: 1100 };
    // (kmod runs only with a rule: one for datagrams that never come.)
    const flooder = await startKmod(lab, ["-A", "INPUT", "-p", "udp", "--dport", "9", "-j", "LUA", "--script", TCP_STACK_BUNDLE,
      "--function", "tcp_bench_trigger"], { on: "client" });
    try {
      expect(await flooder.call(`0:tcp_bench_syn_flood:${JSON.stringify(flood)}`)).toEqual([flood.count]);
    } finally {
      flooder.stop();
    }
    const stats = async () => (await stack.call("0:tcp_bench_stats"))[0] as Record<string, number>;
    for (let i = 0; i < 100 && (await stats()).synCookiesSent === 0; i++) await sleep(20);
    const before = await stats();
    expect(before.halfOpen).toBe(1024);
    expect(before.synCookiesSent).toBeGreaterThan(0);
    // curl's handshake goes through a cookie; its timestamps bring back window scaling and SACK.
    await fromStack("curl", MiB, 30_000, STACK_SERVER.gsoPort);
    await fromStack("curl", 1000);
    expect((await stats()).synCookiesAccepted - before.synCookiesAccepted).toBe(2);
  });

  it("a client reusing its port within 2 MSL gets a new connection, not the old one's TIME-WAIT (RFC 6191)", async () => {
    // The stack closes first, so the old connection sits in TIME-WAIT on the router when curl's next SYN comes.
    const f = files.get(1000)!;
    const handshakes = await startCapture(lab, { on: "router", iface: lab.ifaces.routerClientSide, filter: "tcp port 47001 and tcp[tcpflags] & (tcp-syn|tcp-rst) != 0", hex: false });
    try {
      for (let i = 0; i < 2; i++) {
        const r = await lab.exec("client", "curl", ["-s", "--local-port", "47001", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
          `http://${STACK_SERVER.address}:${STACK_SERVER.port}/${f.name}`]);
        expect(r.stdout).toBe("200 1000");
      }
      await handshakes.waitFor(/(Flags \[S\.\][^]*){2}/);
    } finally {
      handshakes.stop();
    }
    // Each SYN answered at once by a SYN-ACK: no ACK of the old connection, no reset, no retransmitted SYN.
    const flags = handshakes.text().split("\n").filter((l) => /\bIP\b/.test(l)).map((l) => /Flags \[([^\]]*)\]/.exec(l)?.[1]);
    expect(flags).toEqual(["S", "S.", "S", "S."]);
  });

  it("no reset was sent by the router's kernel or the stack, and the engine raised no error", async () => {
    const packets = resets.text().split("\n").filter((l) => /\bIP\b/.test(l));
    expect(packets.join("\n")).toBe("");
    // The capture does see resets: a SYN to a closed port of the router gets one from its kernel.
    await lab.exec("client", "curl", ["-s", "--max-time", "2", `http://${STACK_SERVER.address}:${CLOSED_PORT}/`]);
    await resets.waitFor(new RegExp(`${STACK_SERVER.address.replace(/\./g, "\\.")}\\.${CLOSED_PORT} > .*Flags \\[R`));
    const stats = await stack.stats();
    for (const rule of stats.rules) expect(rule.errors, rule.name).toBe(0);
    expect(stack.output()).not.toMatch(/error|traceback/i);
  });
});

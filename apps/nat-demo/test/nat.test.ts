// The NAT on the real packet path (root only): a TCP connection and a
// download through the thesis' Listing 4.1 run by kmod, and the same through
// Linux's SNAT/DNAT, with the addresses each side sees.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab, downloadFrom, makeTestFiles, startCapture, startNginx, type HttpOrigin, type TestFile } from "@kcache/netlab";
import { NAT_ADDR, NAT_LABEL, NAT_MODES, privateClientSubnet, startNat } from "../src/nat.ts";
import { checkNetpipeIntegrity } from "../src/netpipe.ts";

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log("nat-demo root tests skipped: they need root (network namespaces, iptables, NFQUEUE)");

const { privateHost: CLIENT, publicAddress: PUBLIC, peer: ORIGIN } = NAT_ADDR;
const escape = (a: string) => a.replace(/\./g, "\\.");
/** tcpdump -n lines of a TCP segment from address a to address b ("IP a.port > b.port:"). */
const segment = (from: string, to: string, fromPort = "\\d+", toPort = "\\d+") =>
  new RegExp(`IP ${escape(from)}\\.${fromPort} > ${escape(to)}\\.${toPort}:`, "m");

describe.skipIf(!isRoot)("the NAT on the real packet path", () => {
  let lab: Lab;
  let nginx: HttpOrigin;
  let file: TestFile;

  beforeAll(async () => {
    lab = Lab.create();
    privateClientSubnet(lab);
    const srv = lab.subdir("srv");
    [file] = makeTestFiles(srv, ["1M"]) as [TestFile];
    nginx = await startNginx(lab, { root: srv });
  });
  afterAll(() => lab?.teardownSync());

  it("without a NAT nothing gets through: the origin has no route to the client's private subnet", async () => {
    await expect(downloadFrom(lab, nginx, "curl", file.name, { timeoutMs: 2000 })).rejects.toThrow();
  });

  for (const mode of NAT_MODES) {
    it(`${NAT_LABEL[mode]}: a download is intact, the origin sees the router's public address, the client the origin's`, async () => {
      const nat = await startNat(lab, mode);
      const originSide = await startCapture(lab, { on: "origin", iface: lab.ifaces.origin, filter: "tcp port 80", hex: false });
      const clientSide = await startCapture(lab, { on: "client", iface: lab.ifaces.client, filter: "tcp port 80", hex: false });
      try {
        const served = nginx.accessLog().length;
        const r = await downloadFrom(lab, nginx, "wget", file.name, { expectSha256: file.sha256 });
        expect(r.bytes).toBe(file.size);
        // SNAT: the origin served the router's public address, and no packet on its link carries the client's.
        expect(nginx.accessLog().slice(served).map((e) => e.remote)).toEqual([PUBLIC]);
        await originSide.waitFor(segment(ORIGIN, PUBLIC, "80"));
        await clientSide.waitFor(segment(ORIGIN, CLIENT, "80"));
        expect(originSide.text()).toMatch(segment(PUBLIC, ORIGIN, "\\d+", "80"));
        expect(originSide.text()).not.toContain(CLIENT);
        // DNAT: the answers to the public address reached the client, which talked to the origin's address.
        expect(clientSide.text()).toMatch(segment(CLIENT, ORIGIN, "\\d+", "80"));
        expect(clientSide.text()).not.toContain(PUBLIC);

        // A TCP connection carrying blocks both ways, each checked byte for byte by NetPIPE's receiver.
        const integrity = await checkNetpipeIntegrity(lab, ORIGIN, { maxBytes: 65536, repeats: 3, timeoutMs: 60_000 });
        expect(integrity.failed).toBe(0);
        expect(integrity.passed).toBeGreaterThan(20);

        const counts = await nat.counts();
        expect(counts.errors).toBe(0);
        if (mode === "kcache") {
          // Listing 4.1 is stateless: it rewrites every packet of both directions. GSO packets come
          // whole (up to 64 KiB), so the 1 MiB alone is at least 17 packets towards the client; the
          // client sent ACKs and NetPIPE's blocks.
          expect(counts.dnat).toBeGreaterThanOrEqual(17);
          expect(counts.snat).toBeGreaterThan(100);
        } else {
          // Linux translates the first packet of each connection (the HTTP one and NetPIPE's), conntrack the rest.
          expect(counts.snat).toBeGreaterThanOrEqual(2);
        }
      } finally {
        originSide.stop();
        clientSide.stop();
        nat.stop();
      }
      // Stopped, the NAT leaves nothing behind: the next connection fails again.
      await expect(downloadFrom(lab, nginx, "curl", file.name, { timeoutMs: 2000 })).rejects.toThrow();
    });
  }
});

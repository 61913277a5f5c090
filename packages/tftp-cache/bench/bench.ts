// The cache's own cost in the engine (sim backend, no network): Lua time per
// packet on the miss path (recording) and on the hit path (serving), from
// the rule's luaNs counter (which includes the sim's sends: a copy of each
// packet, and for a UDP-GSO send the cutting and checksums the kernel does on
// the real path); then what one ACK costs a hit (per-ack.ts).
// Run: npx nx run tftp-cache:bench (or npx tsx bench/bench.ts [sizeMiB]).
// Times are this machine's, noisy.
import { performance } from "node:perf_hooks";
import { udp, type Engine } from "@kcache/kmod";
import { ack, CLIENT, CLIENT_LINK, data, decode, file, newCache, ORIGIN, rrq } from "../test/support/tftp.ts";
import { perAck } from "./per-ack.ts";

const sizeMiB = Number(process.argv[2] ?? 32);
const content = file(sizeMiB * 1024 * 1024, 3);

function luaNs(engine: Engine): number {
  return engine.stats().reduce((sum, r) => sum + r.luaNs, 0);
}

function record(engine: Engine, blksize: number): { packets: number; ns: number; ms: number } {
  const start = performance.now();
  const before = luaNs(engine);
  const inject = (src: string, sport: number, dst: string, dport: number, payload: Buffer) =>
    engine.inject("FORWARD", udp({ src, dst, sport, dport, payload }));
  inject(CLIENT, 40000, ORIGIN, 69, rrq("big", "octet", { blksize }));
  inject(ORIGIN, 50000, CLIENT, 40000, Buffer.from(`\x00\x06blksize\x00${blksize}\x00`, "latin1"));
  inject(CLIENT, 40000, ORIGIN, 50000, ack(0));
  const blocks = Math.floor(content.length / blksize) + 1;
  for (let n = 1; n <= blocks; n++) {
    inject(ORIGIN, 50000, CLIENT, 40000, data(n, content.subarray((n - 1) * blksize, n * blksize)));
    inject(CLIENT, 40000, ORIGIN, 50000, ack(n));
  }
  return { packets: 2 * blocks + 3, ns: luaNs(engine) - before, ms: performance.now() - start };
}

function serve(engine: Engine, blksize: number, windowsize: number, cport: number): { packets: number; acks: number; ns: number; ms: number; ok: boolean } {
  const start = performance.now();
  const before = luaNs(engine);
  // With the client's interface and MAC, as on the real path: link-layer sends, windows as UDP-GSO super-datagrams.
  const inject = (dport: number, payload: Buffer) => engine.inject("FORWARD", udp({ src: CLIENT, dst: ORIGIN, sport: cport, dport, payload }), CLIENT_LINK);
  inject(69, rrq("big", "octet", { blksize, windowsize }));
  const oack = decode(engine.takeSent()[0]!);
  const tid = oack.sport;
  const chunks: Buffer[] = [];
  let acks = 0, packets = 0, received = 0, done = false;
  inject(tid, ack(0));
  while (!done) {
    const sent = engine.takeSent();
    if (sent.length === 0) throw new Error("stalled");
    for (const p of sent) {
      packets++;
      const payload = p.subarray(28); // 20-byte IP header, 8-byte UDP header
      const body = payload.subarray(4);
      chunks.push(Buffer.from(body));
      received++;
      if (body.length < blksize) done = true;
    }
    acks++;
    inject(tid, ack(received));
  }
  const ok = Buffer.concat(chunks).equals(content);
  return { packets, acks, ns: luaNs(engine) - before, ms: performance.now() - start, ok };
}

const engine = newCache();
const rec = record(engine, 1468);
console.log(`miss, recording ${sizeMiB} MiB at blksize 1468: ${rec.packets} packets, ${(rec.ns / rec.packets / 1000).toFixed(2)} µs Lua per packet, ${rec.ms.toFixed(0)} ms wall (sim, incl. building packets in JS)`);
for (const [blksize, windowsize] of [[512, 1], [1468, 1], [1468, 16], [1468, 64]] as const) {
  const hit = serve(engine, blksize, windowsize, 41000 + windowsize + blksize);
  const perData = hit.ns / hit.packets / 1000;
  console.log(`hit, ${sizeMiB} MiB blksize ${blksize} windowsize ${windowsize}: ${hit.packets} DATA for ${hit.acks} ACKs, ${perData.toFixed(2)} µs Lua per DATA sent ` +
    `(${(hit.ns / 1e6).toFixed(0)} ms Lua in all, ${((content.length / (hit.ns / 1e9)) / 2 ** 20).toFixed(0)} MiB/s of Lua time), bytes ${hit.ok ? "identical" : "DIFFER"}`);
}
console.log("stats", engine.call(0, "stats")[0]);
engine.close();

console.log("\nper ACK of a hit (ACK in -> DATA out, link-layer sends; instructions: Lua VM, the engine's count hook):");
for (const [blksize, windowsize, acks] of [[512, 1, 1000], [1468, 1, 1000], [1468, 16, 200]] as const) {
  const r = perAck(`blksize ${blksize} windowsize ${windowsize}`, file(((50 + 2 * acks) * windowsize + 2) * blksize, 5), blksize, windowsize, acks);
  console.log(`  ${r.label}: ${r.dataPerAck} DATA per ACK, ${r.instructions} instructions, ${r.bytes.toFixed(0)} bytes allocated, ${(r.ns / 1000).toFixed(2)} µs Lua per ACK`);
}

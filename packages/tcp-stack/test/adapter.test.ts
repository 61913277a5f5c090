// The stack in the engine's packet path (adapter.ts + file-server.ts): packets
// injected at PREROUTING on the sim backend, answers taken from kmod.send,
// retransmissions driven by engine timers. A test-side client speaks TCP.
import { Engine, NF_ACCEPT, NF_DROP } from "@kcache/kmod";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUNDLE } from "./support/host.ts";
import { pattern } from "./support/tcp.ts";
import { decode, encode, ip, type Decoded, type Seg } from "./support/wire.ts";

const CLIENT = { addr: ip(198, 18, 0, 1), port: 40000 };
const ORIGIN = { addr: ip(198, 18, 2, 2), port: 80 };
const CISN = 777;

let engine: Engine;
beforeEach(() => {
  engine = Engine.sim({ seed: 1 });
  engine.insertRule({ hook: "PREROUTING", script: BUNDLE, function: "tcp_server_hook", match: { protocol: "tcp", dport: 80 } });
  engine.setBudgets(0, { timeMs: 10_000 });
});
afterEach(() => engine.close());

function start(body: Buffer): void {
  engine.call(0, "tcp_server_start", [{ port: 80, body, config: { iss: 5000 } }]);
}

function inject(seg: Seg): { verdict: number; sent: Decoded[] } {
  const r = engine.inject("PREROUTING", encode({ srcAddr: CLIENT.addr, srcPort: CLIENT.port, dstAddr: ORIGIN.addr, dstPort: ORIGIN.port, ...seg }));
  const logs = engine.takeLogs();
  if (logs.length > 0) throw new Error(logs.join("\n"));
  return { verdict: r.verdict, sent: engine.takeSent().map((b) => decode(b)) };
}

describe("engine adapter", () => {
  it("answers_a_syn_for_the_origin_address_and_takes_the_packet", () => {
    start(Buffer.from("hi"));
    const { verdict, sent } = inject({ flags: "S", seq: CISN, mss: 1460 });
    expect(verdict).toBe(NF_DROP);
    expect(sent.map((d) => [d.flags, d.srcAddr, d.srcPort, d.dstAddr, d.ack])).toEqual([["SA", ORIGIN.addr, 80, CLIENT.addr, CISN + 1]]);
  });

  it("passes_packets_it_does_not_own", () => {
    start(Buffer.from("hi"));
    const { verdict, sent } = inject({ flags: "A", seq: 1, ack: 2 });
    expect(verdict).toBe(NF_ACCEPT);
    expect(sent).toEqual([]);
  });

  it("serves_a_body_to_a_client_and_closes", () => {
    const body = pattern(200_000);
    start(body);
    const [sa] = inject({ flags: "S", seq: CISN, mss: 1460, ws: 7, sackPerm: true }).sent;
    let rcvNxt = sa!.seq + 1;
    inject({ flags: "A", seq: CISN + 1, ack: rcvNxt, win: 2048 });
    let pending = inject({ flags: "PA", seq: CISN + 1, ack: rcvNxt, win: 2048, payload: "GET / HTTP/1.0\r\n\r\n" }).sent;
    const seq = CISN + 1 + 18;
    const got: Buffer[] = [];
    let finished = false;
    for (let i = 0; i < 2000 && !finished; i++) {
      if (pending.length === 0) {
        engine.advance(50);
        pending = engine.takeSent().map((b) => decode(b));
        continue;
      }
      const d = pending.shift()!;
      if (d.seq === rcvNxt && d.payload.length > 0) {
        got.push(d.payload);
        rcvNxt += d.payload.length;
      }
      if (d.flags.includes("F") && d.seq + d.payload.length === rcvNxt) {
        rcvNxt += 1;
        pending.push(...inject({ flags: "FA", seq, ack: rcvNxt, win: 2048 }).sent);
        finished = true;
        continue;
      }
      pending.push(...inject({ flags: "A", seq, ack: rcvNxt, win: 2048 }).sent);
    }
    expect(finished).toBe(true);
    expect(Buffer.concat(got).equals(body)).toBe(true);
    const stats = engine.call(0, "tcp_server_stats")[0] as Record<string, number>;
    expect(stats.served).toBe(1);
  });

  it("rfc6298_retransmits_from_an_engine_timer", () => {
    start(pattern(1000));
    const [sa] = inject({ flags: "S", seq: CISN, mss: 1460 }).sent;
    inject({ flags: "A", seq: CISN + 1, ack: sa!.seq + 1 });
    const first = inject({ flags: "PA", seq: CISN + 1, ack: sa!.seq + 1, payload: "GET" }).sent;
    expect(first.map((d) => [d.flags, d.payload.length])).toEqual([["FPA", 1000]]);
    // Never acknowledged: the RTO (200 ms minimum) fires from the engine's clock.
    engine.advance(199);
    expect(engine.takeSent()).toEqual([]);
    engine.advance(1);
    expect(engine.takeSent().map((b) => decode(b)).map((d) => [d.flags, d.seq])).toEqual([["FPA", sa!.seq + 1]]);
  });
});

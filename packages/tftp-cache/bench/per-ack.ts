// What one client ACK costs a hit in the engine's Lua (sim backend): VM
// instructions, bytes allocated, and ns, from the ACK in to its DATA out
// (the hook, the server, the sends). The hit's request comes with its
// interface and MAC, as on the real path, so the link-layer sends are the
// ones measured.
//
// - instructions: the smallest instruction budget under which none of the
//   measured ACKs aborts (the engine's count hook; fresh engines, the sim is
//   deterministic), minus one.
// - bytes: Lua memory growth with the collector stopped, per ACK (from a few
//   ACKs after a full collection, which shrinks the Lua stack that the next
//   call grows again).
// - ns: the rule's Lua time per ACK with the collector running (includes the
//   sim's copy of each packet sent).
import { udp, type Engine } from "@kcache/kmod";
import { ack, CLIENT, CLIENT_LINK, data, decode, newCache, ORIGIN, rrq } from "../test/support/tftp.ts";

export interface PerAck {
  label: string;
  dataPerAck: number;
  instructions: number;
  bytes: number;
  ns: number;
}

const RECORD_BLKSIZE = 1468;
/** ACKs before measuring (the transfer in its steady state). */
const WARMUP = 50;

/** An engine with `content` cached as "f", and a hit started: returns a function that sends the next ACK. */
function hitInProgress(content: Buffer, blksize: number, windowsize: number): { engine: Engine; next: () => void } {
  const engine = newCache();
  const inject = (sport: number, dport: number, payload: Buffer, src = CLIENT, dst = ORIGIN) =>
    engine.inject("FORWARD", udp({ src, dst, sport, dport, payload }), CLIENT_LINK);
  inject(40000, 69, rrq("f", "octet", { blksize: RECORD_BLKSIZE }));
  inject(50000, 40000, Buffer.from(`\x00\x06blksize\x00${RECORD_BLKSIZE}\x00`, "latin1"), ORIGIN, CLIENT);
  inject(40000, 50000, ack(0));
  for (let n = 1; n <= Math.floor(content.length / RECORD_BLKSIZE) + 1; n++) {
    inject(50000, 40000, data(n, content.subarray((n - 1) * RECORD_BLKSIZE, n * RECORD_BLKSIZE)), ORIGIN, CLIENT);
    inject(40000, 50000, ack(n));
  }
  inject(41000, 69, rrq("f", "octet", { blksize, windowsize }));
  const tid = decode(engine.takeSent()[0]!).sport;
  let acked = 0;
  const next = () => {
    inject(41000, tid, ack(acked & 0xffff));
    const sent = engine.takeSent().length;
    if (sent === 0) throw new Error(`no DATA after ACK ${acked}`);
    acked += sent;
  };
  return { engine, next };
}

const luaNs = (engine: Engine) => engine.stats().reduce((sum, r) => sum + r.luaNs, 0);
const instructionAborts = (engine: Engine) => engine.stats().reduce((sum, r) => sum + r.instructionAborts, 0);
const luaBytes = (engine: Engine) => Math.round((engine.call(0, "collectgarbage", ["count"])[0] as number) * 1024);

export function perAck(label: string, content: Buffer, blksize: number, windowsize: number, acks: number): PerAck {
  const fits = (budget: number) => {
    const { engine, next } = hitInProgress(content, blksize, windowsize);
    try {
      for (let i = 0; i < WARMUP; i++) next();
      engine.setBudgets(0, { instructions: budget });
      for (let i = 0; i < acks && instructionAborts(engine) === 0; i++) next();
      return instructionAborts(engine) === 0;
    } catch {
      return false;
    } finally {
      engine.close();
    }
  };
  let low = 1, high = 1 << 20; // fits(high), not fits(low)
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (fits(mid)) high = mid;
    else low = mid;
  }

  const { engine, next } = hitInProgress(content, blksize, windowsize);
  for (let i = 0; i < WARMUP - 10; i++) next();
  engine.call(0, "collectgarbage", ["collect"]);
  engine.call(0, "collectgarbage", ["stop"]);
  for (let i = 0; i < 10; i++) next();
  const bytesBefore = luaBytes(engine);
  for (let i = 0; i < acks; i++) next();
  const bytes = (luaBytes(engine) - bytesBefore) / acks;
  engine.call(0, "collectgarbage", ["restart"]);
  const nsBefore = luaNs(engine);
  for (let i = 0; i < acks; i++) next();
  const ns = (luaNs(engine) - nsBefore) / acks;
  engine.close();
  return { label, dataPerAck: windowsize, instructions: high - 1, bytes, ns };
}

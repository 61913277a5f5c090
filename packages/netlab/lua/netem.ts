// netem: delay, jitter and loss made by the engine (the kernel of the lab
// has no tc netem). A rule sends the packets of one link direction through
// `process_packet`; each is dropped (loss), passed at once (no delay) or held
// (`p.hold()` + NF_STOLEN) and given NF_ACCEPT later by `kmod.release` from a
// timer. The host configures it with `configure({...})` and reads `stats()`.
//
// Order: a direction is a (source address, destination address) pair. Without
// `reorder`, each direction is a FIFO: a packet's release time is at least the
// one of the packet before it, and one timer per direction (armed for the
// head) releases every due packet in arrival order. With `reorder`, each
// packet has its own timer and may overtake.
import { parseConfig } from "./config";
import type { NetemConfig, NetemStats } from "./types";
import { below, random32, seedRandom, useEngineRandom } from "./random";

let config: NetemConfig = parseConfig(undefined);
let delayUs = config.delay_ms * 1000;
let jitterUs = config.jitter_ms * 1000;

// Counters (stats()).
let seen = 0;
let passed = 0;
let delayed = 0;
let lost = 0;
let overflow = 0;
let released = 0;
let releaseFailed = 0;
let held = 0;

/** The held packets of one direction, oldest first, with their release times (µs). */
interface DirectionQueue {
  handles: LuaTable<number, number>;
  due: LuaTable<number, number>;
  head: number;
  tail: number;
}

/** Direction key (source << 32 | destination) -> its queue; a queue is removed once empty. */
const queues = new LuaTable<number, DirectionQueue>();
let queueCount = 0;

function release(handle: number): void {
  held -= 1;
  if (kmod.release(handle, NF_ACCEPT)) released += 1;
  else releaseFailed += 1; // the engine gave it a verdict already (e.g. the script was unloaded)
}

/** Timer of a direction: releases every packet whose time has come, in order, then re-arms for the next. */
function drain(key: number): void {
  const queue = queues.get(key);
  if (queue === undefined) return;
  const now = kmod.now_us();
  while (queue.head <= queue.tail) {
    const due = queue.due.get(queue.head);
    if (due > now) {
      kmod.timer_us(due - now, drain, key);
      return;
    }
    const handle = queue.handles.get(queue.head);
    queue.handles.delete(queue.head);
    queue.due.delete(queue.head);
    queue.head += 1;
    release(handle);
  }
  queues.delete(key);
  queueCount -= 1;
}

function holdPacket(p: Packet): number {
  return p.hold();
}

/** Holds `p`; undefined (and counted as overflow) when netem's limit or the engine's is reached. */
function tryHold(p: Packet): number | undefined {
  if (held >= config.limit) {
    overflow += 1;
    return undefined;
  }
  const [ok, handle] = pcall(holdPacket, p);
  if (!ok) {
    overflow += 1;
    return undefined;
  }
  held += 1;
  delayed += 1;
  return handle as number;
}

/** This packet's delay in µs: delay ± a uniform jitter, never negative. */
function drawDelayUs(): number {
  if (jitterUs === 0) return delayUs;
  const d = delayUs + below(2 * jitterUs + 1) - jitterUs;
  return d < 0 ? 0 : d;
}

/** The hook function: a rule names it (the default `process_packet`). */
export function process_packet(p: Packet): Verdict {
  seen += 1;
  if (config.loss_permille > 0 && below(1000) < config.loss_permille) {
    lost += 1;
    return NF_DROP;
  }
  const wait = drawDelayUs();
  if (config.reorder) {
    if (wait === 0) {
      passed += 1;
      return NF_ACCEPT;
    }
    const handle = tryHold(p);
    if (handle === undefined) return NF_DROP;
    kmod.timer_us(wait, release, handle);
    return NF_STOLEN;
  }
  const key = p.len() >= 20 ? (p.u32(12) << 32) | p.u32(16) : 0;
  let queue = queues.get(key);
  if (queue === undefined && wait === 0) {
    passed += 1;
    return NF_ACCEPT;
  }
  const handle = tryHold(p);
  if (handle === undefined) return NF_DROP;
  if (queue === undefined) {
    queue = { handles: new LuaTable(), due: new LuaTable(), head: 1, tail: 0 };
    queues.set(key, queue);
    queueCount += 1;
    kmod.timer_us(wait, drain, key);
  }
  // A packet due before the one ahead of it leaves right after it: drain only looks at the head.
  queue.tail += 1;
  queue.handles.set(queue.tail, handle);
  queue.due.set(queue.tail, kmod.now_us() + wait);
  return NF_STOLEN;
}

/**
 * Sets the whole configuration (left-out fields take their defaults: delay
 * 20 ms, no jitter, no loss, no reordering, limit 10,000 held packets, the
 * engine's random numbers). Raises `netem: ...` on a bad one and keeps the
 * old. Packets already held keep their release times. Returns the
 * configuration in force.
 */
export function configure(options?: unknown): NetemConfig {
  const next = parseConfig(options);
  config = next;
  delayUs = next.delay_ms * 1000;
  jitterUs = next.jitter_ms * 1000;
  if (next.seed !== undefined) seedRandom(next.seed);
  else useEngineRandom();
  return next;
}

/** The configuration in force. */
export function current_config(): NetemConfig {
  return config;
}

export function stats(): NetemStats {
  return {
    seen,
    passed,
    delayed,
    dropped: lost + overflow,
    lost,
    overflow,
    released,
    release_failed: releaseFailed,
    held,
    queues: queueCount,
  };
}

/** Zeroes the counters (not `held` and `queues`, which describe packets still waiting). */
export function reset_stats(): void {
  seen = 0;
  passed = 0;
  delayed = 0;
  lost = 0;
  overflow = 0;
  released = 0;
  releaseFailed = 0;
}

/** A 32-bit draw of netem's generator (for tests of determinism). */
export function draw32(): number {
  return random32();
}

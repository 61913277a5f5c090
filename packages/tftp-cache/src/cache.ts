// The hook: every UDP packet between clients and origins passes here (one
// rule, e.g. `-A FORWARD -p udp -j LUA --script dist/tftp-cache.lua`). A
// packet is one of:
//   1. a client's message to a port the cache serves from (a hit's ACK):
//      consumed (NF_DROP), or ERROR 5 when it comes from another TID;
//   2. a request to port 69: a hit is answered by the cache and dropped (the
//      origin never sees it); a miss passes (NF_ACCEPT) and is recorded;
//   3. a message of a transfer being recorded (the origin's OACK/DATA/ERROR,
//      the client's ACK/ERROR): watched, and passed;
//   4. anything else: passed untouched.
// The per-packet state is bounded: at most `max_transfers` transfers served
// and as many recorded; past that, requests pass to the origin unrecorded.

import { HitOutput, type Link } from "./hit-output";
import { negotiate } from "./options";
import { UdpFlow } from "./packet";
import { Recording, RECORD_ABORTED, RECORD_COMMITTED } from "./recorder";
import { sendError } from "./send";
import { Serving } from "./server";
import { abortReasons, counters, type Stats } from "./stats";
import { engineStore, entryKey, type Store } from "./store";
import {
  ERR_ILLEGAL_OPERATION, ERR_UNKNOWN_TID, OP_ACK, OP_DATA, OP_ERROR, OP_OACK, OP_RRQ,
  oack, parseOack, parseRequest, MAX_REQUEST_BYTES,
} from "./tftp";

export interface Config {
  /** Entries expire this long after they were recorded (0: never). */
  ttl_ms: number;
  /** Lua patterns matched against the file name: matching files are never cached. */
  never_cache: string[];
  /** Files larger than this are not recorded. */
  max_entry_bytes: number;
  /** Largest blksize granted on a hit (1468 fits a 1500-byte MTU; up to 65464 where the path allows). */
  max_blksize: number;
  max_windowsize: number;
  /** Retransmission timeout of a hit when the client asks none (RFC 2349 timeout overrides it). */
  timeout_ms: number;
  /** Retransmissions of one window before a hit gives up. */
  max_retries: number;
  /** A recording that sees no packet for this long is dropped. */
  record_idle_ms: number;
  /** Transfers served at once, and recorded at once (each). */
  max_transfers: number;
  /**
   * Hits send their packets as frames straight to the interface and MAC the
   * request came from (kmod.send_l2), skipping the router's IP output path;
   * false: through it (kmod.send).
   */
  link_layer_sends: boolean;
}

export const config: Config = {
  ttl_ms: 3_600_000,
  never_cache: [],
  max_entry_bytes: 64 * 1024 * 1024,
  max_blksize: 1468,
  max_windowsize: 64,
  timeout_ms: 1000,
  max_retries: 5,
  record_idle_ms: 15_000,
  max_transfers: 256,
  link_layer_sends: true,
};

let store: Store | undefined = engineStore();
const nowMs = kmod.now_ms;

/** Replaces the store (tests, or a host with a store of its own). */
export function setStore(s: Store | undefined): void {
  store = s;
}

type ServingEntry = Serving & { lingering?: boolean };

/** Hits by our (origin address, port): (ip << 16) | port. */
const servingByPort = new LuaTable<number, ServingEntry>();
/** Hits by client endpoint. */
const servingByClient = new LuaTable<number, ServingEntry>();
/** Recordings by client endpoint. */
const recordingByClient = new LuaTable<number, Recording>();
/** Keys being recorded (one recording per file at a time). */
const recordingKeys = new LuaTable<string, boolean>();
let servingCount = 0;
let recordingCount = 0;

function endpoint(ip: number, port: number): number {
  return (ip << 16) | port;
}

// ---- Hits ----------------------------------------------------------------

/** Served transfers kept after their end to absorb late duplicates (RFC 1350 §6's dally, on the server side). */
let lingeringCount = 0;

function forgetServing(this: void, s: ServingEntry): void {
  s.timer = undefined;
  if (servingByPort.get(endpoint(s.originIp, s.port)) === s) servingByPort.delete(endpoint(s.originIp, s.port));
  lingeringCount--;
}

function endServing(s: ServingEntry): void {
  if (servingByPort.get(endpoint(s.originIp, s.port)) !== s || s.lingering) return;
  if (servingByClient.get(endpoint(s.clientIp, s.clientPort)) === s) servingByClient.delete(endpoint(s.clientIp, s.clientPort));
  servingCount--;
  counters.duplicate_acks += s.duplicateAcks;
  counters.retransmissions += s.retransmissions;
  if (s.acked >= s.totalBlocks) counters.served++;
  if (s.timer !== undefined) kmod.cancel(s.timer);
  s.timer = undefined;
  // Late copies of the client's last ACKs still come to this port: keep it a while and drop them,
  // instead of passing them to the origin (which never had this transfer).
  if (lingeringCount < config.max_transfers) {
    s.lingering = true;
    lingeringCount++;
    s.timer = kmod.timer(2 * s.timeoutMs, forgetServing, s);
  } else {
    servingByPort.delete(endpoint(s.originIp, s.port));
  }
}

function serveTimer(this: void, s: ServingEntry): void {
  s.timer = undefined;
  if (s.finished) return;
  const now = nowMs();
  if (now < s.deadlineMs) {
    s.timer = kmod.timer(s.deadlineMs - now, serveTimer, s);
    return;
  }
  const retriesBefore = s.retries;
  s.onTimeout(now);
  if (s.retries > retriesBefore && s.finished) counters.timeouts++;
  afterServing(s);
}

/** After the server ran: forget it when finished, keep its timer armed otherwise. */
function afterServing(s: ServingEntry): void {
  if (s.finished) {
    endServing(s);
  } else if (s.timer === undefined) {
    s.timer = kmod.timer(math.max(s.deadlineMs - nowMs(), 1), serveTimer, s);
  }
}

/**
 * Ports of hits: above Linux's default ephemeral range (32768-60999), so a
 * hit's port is not one a Linux origin (tftpd-hpa) uses for a transfer it
 * serves at the same time: the client's packets to that port stay the origin's.
 */
const PORT_FIRST = 61000;
const PORT_COUNT = 65536 - PORT_FIRST;

/** A fresh port on the origin's address for a hit, unused by our other hits. */
function freshPort(origin: number): number | undefined {
  for (let i = 0; i < 16; i++) {
    const port = PORT_FIRST + (kmod.random32() % PORT_COUNT);
    if (servingByPort.get(endpoint(origin, port)) === undefined) return port;
  }
  return undefined;
}

function startServing(
  key: string, size: number, options: LuaTable<string, string>, client: number, cport: number, origin: number, link: Link | undefined,
): boolean {
  const port = freshPort(origin);
  if (port === undefined) return false;
  const [ok, entry] = pcall(store!.view, key);
  if (!ok) return false;
  const n = negotiate(options, size, config);
  const out = new HitOutput(new UdpFlow(origin, client, port, cport), link, entry as ByteSource, size, n.blksize, n.windowsize);
  const s = new Serving(out, key, size, n.blksize, n.windowsize, n.timeoutMs, config.max_retries,
    n.oack.length > 0 ? oack(n.oack) : undefined, client, cport, origin, port) as ServingEntry;
  servingByPort.set(endpoint(origin, port), s);
  servingByClient.set(endpoint(client, cport), s);
  servingCount++;
  s.start(nowMs());
  afterServing(s);
  return true;
}

/** A message from a hit's client to its port. */
function onServedMessage(s: ServingEntry, p: Packet, off: number, len: number): void {
  if (len < 4) {
    counters.malformed++;
    return;
  }
  const message = p.u32(off); // opcode, block number or error code
  const opcode = shr(message, 16);
  if (opcode === OP_ACK) {
    s.onAck(message & 0xFFFF, nowMs());
    if (s.badAck) counters.bad_acks++;
  } else if (opcode === OP_ERROR) {
    // The client gave up (or refused our OACK, RFC 2347 error 8).
    s.finished = true;
  } else {
    counters.malformed++;
    s.finish(ERR_ILLEGAL_OPERATION, "only ACK expected");
  }
  afterServing(s);
}

// ---- Misses --------------------------------------------------------------

function countAbort(reason: string): void {
  counters.record_aborts++;
  abortReasons.set(reason, (abortReasons.get(reason) ?? 0) + 1);
}

function endRecording(r: Recording): void {
  const k = endpoint(r.clientIp, r.clientPort);
  if (recordingByClient.get(k) !== r) return;
  recordingByClient.delete(k);
  recordingKeys.delete(r.key);
  recordingCount--;
  if (r.timer !== undefined) kmod.cancel(r.timer);
  r.timer = undefined;
}

function abortRecording(r: Recording, reason: string): void {
  if (!r.finished) {
    r.abort(reason);
    countAbort(reason);
  }
  endRecording(r);
}

function recordTimer(this: void, r: Recording): void {
  r.timer = undefined;
  if (r.finished) return;
  const idle = nowMs() - r.lastActivityMs;
  if (idle < config.record_idle_ms) {
    r.timer = kmod.timer(config.record_idle_ms - idle, recordTimer, r);
    return;
  }
  abortRecording(r, "origin transfer timed out");
}

/** A committed key replaces older bytes: hits still sending the old ones stop. */
function onCommitted(key: string): void {
  counters.recorded++;
  for (const [, s] of servingByPort) {
    if (s.key === key && !s.finished && s.lingering !== true) {
      s.finish(0, "file changed");
      endServing(s);
    }
  }
}

/** A message from the origin to a recorded transfer's client. */
function onOriginMessage(r: Recording, p: Packet, sport: number, off: number, len: number): void {
  if (r.originTid === 0) r.originTid = sport;
  if (sport !== r.originTid) return; // another TID (a duplicate request's answer): the client refuses it
  if (len < 4) {
    abortRecording(r, "truncated message from the origin");
    return;
  }
  const opcode = p.u16(off);
  let result: number;
  if (opcode === OP_DATA) {
    // A corrupted block must not be cached: check the UDP checksum the kernel did not check on FORWARD.
    const ihl = off - 8;
    const bytes = p.bytes();
    if (p.u16(ihl + 6) !== 0) {
      const src = p.u32(12);
      const dst = p.u32(16);
      const sum = shr(src, 16) + (src & 0xFFFF) + shr(dst, 16) + (dst & 0xFFFF) + 17 + len + 8;
      if (kmod.fold16(kmod.sum16(bytes, ihl, len + 8, sum)) !== 0) {
        counters.malformed++;
        return;
      }
    }
    result = r.onData(p.u16(off + 2), bytes.slice(off + 4, len - 4), len - 4, nowMs());
  } else if (opcode === OP_OACK) {
    const [options, why] = parseOack(p.string(off, math.min(len, MAX_REQUEST_BYTES)));
    r.lastActivityMs = nowMs();
    result = options === undefined ? r.abort(`malformed OACK: ${why}`) : r.onOack(options);
  } else if (opcode === OP_ERROR) {
    result = r.abort("origin sent ERROR");
  } else {
    result = r.abort("unexpected message from the origin");
  }
  if (result === RECORD_COMMITTED) {
    endRecording(r);
    onCommitted(r.key);
  } else if (result === RECORD_ABORTED) {
    if (r.reason !== undefined && recordingByClient.get(endpoint(r.clientIp, r.clientPort)) === r) countAbort(r.reason);
    endRecording(r);
  }
}

/** A message from a recorded transfer's client to the origin. */
function onClientMessage(r: Recording, p: Packet, off: number, len: number): void {
  if (len >= 2 && p.u16(off) === OP_ERROR) {
    abortRecording(r, "client sent ERROR");
    return;
  }
  r.lastActivityMs = nowMs();
}

function startRecording(key: string, options: LuaTable<string, string>, strictSize: boolean, client: number, cport: number, origin: number): void {
  const now = nowMs();
  const r = new Recording(store!, key, origin, client, cport, options, strictSize, config.ttl_ms, config.max_entry_bytes, now);
  recordingByClient.set(endpoint(client, cport), r);
  recordingKeys.set(key, true);
  recordingCount++;
  r.timer = kmod.timer(config.record_idle_ms, recordTimer, r);
}

// ---- Requests ------------------------------------------------------------

function neverCached(filename: string): boolean {
  for (const pattern of config.never_cache) {
    if (string.find(filename, pattern)[0] !== undefined) return true;
  }
  return false;
}

/** A request to port 69 (RFC 1350 §4: RRQ, WRQ). */
function onRequest(p: Packet, src: number, sport: number, dst: number, off: number, len: number): Verdict {
  if (len > MAX_REQUEST_BYTES || len < 4) {
    counters.malformed++;
    sendError(new UdpFlow(dst, src, 69, sport), ERR_ILLEGAL_OPERATION, len < 4 ? "truncated request" : "request too long");
    return NF_DROP;
  }
  const opcode = p.u16(off);
  if (opcode !== OP_RRQ && opcode !== 2) {
    counters.malformed++;
    sendError(new UdpFlow(dst, src, 69, sport), ERR_ILLEGAL_OPERATION, "not a request");
    return NF_DROP;
  }
  const [request, why] = parseRequest(p.string(off, len));
  if (request === undefined) {
    counters.malformed++;
    sendError(new UdpFlow(dst, src, 69, sport), ERR_ILLEGAL_OPERATION, why!);
    return NF_DROP;
  }
  const s = store;
  if (s === undefined || request.mode === "mail") {
    counters.passed++;
    return NF_ACCEPT;
  }
  if (request.opcode !== OP_RRQ) {
    // A write (WRQ) changes the file on the origin: forget our copies.
    if (s.remove(entryKey(dst, "octet", request.filename))) counters.invalidated++;
    if (s.remove(entryKey(dst, "netascii", request.filename))) counters.invalidated++;
    return NF_ACCEPT;
  }
  if (neverCached(request.filename)) {
    counters.passed++;
    return NF_ACCEPT;
  }
  const key = entryKey(dst, request.mode, request.filename);
  const client = endpoint(src, sport);
  const current = servingByClient.get(client);
  if (current !== undefined) {
    if (current.key === key && current.originIp === dst && !current.finished && current.sent <= 1) {
      // The client repeated its request before our first answer arrived: our timer retransmits.
      counters.duplicate_requests++;
      return NF_DROP;
    }
    current.finished = true;
    endServing(current);
  }
  const recording = recordingByClient.get(client);
  if (recording !== undefined) {
    if (recording.key === key && recording.originIp === dst && recording.originTid === 0) {
      // Repeated before the origin answered: the origin answers it (the client keeps the first TID).
      counters.duplicate_requests++;
      return NF_ACCEPT;
    }
    // A client port starts one transfer at a time: the one it recorded is over.
    abortRecording(recording, "client started another transfer");
  }
  const size = s.lookup(key);
  if (size !== undefined) {
    if (servingCount >= config.max_transfers) {
      counters.overload++;
      counters.passed++;
      return NF_ACCEPT;
    }
    // Frames go to an Ethernet peer only (a 6-byte MAC); other links take the IP output path.
    const mac = p.hwaddr();
    const link = config.link_layer_sends && mac !== undefined && mac.length === 6 && p.indev() > 0 ? { ifindex: p.indev(), mac } : undefined;
    if (!startServing(key, size, request.options, src, sport, dst, link)) {
      counters.passed++;
      return NF_ACCEPT;
    }
    counters.hits++;
    return NF_DROP;
  }
  counters.misses++;
  if (recordingKeys.get(key) !== undefined) {
    counters.passed++;
    return NF_ACCEPT;
  }
  if (recordingCount >= config.max_transfers) {
    counters.overload++;
    counters.passed++;
    return NF_ACCEPT;
  }
  startRecording(key, request.options, request.mode === "octet", src, sport, dst);
  return NF_ACCEPT;
}

// ---- The hook --------------------------------------------------------------

/** The hook function of the cache's rule (IPv4 packets; non-UDP passes). */
export function process_packet(p: Packet): Verdict {
  const total = p.len();
  if (total < 28) return NF_ACCEPT;
  // Whole 32-bit words: one engine call for two or three fields (the hot path is a hit's ACK).
  const versionLength = p.u32(0); // version, IHL, TOS, total length
  const fragmentProtocol = p.u32(6); // flags and fragment offset, TTL, protocol
  const vihl = shr(versionLength, 24);
  if (shr(vihl, 4) !== 4 || (fragmentProtocol & 0xFF) !== 17) return NF_ACCEPT;
  // Fragments (MF or an offset): not TFTP we can read; a recording that misses a block does not commit.
  if ((shr(fragmentProtocol, 16) & 0x3FFF) !== 0) return NF_ACCEPT;
  const ihl = (vihl & 0x0F) * 4;
  const ipLength = versionLength & 0xFFFF;
  if (ihl < 20 || ipLength > total || ipLength < ihl + 8) return NF_ACCEPT;
  const ports = p.u32(ihl);
  const sport = shr(ports, 16);
  const dport = ports & 0xFFFF;
  const udpLength = p.u16(ihl + 4);
  const src = p.u32(12);
  const dst = p.u32(16);
  const off = ihl + 8;
  const truncated = udpLength < 8 || udpLength > ipLength - ihl;
  const len = udpLength - 8;

  const served = servingByPort.get(endpoint(dst, dport));
  if (served !== undefined) {
    if (served.lingering) {
      if (src === served.clientIp && sport === served.clientPort) counters.duplicate_acks++;
      return NF_DROP;
    }
    if (truncated) {
      counters.malformed++;
      return NF_DROP;
    }
    if (src === served.clientIp && sport === served.clientPort) {
      onServedMessage(served, p, off, len);
    } else {
      // RFC 1350 §4: a packet from another TID gets ERROR 5; the transfer goes on.
      counters.unknown_tid++;
      sendError(new UdpFlow(dst, src, dport, sport), ERR_UNKNOWN_TID, "Unknown transfer ID");
    }
    return NF_DROP;
  }
  if (dport === 69) {
    if (truncated) {
      counters.malformed++;
      return NF_DROP;
    }
    return onRequest(p, src, sport, dst, off, len);
  }
  if (recordingCount > 0) {
    const fromOrigin = recordingByClient.get(endpoint(dst, dport));
    if (fromOrigin !== undefined && fromOrigin.originIp === src) {
      if (truncated) {
        abortRecording(fromOrigin, "truncated message from the origin");
      } else {
        onOriginMessage(fromOrigin, p, sport, off, len);
      }
      return NF_ACCEPT;
    }
    const fromClient = recordingByClient.get(endpoint(src, sport));
    if (fromClient !== undefined && fromClient.originIp === dst && dport === fromClient.originTid && !truncated) {
      onClientMessage(fromClient, p, off, len);
    }
  }
  return NF_ACCEPT;
}

// ---- Host functions ----------------------------------------------------------

const INTEGER_KEYS: (keyof Config)[] = ["ttl_ms", "max_entry_bytes", "max_blksize", "max_windowsize", "timeout_ms", "max_retries", "record_idle_ms", "max_transfers"];
const LIMITS: Record<string, [number, number]> = {
  ttl_ms: [0, 0x7FFFFFFFFFFF], max_entry_bytes: [0, 0x7FFFFFFFFFFF], max_blksize: [8, 65464], max_windowsize: [1, 65535],
  timeout_ms: [1, 255000], max_retries: [0, 100], record_idle_ms: [1, 3_600_000], max_transfers: [1, 1_000_000],
};

/**
 * Sets configuration fields (any subset of Config, names as there); returns
 * true, or false and the reason (nothing is changed then).
 */
export function configure(this: void, t: LuaTable<string, unknown>): LuaMultiReturn<[boolean, string | undefined]> {
  if (type(t) !== "table") return $multi(false, "configure: expected a table");
  for (const [k, v] of t) {
    if (k === "never_cache") {
      if (type(v) !== "table") return $multi(false, "never_cache: expected a list of Lua patterns");
      for (const [, pattern] of v as LuaTable<number, unknown>) {
        if (type(pattern) !== "string" || !pcall(string.find, "", pattern as string)[0]) {
          return $multi(false, `never_cache: invalid pattern ${tostring(pattern)}`);
        }
      }
    } else if (k === "link_layer_sends") {
      if (type(v) !== "boolean") return $multi(false, "link_layer_sends: expected true or false");
    } else if (INTEGER_KEYS.includes(k as keyof Config)) {
      const [min, max] = LIMITS[k];
      if (math.type(v as number) !== "integer" || (v as number) < min || (v as number) > max) {
        return $multi(false, `${k}: expected an integer in [${min}, ${max}]`);
      }
    } else {
      return $multi(false, `unknown setting ${k}`);
    }
  }
  const c = config as unknown as LuaTable<string, unknown>;
  for (const [k, v] of t) {
    if (k === "never_cache") {
      const patterns: string[] = [];
      for (const [, pattern] of v as LuaTable<number, string>) patterns.push(pattern);
      c.set(k, patterns);
    } else {
      c.set(k, v);
    }
  }
  return $multi(true, undefined);
}

/** The counters, with the active transfers and the abort reasons. */
export function stats(this: void): Stats & { abort_reasons: LuaTable<string, number> } {
  const result = { ...counters, abort_reasons: abortReasons };
  result.transfers_active = servingCount;
  result.recordings_active = recordingCount;
  return result;
}

/** The configuration in effect. */
export function settings(this: void): Config {
  return config;
}

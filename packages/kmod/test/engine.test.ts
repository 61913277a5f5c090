import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Engine, NF_ACCEPT, NF_DROP, NF_QUEUE, NF_REPEAT, NF_STOLEN, XT_CONTINUE, fold16, parseIpv4, sum16, tcp, udp,
} from "../src/index.ts";
import { BEHAVIOURS, BUILD, LUA, packetWith } from "./helpers.ts";

let engine: Engine;
beforeEach(() => {
  engine = Engine.sim();
});
afterEach(() => engine.close());

function rule(fn: string, extra: Partial<Parameters<Engine["insertRule"]>[0]> = {}): number {
  return engine.insertRule({ hook: "FORWARD", script: BEHAVIOURS, function: fn, ...extra });
}

describe("verdicts", () => {
  it.each([
    ["NF_DROP", 0, NF_DROP],
    ["NF_ACCEPT", 1, NF_ACCEPT],
    ["NF_STOLEN", 2, NF_STOLEN],
    ["NF_QUEUE", 3, NF_QUEUE],
    ["NF_REPEAT", 4, NF_REPEAT],
  ])("%s comes back with netfilter's value", (_name, code, verdict) => {
    rule("verdict_from_payload");
    expect(engine.inject("FORWARD", packetWith(code)).verdict).toBe(verdict);
    expect(engine.stats()[0]!.errors).toBe(0);
  });

  it("XT_CONTINUE goes on to the next rule, and the end of the chain accepts", () => {
    rule("verdict_from_payload");
    rule("count");
    expect(engine.inject("FORWARD", packetWith(5)).verdict).toBe(NF_ACCEPT);
    expect(engine.call(0, "counter")).toEqual([1]);
    const [first] = engine.stats();
    expect(first!.verdicts.CONTINUE).toBe(1);
    expect(XT_CONTINUE).toBe(0xffffffff);
  });

  it("a packet no rule matches is accepted untouched", () => {
    rule("verdict_from_payload", { match: { protocol: "tcp" } });
    const packet = packetWith(0);
    const result = engine.inject("FORWARD", packet);
    expect(result.verdict).toBe(NF_ACCEPT);
    expect(result.modified).toBe(false);
    expect(result.packet.equals(packet)).toBe(true);
    expect(engine.stats()[0]!.packets).toBe(0);
  });

  it("rules match protocol, ports and addresses", () => {
    rule("verdict_from_payload", { match: { protocol: "udp", dport: 69, dst: "198.18.2.0/24", src: "198.18.1.2" } });
    expect(engine.inject("FORWARD", packetWith(0)).verdict).toBe(NF_DROP);
    const otherPort = udp({ src: "198.18.1.2", dst: "198.18.2.2", sport: 1, dport: 70, payload: "\x00" });
    expect(engine.inject("FORWARD", otherPort).verdict).toBe(NF_ACCEPT);
    const otherDst = udp({ src: "198.18.1.2", dst: "198.18.3.2", sport: 1, dport: 69, payload: "\x00" });
    expect(engine.inject("FORWARD", otherDst).verdict).toBe(NF_ACCEPT);
    const tcpPacket = tcp({ src: "198.18.1.2", dst: "198.18.2.2", sport: 1, dport: 69 });
    expect(engine.inject("FORWARD", tcpPacket).verdict).toBe(NF_ACCEPT);
    expect(engine.inject("INPUT", packetWith(0)).verdict).toBe(NF_ACCEPT);
  });

  it("a hook sees the devices and link-layer source the kernel reported", () => {
    rule("report_meta");
    engine.inject("FORWARD", packetWith(1), { indev: 3, outdev: 4, hwaddr: Buffer.from([0xaa, 1, 2, 3, 4, 0xbb]) });
    engine.inject("FORWARD", packetWith(1));
    expect(engine.takeLogs()).toEqual(["state 0: 3/4/aa:bb", "state 0: 0/0/none"]);
  });

  it("a PacketScript-style script with a global process_packet runs as is", () => {
    engine.insertRule({ hook: "PREROUTING", script: `${LUA}thesis-style.lua` });
    expect(engine.inject("PREROUTING", packetWith(0)).verdict).toBe(NF_ACCEPT);
    expect(engine.inject("PREROUTING", tcp({ src: "198.18.1.2", dst: "198.18.2.2", sport: 1, dport: 2 })).verdict).toBe(NF_DROP);
  });
});

describe("byte arrays", () => {
  it.each(["read_past_end", "write_past_end", "read_negative"])("%s is a Lua error, the fail verdict, and a log line", (fn) => {
    rule(fn, { failVerdict: "accept" });
    expect(engine.inject("FORWARD", packetWith(1)).verdict).toBe(NF_ACCEPT);
    const logs = engine.takeLogs();
    expect(logs.join("\n")).toMatch(/out of range/);
    expect(engine.stats()[0]!.errors).toBe(1);
  });

  it("a view used after its packet was released raises a clean error", () => {
    rule("keep_view");
    expect(engine.inject("FORWARD", packetWith(1)).verdict).toBe(NF_ACCEPT);
    expect(engine.call(0, "kept_alive")).toEqual([false, false]);
    const use = rule("use_kept_view");
    rule("use_kept_packet", { hook: "INPUT" });
    engine.deleteRule(1);
    expect(engine.inject("FORWARD", packetWith(1)).verdict).toBe(NF_DROP);
    expect(engine.takeLogs().join("\n")).toMatch(/byte array used after its packet was released/);
    engine.deleteRule(use);
    expect(engine.inject("INPUT", packetWith(1)).verdict).toBe(NF_DROP);
    expect(engine.takeLogs().join("\n")).toMatch(/packet used after its verdict was given/);
  });

  it("writes through a view change the packet the verdict carries on", () => {
    rule("rewrite_ttl");
    const result = engine.inject("FORWARD", packetWith(1));
    expect(result.modified).toBe(true);
    const parsed = parseIpv4(result.packet);
    expect(parsed.ttl).toBe(1);
    expect(parsed.ipChecksumOk).toBe(true);
  });

  it("a hook may return replacement bytes with its verdict", () => {
    rule("replace_packet");
    const result = engine.inject("FORWARD", packetWith(1, "bcd"));
    expect(result.modified).toBe(true);
    expect(result.packet.subarray(28).toString("latin1")).toBe("aaaa");
  });

  it("checksums match RFC 1071, whole and in pieces", () => {
    engine.loadScript(0, BEHAVIOURS);
    // 0x4500 + 0x001c + 0xabcd = 0xf0e9, inverted 0x0f16
    expect(engine.call(0, "checksums", ["\x45\x00\x00\x1c\xab\xcd"])).toEqual([0x0f16, 0x0f16, 0x0f16]);
  });
});

describe("fail-safe", () => {
  it("a script error gives the fail verdict, a traceback with the rule's name, and the next packet is handled", () => {
    const id = engine.insertRule({ hook: "FORWARD", script: BEHAVIOURS, function: "raise_error", name: "boom-rule" });
    rule("count");
    expect(engine.inject("FORWARD", packetWith(1)).verdict).toBe(NF_DROP);
    const log = engine.takeLogs().join("\n");
    expect(log).toMatch(/boom-rule: .*behaviours\.lua:\d+: boom from the script/);
    expect(log).toMatch(/stack traceback/);
    engine.deleteRule(id);
    expect(engine.inject("FORWARD", packetWith(1)).verdict).toBe(NF_ACCEPT);
    expect(engine.call(0, "counter")).toEqual([1]);
  });

  it.each(["return_non_verdict", "return_bad_number"])("%s gives the fail verdict and is counted", (fn) => {
    rule(fn, { failVerdict: "accept" });
    expect(engine.inject("FORWARD", packetWith(1)).verdict).toBe(NF_ACCEPT);
    expect(engine.stats()[0]!.badReturns).toBe(1);
    expect(engine.takeLogs().join("\n")).toMatch(/not a verdict/);
  });

  it("an infinite loop is stopped by the instruction budget, and the next packet is handled", () => {
    engine.setBudgets(0, { instructions: 100_000 });
    const id = rule("spin");
    expect(engine.inject("FORWARD", packetWith(1)).verdict).toBe(NF_DROP);
    expect(engine.stats()[0]!.instructionAborts).toBe(1);
    expect(engine.takeLogs().join("\n")).toMatch(/instruction budget exceeded.*\n[^]*stack traceback/);
    engine.deleteRule(id);
    rule("verdict_from_payload");
    expect(engine.inject("FORWARD", packetWith(1)).verdict).toBe(NF_ACCEPT);
  });

  it("an infinite loop is stopped by the time budget (the default), and the next packet is handled", () => {
    engine.setBudgets(0, { timeMs: 20 });
    const id = rule("spin");
    const started = performance.now();
    expect(engine.inject("FORWARD", packetWith(1)).verdict).toBe(NF_DROP);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(engine.stats()[0]!.timeAborts).toBe(1);
    expect(engine.takeLogs().join("\n")).toMatch(/time budget exceeded \(20 ms\)/);
    engine.deleteRule(id);
    rule("verdict_from_payload");
    expect(engine.inject("FORWARD", packetWith(1)).verdict).toBe(NF_ACCEPT);
  });

  it("a memory hog is stopped by the memory budget, and the state keeps working", () => {
    engine.setBudgets(0, { timeMs: 10_000, memoryBytes: 8 << 20 });
    rule("hog");
    rule("count");
    expect(engine.inject("FORWARD", packetWith(1)).verdict).toBe(NF_DROP);
    const [hog] = engine.stats();
    expect(hog!.memoryAborts).toBe(1);
    expect(engine.takeLogs().join("\n")).toMatch(/memory budget exceeded/);
    engine.deleteRule(1);
    expect(engine.inject("FORWARD", packetWith(1)).verdict).toBe(NF_ACCEPT);
    expect(engine.call(0, "counter")).toEqual([1]);
  });

  it("a script with a syntax error is refused with its file and line, and no rule is made", () => {
    expect(() => engine.insertRule({ hook: "FORWARD", script: `${LUA}syntax-error.lua` })).toThrow(/syntax-error\.lua:6: /);
    expect(engine.stats()).toEqual([]);
    expect(engine.counters().states).toBe(0);
  });

  it("a script whose top level fails is refused with its file and line", () => {
    expect(() => engine.insertRule({ hook: "FORWARD", script: `${LUA}top-level-error.lua` })).toThrow(/top-level-error\.lua:2: .*nil/);
  });

  it("a missing script or function is refused clearly", () => {
    expect(() => engine.insertRule({ hook: "FORWARD", script: `${LUA}nope.lua` })).toThrow(/cannot open .*nope\.lua/);
    expect(() => rule("no_such_function")).toThrow(/no function 'no_such_function'/);
    expect(engine.counters().states).toBe(0);
  });
});

describe("deferral, timers, held packets", () => {
  it("a deferred function runs in the process context, only after its delay on the virtual clock", () => {
    rule("defer");
    engine.inject("FORWARD", packetWith(1, "xyz"));
    engine.advance(99);
    expect(engine.call(0, "deferred_log", [], { context: "process" })).toEqual([[]]);
    engine.advance(1);
    expect(engine.call(0, "deferred_log", [], { context: "process" })).toEqual([["7:\x01xyz:process:100"]]);
    // The interrupt context has its own globals: it saw nothing.
    expect(engine.call(0, "deferred_log")).toEqual([[]]);
  });

  it("a cancelled timer never fires; the other fires on time", () => {
    rule("timers");
    engine.inject("FORWARD", packetWith(1));
    engine.advance(1000);
    expect(engine.call(0, "timer_log")).toEqual([["cancel=true", "cancel again=false", "kept@60"]]);
    expect(engine.counters().timers).toBe(0);
  });

  it("a held packet is released with its verdict after its delay", () => {
    rule("hold_and_release");
    const result = engine.inject("FORWARD", packetWith(NF_ACCEPT, "held"));
    expect(result).toMatchObject({ verdict: NF_STOLEN, held: true });
    engine.inject("FORWARD", packetWith(NF_DROP, "dropped"));
    expect(engine.counters().held).toBe(2);
    engine.advance(29);
    expect(engine.takeReleased()).toEqual([]);
    engine.advance(1);
    const released = engine.takeReleased();
    expect(released.map((r) => [r.verdict, r.packet.subarray(29).toString()])).toEqual([
      [NF_ACCEPT, "held"],
      [NF_DROP, "dropped"],
    ]);
    expect(engine.counters().held).toBe(0);
  });

  it("a script sends packets given as parts, gathered in order", () => {
    rule("send_parts");
    const packet = packetWith(1, "parts");
    expect(engine.inject("FORWARD", packet).verdict).toBe(NF_DROP);
    const sent = engine.takeSent();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.equals(packet)).toBe(true);
  });
});

describe("segmentation offload", () => {
  it("a TCP super-segment goes out as MSS-sized segments with their own lengths, ids, sequence numbers and checksums", () => {
    rule("send_super_segment");
    engine.inject("FORWARD", packetWith(1), { indev: 2, hwaddr: Buffer.from([2, 0, 0, 0, 0, 1]) });
    const segments = engine.takeSent().map(parseIpv4);
    expect(segments.map((s) => [s.payload.length, s.seq, s.flags, s.totalLength])).toEqual([
      [1000, 1000, 0x10, 1040],
      [1000, 2000, 0x10, 1040],
      [500, 3000, 0x19, 540],
    ]);
    expect(segments.every((s) => s.ipChecksumOk && s.checksumOk && s.src === "198.18.2.2" && s.dst === "198.18.1.2")).toBe(true);
    expect(segments.map((s) => s.payload.toString()).join("")).toBe("x".repeat(2500));
  });
});

describe("UDP segmentation offload", () => {
  it("a UDP super-datagram goes out as datagrams of mss bytes with their own lengths, ids and checksums", () => {
    rule("send_udp_super_datagram");
    engine.inject("FORWARD", packetWith(1), { indev: 2, hwaddr: Buffer.from([2, 0, 0, 0, 0, 1]) });
    const datagrams = engine.takeSent().map(parseIpv4);
    expect(datagrams.map((d) => [d.totalLength, d.id, d.payload.toString()])).toEqual([
      [128, 9, "A".repeat(100)],
      [128, 10, "B".repeat(100)],
      [78, 11, "C".repeat(50)],
    ]);
    expect(datagrams.every((d) => d.ipChecksumOk && d.checksumOk && d.sport === 69 && d.dport === 40000)).toBe(true);
  });
});

describe("checksums left to offload (CHECKSUM_PARTIAL)", () => {
  /** The packet as the kernel queues it: the UDP checksum field holds the folded pseudo-header sum. */
  function partial(packet: Buffer): Buffer {
    const copy = Buffer.from(packet);
    const pseudo = Buffer.concat([copy.subarray(12, 20), Buffer.from([0, 17]), copy.subarray(24, 26)]);
    copy.writeUInt16BE((~fold16(sum16(pseudo))) & 0xffff, 26);
    return copy;
  }

  it("scripts see the completed checksum", () => {
    rule("report_udp_checksum");
    const whole = packetWith(1, "complete me");
    engine.inject("FORWARD", partial(whole), { checksumPartial: true });
    expect(engine.takeLogs().join("")).toContain(whole.readUInt16BE(26).toString(16).padStart(4, "0"));
  });

  it("an unmodified packet goes on as it came, its checksum still left to offload", () => {
    rule("report_udp_checksum");
    const queued = partial(packetWith(1));
    const result = engine.inject("FORWARD", queued, { checksumPartial: true });
    expect(result.modified).toBe(false);
    expect(result.packet.equals(queued)).toBe(true);
  });

  it("a packet a script changed goes on with a complete, valid checksum", () => {
    rule("rewrite_udp_source_port");
    const result = engine.inject("FORWARD", partial(packetWith(1, "nat me")), { checksumPartial: true });
    const out = parseIpv4(result.packet);
    expect(result.modified).toBe(true);
    expect([out.sport, out.checksumOk]).toEqual([41000, true]);
  });
});

describe("states and rules", () => {
  it("two rules on one state share globals", () => {
    rule("count");
    engine.insertRule({ hook: "INPUT", script: BEHAVIOURS, function: "count" });
    engine.inject("FORWARD", packetWith(1));
    engine.inject("INPUT", packetWith(1));
    expect(engine.call(0, "counter")).toEqual([2]);
    engine.insertRule({ hook: "OUTPUT", script: `${BUILD}other-state.lua`, function: "read_counter" });
    expect(engine.inject("OUTPUT", packetWith(1)).verdict).toBe(NF_ACCEPT);
  });

  it("two states do not share globals", () => {
    rule("count");
    engine.inject("FORWARD", packetWith(1));
    engine.insertRule({ hook: "OUTPUT", script: `${BUILD}other-state.lua`, function: "read_counter", state: 1 });
    expect(engine.inject("OUTPUT", packetWith(1)).verdict).toBe(NF_DROP);
    expect(engine.call(0, "counter")).toEqual([1]);
  });

  it("a state is torn down when its last rule is deleted", () => {
    const a = rule("count");
    const b = engine.insertRule({ hook: "INPUT", script: BEHAVIOURS, function: "count" });
    engine.inject("FORWARD", packetWith(1));
    engine.inject("INPUT", packetWith(1));
    expect(engine.counters().states).toBe(1);
    engine.deleteRule(a);
    expect(engine.call(0, "counter")).toEqual([2]);
    engine.deleteRule(b);
    expect(engine.counters().states).toBe(0);
    expect(() => engine.call(0, "counter")).toThrow(/no state 0/);
    rule("count");
    expect(engine.call(0, "counter")).toEqual([0]);
  });
});

describe("kmod.span", () => {
  it("finds the first byte outside a set, like strspn", () => {
    engine.loadScript(0, BEHAVIOURS);
    expect(engine.call(0, "span_digits", ["123abc", 1])).toEqual([4]);
    expect(engine.call(0, "span_digits", ["123abc", 4])).toEqual([4]);
    expect(engine.call(0, "span_digits", ["x12345", 2])).toEqual([7]);
    expect(engine.call(0, "span_digits", ["", 1])).toEqual([1]);
    expect(engine.call(0, "span_digits", ["12", 9])).toEqual([3]);
    expect(engine.call(0, "span_digits", ["\xff9", 1])).toEqual([1]);
    expect(() => engine.call(0, "span_bad_set", ["1"])).toThrow(/32-byte bitmap/);
  });
});

describe("kmod.field_lines", () => {
  it("passes each plain header line's spans and stops at the empty line, with the two bytes there", () => {
    engine.loadScript(0, BEHAVIOURS);
    const head = "Host: a\r\nAccept:  */*\r\n\r\n";
    expect(engine.call(0, "field_lines_of", [head])).toEqual([[[2, 24, 13, 10, 0], ["Host=a", "Accept=*/*"], [0, 0, 0, 0]]]);
  });
  it("stops before a listed name (any case), giving its positions, and at a line that is not plain", () => {
    engine.loadScript(0, BEHAVIOURS);
    const head = "Host: a\r\ncontent-LENGTH: 5\r\n\r\n";
    expect(engine.call(0, "field_lines_of", [head, "Transfer-Encoding Content-Length"])).toEqual([[[1, 10, 99, 111, 2], ["Host=a"], [10, 23, 26, 26]]]);
    // obs-fold (a next line starting with SP), a bad byte, an empty value: not plain, nothing passed.
    for (const bad of ["A: b\r\n c\r\n\r\n", "A: \x01\r\n\r\n", "A:\r\n\r\n"]) {
      const [[counts, seen]] = engine.call(0, "field_lines_of", [bad]) as [[number[], string[]]];
      expect([counts.slice(0, 2), seen], JSON.stringify(bad)).toEqual([[0, 1], []]);
    }
  });
  it("rejects bad arguments with the argument's number", () => {
    engine.loadScript(0, BEHAVIOURS);
    expect(() => engine.call(0, "field_lines_of", ["A: b\r\n\r\n", "a  b"])).toThrow(/bad argument #6 to 'field_lines'/);
  });
});

describe("calling Lua from TypeScript", () => {
  it("passes strings, integers, booleans and tables both ways", () => {
    engine.loadScript(0, BEHAVIOURS);
    expect(engine.call(0, "checksums", [Buffer.from([0x45, 0, 0, 0x1c, 0xab, 0xcd])])).toEqual([0x0f16, 0x0f16, 0x0f16]);
    expect(() => engine.call(0, "checksums", [1.5])).toThrow(/not an integer/);
    expect(() => engine.call(0, "nope")).toThrow(/no function 'nope'/);
  });
});

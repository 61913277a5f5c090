// The sim demo: loads dist/sim-demo.lua (compiled from src/lua) into the
// engine's simulated wire, sends a few packets through it and prints what
// the rules did. `--check` also verifies each outcome (the project's test).
import { fileURLToPath } from "node:url";
import { Engine, NF_ACCEPT, NF_DROP, NF_STOLEN, parseIpv4, tcp, udp, ipv4, verdictName, type RuleSpec } from "@kcache/kmod";

const BUNDLE = fileURLToPath(new URL("../dist/sim-demo.lua", import.meta.url));
const CLIENT = "198.18.1.2";
const ORIGIN = "198.18.2.2";

const rules: RuleSpec[] = [
  { name: "tftp-ttl", hook: "FORWARD", script: BUNDLE, function: "mark_tftp", match: { protocol: "udp", dport: 69 } },
  { name: "no-telnet", hook: "FORWARD", script: BUNDLE, function: "drop_telnet", match: { protocol: "tcp", dport: 23 } },
  { name: "icmp-delay", hook: "FORWARD", script: BUNDLE, function: "delay_icmp", match: { protocol: "icmp" } },
  { name: "echo", hook: "PREROUTING", script: BUNDLE, function: "answer_echo", match: { protocol: "udp", dport: 7 } },
];

const icmpEcho = Buffer.from([8, 0, 0xf7, 0xfe, 0, 1, 0, 0]);
const packets = [
  { what: "TFTP read request", hook: "FORWARD" as const, bytes: udp({ src: CLIENT, dst: ORIGIN, sport: 40000, dport: 69, payload: "\x00\x01file.bin\x00octet\x00" }), expect: NF_ACCEPT },
  { what: "telnet SYN", hook: "FORWARD" as const, bytes: tcp({ src: CLIENT, dst: ORIGIN, sport: 40001, dport: 23, flags: 0x02 }), expect: NF_DROP },
  { what: "ping", hook: "FORWARD" as const, bytes: ipv4({ src: CLIENT, dst: ORIGIN, protocol: 1, payload: icmpEcho }), expect: NF_STOLEN },
  { what: "UDP echo request", hook: "PREROUTING" as const, bytes: udp({ src: CLIENT, dst: ORIGIN, sport: 40002, dport: 7, payload: "hello" }), expect: NF_STOLEN },
  { what: "HTTP SYN (no rule)", hook: "FORWARD" as const, bytes: tcp({ src: CLIENT, dst: ORIGIN, sport: 40003, dport: 80, flags: 0x02 }), expect: NF_ACCEPT },
];

const check = process.argv.includes("--check");
const failures: string[] = [];
const engine = Engine.sim();
try {
  for (const rule of rules) engine.insertRule(rule);
  console.log(`kcache sim demo: ${rules.length} rules from ${BUNDLE}\n`);
  const rows: string[][] = [["packet", "hook", "verdict", "what happened"]];
  for (const packet of packets) {
    const result = engine.inject(packet.hook, packet.bytes);
    const notes: string[] = [];
    if (result.modified) {
      const out = parseIpv4(result.packet);
      notes.push(`rewritten: TTL ${parseIpv4(packet.bytes).ttl} -> ${out.ttl}, IP checksum ${out.ipChecksumOk ? "valid" : "BROKEN"}`);
    }
    if (result.held) {
      engine.advance(20);
      const [released] = engine.takeReleased();
      notes.push(`held 20 ms, then released with ${released ? verdictName(released.verdict) : "nothing"}`);
      if (!released || released.verdict !== NF_ACCEPT) failures.push(`${packet.what}: not released`);
    }
    for (const sent of engine.takeSent()) {
      const reply = parseIpv4(sent);
      notes.push(`answered by the router: ${reply.src}:${reply.sport} -> ${reply.dst}:${reply.dport} "${reply.payload.toString()}"`);
      if (reply.payload.toString() !== "hello" || !reply.ipChecksumOk) failures.push(`${packet.what}: bad reply`);
    }
    rows.push([packet.what, packet.hook, verdictName(result.verdict), notes.join("; ") || "-"]);
    if (result.verdict !== packet.expect) failures.push(`${packet.what}: ${verdictName(result.verdict)}, expected ${verdictName(packet.expect)}`);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, j) => cell.padEnd(widths[j]!)).join("  "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
  console.log("\nper-rule stats:");
  for (const s of engine.stats()) {
    const verdicts = Object.entries(s.verdicts).filter(([, n]) => n > 0).map(([v, n]) => `${v}=${n}`).join(" ");
    console.log(`  ${s.name.padEnd(11)} packets=${s.packets} ${verdicts} errors=${s.errors} lua=${Math.round(s.luaNs / Math.max(s.packets, 1))} ns/packet`);
  }
  for (const line of engine.takeLogs()) console.log(`log: ${line}`);
} finally {
  engine.close();
}
if (check) {
  if (failures.length) {
    console.error(`\nsim demo check: ${failures.length} failed\n  ${failures.join("\n  ")}`);
    process.exit(1);
  }
  console.log("\nsim demo check: every outcome as expected");
}

// What lua-std costs per packet, machine-independently (unlike times on a
// shared box), for the SNAT of Listing 4.1 on one TCP packet in the sim:
// - Lua VM instructions: the smallest instruction budget under which a hook
//   still gives its verdict, found by bisection;
// - bytes allocated in the Lua state: collectgarbage("count") before and
//   after N packets, the collector stopped, after a warm-up.
// Run: npx tsx bench/instructions.ts   (or npx nx run lua-std:bench)
import { Engine } from "@kcache/kmod";
import { BUNDLE, LISTINGS, PROBE, lua, packet } from "../test/helpers.ts";

const RAW = new URL("./raw-nat.lua", import.meta.url).pathname;
const IP_ONLY = new URL("./ip-nat.lua", import.meta.url).pathname;
const p = packet("http_request");
const PACKETS = 10_000;

function instructions(setup: (e: Engine) => void): number {
  let low = 1, high = 1 << 16;
  while (low < high) {
    const mid = (low + high) >> 1;
    const e = Engine.sim({ seed: 1 });
    setup(e);
    e.inject("POSTROUTING", p); // first packet: warm caches
    e.setBudgets(0, { instructions: mid });
    const ok = e.inject("POSTROUTING", p).verdict === 1; // the fail verdict is drop (0)
    e.close();
    if (ok) high = mid;
    else low = mid + 1;
  }
  return low;
}

function bytesPerPacket(setup: (e: Engine) => void): number {
  const e = Engine.sim({ seed: 1 });
  e.loadScript(0, PROBE);
  setup(e);
  for (let i = 0; i < 100; i++) e.inject("POSTROUTING", p); // warm-up: reused objects made once
  lua(e, "collectgarbage('stop') function memory_kb() return collectgarbage('count') end");
  const before = e.call(0, "memory_kb")[0] as number;
  for (let i = 0; i < PACKETS; i++) e.inject("POSTROUTING", p);
  const after = e.call(0, "memory_kb")[0] as number;
  e.close();
  return ((after - before) * 1024) / PACKETS;
}

const paths: [string, (e: Engine) => void][] = [
  ["empty hook", (e) => e.insertRule({ hook: "POSTROUTING", script: RAW, function: "accept_only" })],
  ["SNAT on the raw ABI (raw-nat.lua)", (e) => e.insertRule({ hook: "POSTROUTING", script: RAW, function: "raw_snat" })],
  ["Listing 4.1, link-layer presentation", (e) => {
    e.loadScript(0, BUNDLE);
    e.call(0, "packetscript_link_layer", [true]);
    e.insertRule({ hook: "POSTROUTING", script: `${LISTINGS}/listing-4.1.lua`, function: "process_packet_snat" });
  }],
  ["p:data(packet_ip) (ip-nat.lua)", (e) => {
    e.loadScript(0, BUNDLE);
    e.insertRule({ hook: "POSTROUTING", script: IP_ONLY, function: "ip_snat" });
  }],
];

console.log(`${"per packet".padEnd(38)} ${"instructions".padStart(12)} ${"bytes".padStart(7)}`);
for (const [name, setup] of paths) {
  console.log(`${name.padEnd(38)} ${String(instructions(setup)).padStart(12)} ${bytesPerPacket(setup).toFixed(1).padStart(7)}`);
}
console.log("(88 bytes: the engine's byte array viewing the packet, p:bytes(); lua-std's own objects are reused)");

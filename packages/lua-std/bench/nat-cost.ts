// What lua-std costs per packet on the NAT path: the same TCP packet through
// an empty hook, a raw-ABI SNAT, and the thesis' Listing 4.1 over lua-std
// (link-layer presentation on), N times each in the sim backend.
// Run: npx tsx bench/nat-cost.ts [N]
import { Engine } from "@kcache/kmod";
import { BUNDLE, LISTINGS, packet } from "../test/helpers.ts";

const N = Number(process.argv[2] ?? 200_000);
const RAW = new URL("./raw-nat.lua", import.meta.url).pathname;
const p = packet("http_request");

function measure(name: string, setup: (e: Engine) => void): number {
  const e = Engine.sim({ seed: 1 });
  setup(e);
  for (let i = 0; i < 2000; i++) e.inject("POSTROUTING", p); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) e.inject("POSTROUTING", p);
  const ns = Number(process.hrtime.bigint() - start) / N;
  e.close();
  console.log(`${name.padEnd(34)} ${ns.toFixed(0).padStart(6)} ns/packet`);
  return ns;
}

const empty = measure("empty hook (engine + N-API)", (e) => e.insertRule({ hook: "POSTROUTING", script: RAW, function: "accept_only" }));
const raw = measure("SNAT on the raw ABI", (e) => e.insertRule({ hook: "POSTROUTING", script: RAW, function: "raw_snat" }));
const std = measure("Listing 4.1 SNAT over lua-std", (e) => {
  e.loadScript(0, BUNDLE);
  e.call(0, "packetscript_link_layer", [true]);
  e.insertRule({ hook: "POSTROUTING", script: `${LISTINGS}/listing-4.1.lua`, function: "process_packet_snat" });
});
console.log(`lua-std adds ${(std - raw).toFixed(0)} ns/packet over the raw-ABI SNAT (Lua work: raw ${(raw - empty).toFixed(0)} ns, lua-std ${(std - empty).toFixed(0)} ns)`);

// Lua VM instructions per packet (machine-independent, unlike times on a
// shared box): the smallest instruction budget under which a hook still
// gives its verdict, found by bisection. Run: npx tsx bench/instructions.ts
import { Engine } from "@kcache/kmod";
import { BUNDLE, LISTINGS, packet } from "../test/helpers.ts";

const RAW = new URL("./raw-nat.lua", import.meta.url).pathname;
const p = packet("http_request");

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

const empty = instructions((e) => e.insertRule({ hook: "POSTROUTING", script: RAW, function: "accept_only" }));
const raw = instructions((e) => e.insertRule({ hook: "POSTROUTING", script: RAW, function: "raw_snat" }));
const std = instructions((e) => {
  e.loadScript(0, BUNDLE);
  e.call(0, "packetscript_link_layer", [true]);
  e.insertRule({ hook: "POSTROUTING", script: `${LISTINGS}/listing-4.1.lua`, function: "process_packet_snat" });
});
const plain = instructions((e) => {
  e.loadScript(0, BUNDLE);
  e.insertRule({ hook: "POSTROUTING", script: RAW.replace("raw-nat.lua", "ip-nat.lua"), function: "ip_snat" });
});
console.log({ empty, raw, listing41: std, ipOnly: plain });

// The TFTP cache: load the bundle with one rule on the UDP traffic between
// clients and origins, e.g.
//   kmod run -A FORWARD -p udp -j LUA --script dist/tftp-cache.lua
// `process_packet` is the hook; `configure(table)` and `stats()` are for the
// host (engine.call).
export { process_packet, configure, stats, settings } from "./cache";
export { entryKey as entry_key } from "./store";

export const VERSION = "0.1.0";

-- Lua VM instructions per segment of bench.ts's paths (the bundle's
-- tcp_bench_prepare / tcp_bench_run), counted by a count hook in plain
-- lua5.4: a figure that does not move with the machine's load, to compare
-- versions. The engine's C helpers (checksums) are stand-ins here, as they
-- are not Lua work.
-- lua5.4 instructions.lua BUNDLE KIND SEGMENTS [OFFLOAD_BYTES]  ->  "<instructions> <segments>"
local bundle, kind, segments, offload = arg[1], arg[2], tonumber(arg[3]), tonumber(arg[4] or "0")
kmod = {
  now_us = function() return 0 end,
  random32 = function() return 12345 end,
  sum16 = function() return 0 end,
  fold16 = function() return 0 end,
  log = function() end,
}
local m = dofile(bundle)
m.tcp_bench_prepare(kind, segments, offload > 0 and { segmentOffloadBytes = offload } or {})
local count = 0
debug.sethook(function() count = count + 1 end, "", 1)
local handled = m.tcp_bench_run()
debug.sethook()
print(string.format("%d %d", count, handled))

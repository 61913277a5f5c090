-- The same bundle in a plain lua5.4 process (no engine): shows the
-- parser's own speed beside the engine's figure, and counts Lua VM
-- instructions per message (a figure machine load does not change).
-- Usage: lua5.4 lua54-bench.lua BUNDLE request|response FILE ITERATIONS SEGMENT [FUNCTION] [count]
-- Prints "nanoseconds messages code", or with `count` "instructions messages code".
local bundle, kind, file, iterations, segment, fn, mode = ...
local m = dofile(bundle)
local f = assert(io.open(file, "rb"))
local data = f:read("a")
f:close()
local run = m[fn or "benchParse"]
iterations = math.tointeger(tonumber(iterations))
segment = math.tointeger(tonumber(segment))
if mode == "count" then
  local instructions = 0
  debug.sethook(function() instructions = instructions + 1 end, "", 1)
  local messages, code = run(kind, data, iterations, segment)
  debug.sethook()
  io.write(string.format("%d %d %d\n", instructions, messages, code))
else
  local t0 = os.clock()
  local messages, code = run(kind, data, iterations, segment)
  local elapsed = os.clock() - t0
  io.write(string.format("%d %d %d\n", math.floor(elapsed * 1e9), messages, code))
end

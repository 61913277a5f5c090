-- The same bundle in a plain lua5.4 process (no engine, no instruction
-- budget): shows the parser's own speed beside the engine's figure.
-- Usage: lua5.4 lua54-bench.lua BUNDLE request|response FILE ITERATIONS SEGMENT [FUNCTION]
local bundle, kind, file, iterations, segment, fn = ...
local m = dofile(bundle)
local f = assert(io.open(file, "rb"))
local data = f:read("a")
f:close()
local t0 = os.clock()
local messages, code = m[fn or "benchParse"](kind, data, math.tointeger(tonumber(iterations)), math.tointeger(tonumber(segment)))
local elapsed = os.clock() - t0
io.write(string.format("%d %d %d\n", math.floor(elapsed * 1e9), messages, code))

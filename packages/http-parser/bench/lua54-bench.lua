-- The same bundle in a plain lua5.4 process (no engine): shows the
-- parser's own speed beside the engine's figure, and counts Lua VM
-- instructions per message (a figure machine load does not change).
-- Usage: lua5.4 lua54-bench.lua BUNDLE request|response FILE ITERATIONS SEGMENT [FUNCTION] [count]
-- Prints "nanoseconds messages code", or with `count` "instructions messages code".
local bundle, kind, file, iterations, segment, fn, mode = ...

-- Plain lua5.4 has no engine, so no kmod.span (a strspn in C): this shim
-- gives the same answers with a Lua pattern made once per set, as the
-- parser did before the engine offered span. Only this benchmark uses it.
if kmod == nil then
  local special = { [37] = true, [45] = true, [93] = true, [94] = true } -- % - ] ^
  local function item(b)
    if special[b] or b < 48 or (b > 57 and b < 65) or (b > 90 and b < 97) or b > 122 then
      return "%" .. string.char(b)
    end
    return string.char(b)
  end
  -- "^[members]*()": runs of safe members as ranges, other members escaped one by one.
  local function pattern(set)
    local items, b = {}, 0
    while b < 256 do
      local function member(x) return x < 256 and (string.byte(set, (x >> 3) + 1) >> (x & 7)) & 1 == 1 end
      if member(b) then
        local e = b
        while member(e + 1) and not special[e + 1] and not special[b] do e = e + 1 end
        if e - b >= 2 then
          items[#items + 1] = string.char(b) .. "-" .. string.char(e)
        else
          for x = b, e do items[#items + 1] = item(x) end
        end
        b = e + 1
      else
        b = b + 1
      end
    end
    return "^[" .. table.concat(items) .. "]*()"
  end
  local patterns = setmetatable({}, { __index = function(t, set)
    local p = pattern(set)
    t[set] = p
    return p
  end })
  local match = string.match
  shimSpan = function(s, init, set) return match(s, patterns[set], init) end
  kmod = { span = shimSpan }
end

local m = dofile(bundle)
local f = assert(io.open(file, "rb"))
local data = f:read("a")
f:close()
local run = m[fn or "benchParse"]
iterations = math.tointeger(tonumber(iterations))
segment = math.tointeger(tonumber(segment))
if mode == "count" then
  -- Counted after a first run (the shim makes its patterns then), without the
  -- shim's own instructions: in the engine a span is one call of a C function.
  run(kind, data, 1, segment)
  local instructions, shim, getinfo = 0, rawget(_G, "shimSpan"), debug.getinfo
  debug.sethook(function()
    if shim == nil or getinfo(2, "f").func ~= shim then instructions = instructions + 1 end
  end, "", 1)
  local messages, code = run(kind, data, iterations, segment)
  debug.sethook()
  io.write(string.format("%d %d %d\n", instructions, messages, code))
else
  local t0 = os.clock()
  local messages, code = run(kind, data, iterations, segment)
  local elapsed = os.clock() - t0
  io.write(string.format("%d %d %d\n", math.floor(elapsed * 1e9), messages, code))
end

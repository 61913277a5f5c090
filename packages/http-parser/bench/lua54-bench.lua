-- The same bundle in a plain lua5.4 process (no engine): shows the
-- parser's own speed beside the engine's figure, and counts Lua VM
-- instructions per message (a figure machine load does not change).
-- Usage: lua5.4 lua54-bench.lua BUNDLE request|response FILE ITERATIONS SEGMENT [FUNCTION] [count]
-- Prints "nanoseconds messages code", or with `count` "instructions messages code".
local bundle, kind, file, iterations, segment, fn, mode = ...

-- Plain lua5.4 has no engine, so no kmod.span (a strspn in C) nor
-- kmod.field_lines (the plain header lines of a head, in C): these shims give
-- the same answers with Lua patterns, as the parser did before the engine
-- offered them. Only this benchmark uses them.
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
  local match, byte, lower, sub = string.match, string.byte, string.lower, string.sub
  shimSpan = function(s, init, set) return match(s, patterns[set], init) end
  -- A plain field line (see kmod.field_lines in packages/kmod/lua-api/index.d.ts): a tchar
  -- name, ':', OWS, a value that starts with a visible byte or obs-text, CRLF, a next byte
  -- that is not SP or HTAB. Captures: the colon, the value, the CR, the byte after that one.
  local LINE = "^[%w!#$%%&'*+%-.^_`|~]+():[ \t]*()[^%z\1-\31\127 ][^%z\1-\8\10-\31\127]*()\r\n[^ \t]()"
  local indexes = setmetatable({}, { __index = function(t, names)
    local index, n = {}, 0
    for name in names:gmatch("[^ ]+") do
      n = n + 1
      index[lower(name)] = n
    end
    t[names] = index
    return index
  end })
  shimFieldLines = function(s, init, stop, each, out, names)
    if stop > #s then stop = #s end
    local index = names and indexes[names]
    local count, p, listed = 0, init, nil
    while true do
      local colon, value, cr, after = match(s, LINE, p)
      if colon == nil or after - 1 > stop then break end
      listed = index and index[lower(sub(s, p, colon - 1))]
      if listed then
        out[1], out[2], out[3], out[4] = p, colon - 1, value, cr - 1
        break
      end
      if each then each(s, p, colon - 1, value, cr - 1) end
      count = count + 1
      p = cr + 2
    end
    return count, p, p <= stop and byte(s, p) or nil, p + 1 <= stop and byte(s, p + 1) or nil, listed
  end
  kmod = { span = shimSpan, field_lines = shimFieldLines }
end

local m = dofile(bundle)
local f = assert(io.open(file, "rb"))
local data = f:read("a")
f:close()
local run = m[fn or "benchParse"]
iterations = math.tointeger(tonumber(iterations))
segment = math.tointeger(tonumber(segment))
if mode == "count" then
  -- Counted after a first run (the shims make their patterns then), without the
  -- shims' own instructions: in the engine each is one call of a C function.
  run(kind, data, 1, segment)
  local instructions, getinfo = 0, debug.getinfo
  local shims = {}
  for _, name in ipairs({ "shimSpan", "shimFieldLines" }) do
    local f = rawget(_G, name)
    if f then shims[f] = true end
  end
  debug.sethook(function()
    if not shims[getinfo(2, "f").func] then instructions = instructions + 1 end
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

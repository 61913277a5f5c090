-- A stand-in for the engine's sim backend while it is not built: plain
-- lua5.4 with the few kmod functions tcp-stack uses, driven over stdin/stdout
-- by lua-host.ts (one Lua chunk per line in, one JSON line out). Only used
-- when TCP_STACK_HOST=lua; the CI tests run on the real engine.
local clock_us = 0
local seed = 1
kmod = {}
function kmod.now_us() return clock_us end
function kmod.now_ms() return clock_us // 1000 end
function kmod.random32()
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  local hi = seed
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  return ((hi << 16) ~ seed) & 0xffffffff
end
function kmod.sum16(data, offset, length, initial)
  local sum = initial or 0
  local i = (offset or 0) + 1
  local last = length and (i + length - 1) or #data
  while i + 1 <= last do
    local a, b = string.byte(data, i, i + 1)
    sum = sum + a * 256 + b
    i = i + 2
  end
  if i == last then sum = sum + string.byte(data, i) * 256 end
  return sum
end
function kmod.fold16(sum)
  while sum > 0xffff do sum = (sum & 0xffff) + (sum >> 16) end
  return (~sum) & 0xffff
end
function kmod.log(s) io.stderr:write(s, "\n") end
function __advance(us) clock_us = clock_us + us end

local exports = dofile(arg[1])
for k, v in pairs(exports) do if type(v) == "function" then _G[k] = v end end

local function enc(v, out)
  local t = type(v)
  if v == nil then out[#out + 1] = "null"
  elseif t == "boolean" then out[#out + 1] = tostring(v)
  elseif t == "number" then out[#out + 1] = string.format("%d", v)
  elseif t == "string" then
    out[#out + 1] = '"' .. v:gsub('[%c"\\\128-\255]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
  elseif t == "table" then
    local n = #v
    local count = 0
    for _ in pairs(v) do count = count + 1 end
    if count == n then
      out[#out + 1] = "["
      for i = 1, n do if i > 1 then out[#out + 1] = "," end; enc(v[i], out) end
      out[#out + 1] = "]"
    else
      out[#out + 1] = "{"
      local first = true
      for k, x in pairs(v) do
        if not first then out[#out + 1] = "," end
        first = false
        enc(tostring(k), out); out[#out + 1] = ":"; enc(x, out)
      end
      out[#out + 1] = "}"
    end
  else out[#out + 1] = '"' .. t .. '"' end
end

for line in io.lines() do
  local chunk, err = load(line)
  local out = {}
  if not chunk then
    enc({ error = err }, out)
  else
    local res = table.pack(pcall(chunk))
    if res[1] then
      local vals = {}
      for i = 2, res.n do vals[i - 1] = res[i] == nil and "__nil__" or res[i] end
      enc({ ok = vals, n = res.n - 1 }, out)
    else
      enc({ error = tostring(res[2]) }, out)
    end
  end
  io.stdout:write(table.concat(out), "\n")
  io.stdout:flush()
end

-- Test-only helpers loaded into the same state as a listing, to read what
-- the listing left in its globals. Captures Lua's functions first: Listing
-- 3.1 assigns a global named `type`.
local type, tostring, rawget = type, tostring, rawget

-- A global as (kind, value...): byte arrays and segments as their bytes.
function probe(name)
  local v = rawget(_G, name)
  local t = type(v)
  if t == "userdata" then return "bytes", v:string(), #v end
  if t == "table" and v.get_offset then return "segment", v:get_offset(), v:get_size(), v:string(), tostring(v) end
  return t, v
end

-- Runs Lua source in this state and returns its results (for tests of the API).
function probe_run(source, ...)
  local chunk, err = load(source, "=probe_run", "t")
  if not chunk then error(err) end
  return chunk(...)
end

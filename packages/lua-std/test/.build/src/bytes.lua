--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
-- Lua Library inline imports
local function __TS__ArrayForEach(self, callbackFn, thisArg)
    for i = 1, #self do
        callbackFn(thisArg, self[i], i - 1, self)
    end
end
-- End of Lua Library inline imports
local ____exports = {}
local ____core = require("src.core")
local checkProtocol = ____core.checkProtocol
local ____util = require("src.util")
local checkInteger = ____util.checkInteger
local luaType = ____util.luaType
local function lengthOf(part, i)
    local t = luaType(part)
    if t == "string" then
        return #part
    end
    if t == "userdata" then
        return part:len()
    end
    if t == "table" and part.buf ~= nil then
        return part.len
    end
    return error(
        ((("bytes.many_to_one: element " .. tostring(i)) .. " is a ") .. t) .. ", expected a byte array, string or segment",
        3
    )
end
local function copyInto(target, at, part)
    local t = luaType(part)
    if t == "table" then
        local seg = part
        if seg.len > 0 then
            target:copy_from(seg.buf, at, seg.off, seg.len)
        end
    elseif lengthOf(part, 0) > 0 then
        target:copy_from(part, at)
    end
end
--- The parts gathered into one new byte array: one allocation, order kept.
function ____exports.concatBytes(parts)
    local total = 0
    __TS__ArrayForEach(
        parts,
        function(____, part, i)
            total = total + lengthOf(part, i + 1)
        end
    )
    local out = kmod.bytes(total)
    local at = 0
    for ____, part in ipairs(parts) do
        copyInto(out, at, part)
        at = at + lengthOf(part, 0)
    end
    return out
end
____exports.bytes = {
    new = function(length) return kmod.bytes(checkInteger(length, 0, 2147483647, "bytes.new: length")) end,
    new_from_string = function(s)
        if luaType(s) ~= "string" then
            error("bytes.new_from_string: expected a string", 2)
        end
        return kmod.bytes(s .. "\0")
    end,
    from_string = function(s) return kmod.bytes(s) end,
    many_to_one = function(parts)
        if luaType(parts) ~= "table" then
            error("bytes.many_to_one: expected a table of byte arrays", 2)
        end
        return ____exports.concatBytes(parts)
    end,
    to_bytes = function(segment, _proto)
        if luaType(segment) ~= "table" or segment.buf == nil then
            error("bytes.to_bytes: expected a packet segment", 2)
        end
        return segment:to_bytes()
    end,
    to_packet = function(array, proto)
        checkProtocol(proto)
        local b = luaType(array) == "string" and kmod.bytes(array) or array
        return proto:instantiate(
            b,
            0,
            b:len(),
            0
        )
    end
}
return ____exports

--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
local ____core = require("src.core")
local readBits = ____core.readBits
local withChecksum = ____core.withChecksum
local writeBits = ____core.writeBits
local ____util = require("src.util")
local checkInteger = ____util.checkInteger
local formatIpv4 = ____util.formatIpv4
local formatMac = ____util.formatMac
local parseMac = ____util.parseMac
local toIpv4 = ____util.toIpv4
local luaType = ____util.luaType
--- Unsigned integer of the field's width (1 to 32 bits).
____exports.getUint = function(f) return readBits(f) end
____exports.setUint = function(f, v) return writeBits(
    f,
    checkInteger(
        v,
        0,
        4294967295,
        f.spec.name,
        ":set"
    )
) end
--- A field that is read but refuses writes (e.g. lengths that other fields depend on would be set with set_value).
____exports.setReadOnly = function(f)
    error(f.spec.name .. ": read-only through set(); use set_value(n) to write the raw integer", 3)
end
--- PacketScript's 1-bit accessors on a flags field: `get(n)` is bit n
-- (1 = most significant bit of the field's byte(s)), `get()` the whole value;
-- `set(n)` sets bit n; `clear(n)` is on the field too (see flagClear).
____exports.getFlag = function(f, ____bit)
    local v = readBits(f)
    if ____bit == nil then
        return v
    end
    local n = checkInteger(
        ____bit,
        1,
        f.bits,
        f.spec.name,
        ":get(bit)"
    )
    return v >> f.bits - n & 1 == 1
end
____exports.setFlag = function(f, ____bit)
    local n = checkInteger(
        ____bit,
        1,
        f.bits,
        f.spec.name,
        ":set(bit)"
    )
    writeBits(
        f,
        readBits(f) | 1 << f.bits - n
    )
end
--- Clears bit n (1-based from the most significant) of a flags field.
function ____exports.clearFlag(f, ____bit)
    local n = checkInteger(
        ____bit,
        1,
        f.bits,
        f.spec.name,
        ":clear(bit)"
    )
    writeBits(
        f,
        readBits(f) & ~(1 << f.bits - n)
    )
end
--- IPv4 address as "a.b.c.d".
____exports.getIpv4 = function(f) return formatIpv4(f.buf:u32(f.off)) end
--- Sets an IPv4 address field (text or integer): fixes the IP header
-- checksum and, for TCP/UDP payloads, the transport checksum whose
-- pseudo-header holds the address. The per-packet path of a NAT: a handful
-- of native calls, no allocation.
____exports.setIpv4 = function(f, v)
    local addr = toIpv4(v, f.spec.name, ":set")
    local old = f.buf:u32(f.off)
    if old == addr then
        return
    end
    f.buf:set_u32(f.off, addr)
    f.owner:addressChanged(old, addr)
end
--- MAC address as "01:23:45:67:89:AB"; set takes that text (either case) or 6 bytes.
____exports.getMac = function(f) return formatMac(f.buf:string(f.off, 6)) end
____exports.setMac = function(f, v)
    local bytes
    if luaType(v) == "string" then
        bytes = parseMac(v) or (#v == 6 and v or nil)
    elseif luaType(v) == "userdata" and v:len() == 6 then
        bytes = v:string()
    end
    if bytes == nil then
        error(
            ((f.spec.name .. ":set: invalid MAC address ") .. tostring(v)) .. " (expected \"01:23:45:67:89:AB\")",
            3
        )
    end
    withChecksum(
        f,
        function() return f.buf:copy_from(bytes, f.off) end
    )
end
--- The field's bytes as a Lua string (text fields of TFTP and HTTP).
____exports.getString = function(f) return f.buf:string(f.off, f.len) end
--- Replaces a text field by a string of the same length (a packet cannot grow in place).
____exports.setSameLengthString = function(f, v)
    if luaType(v) ~= "string" then
        error(f.spec.name .. ":set: expected a string", 3)
    end
    local s = v
    if #s ~= f.len then
        error(
            ((((f.spec.name .. ":set: the new value has ") .. tostring(#s)) .. " bytes, the field ") .. tostring(f.len)) .. "; build a new packet to change lengths",
            3
        )
    end
    withChecksum(
        f,
        function() return f.buf:copy_from(s, f.off) end
    )
end
return ____exports

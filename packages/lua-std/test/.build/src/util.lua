--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
--- Lua's `type`, captured when the bundle loads: the thesis' Listing 3.1
-- assigns a global named `type`, which must not break the library.
____exports.luaType = type
--- True when `v` is a Lua integer (not a float, not a string).
function ____exports.isInteger(v)
    return math.type(v) == "integer"
end
--- The integer a decimal text stands for, or undefined.
function ____exports.toInteger(text)
    if text == nil then
        return nil
    end
    local n = tonumber(text)
    if n == nil then
        return nil
    end
    return math.tointeger(n)
end
--- Raises a Lua error unless `v` is an integer in [min, max]; `what` (+ `suffix`) names the argument.
function ____exports.checkInteger(v, min, max, what, suffix)
    if suffix == nil then
        suffix = ""
    end
    if not ____exports.isInteger(v) or v < min or v > max then
        error(
            ((((((what .. suffix) .. ": expected an integer in [") .. tostring(min)) .. ", ") .. tostring(max)) .. "], got ") .. tostring(v),
            3
        )
    end
    return v
end
--- Parses "a.b.c.d" to a 32-bit integer; undefined when it is not a dotted quad.
function ____exports.parseIpv4(text)
    local a, b, c, d = string.match(text, "^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
    if a == nil then
        return nil
    end
    local n1 = ____exports.toInteger(a)
    local n2 = ____exports.toInteger(b)
    local n3 = ____exports.toInteger(c)
    local n4 = ____exports.toInteger(d)
    if n1 == nil or n2 == nil or n3 == nil or n4 == nil then
        return nil
    end
    if n1 > 255 or n2 > 255 or n3 > 255 or n4 > 255 then
        return nil
    end
    return n1 << 24 | n2 << 16 | n3 << 8 | n4
end
local parsedAddresses = {}
local parsedCount = 0
--- An IPv4 address given as text or as a 32-bit integer, as an integer (Lua error when invalid).
function ____exports.toIpv4(value, what, suffix)
    if suffix == nil then
        suffix = ""
    end
    if ____exports.isInteger(value) and value >= 0 and value <= 4294967295 then
        return value
    end
    if ____exports.luaType(value) == "string" then
        local cached = parsedAddresses[value]
        if cached ~= nil then
            return cached
        end
        local n = ____exports.parseIpv4(value)
        if n ~= nil then
            if parsedCount >= 256 then
                for key in pairs(parsedAddresses) do
                    parsedAddresses[key] = nil
                end
                parsedCount = 0
            end
            parsedAddresses[value] = n
            parsedCount = parsedCount + 1
            return n
        end
    end
    return error(
        (((what .. suffix) .. ": invalid IPv4 address ") .. tostring(value)) .. " (expected \"a.b.c.d\")",
        3
    )
end
function ____exports.formatIpv4(n)
    return string.format(
        "%d.%d.%d.%d",
        n >> 24 & 255,
        n >> 16 & 255,
        n >> 8 & 255,
        n & 255
    )
end
--- Parses "01:23:45:67:89:ab" (either case, ':' or '-') to a 6-byte string; undefined when invalid.
function ____exports.parseMac(text)
    local a, b, c, d, e, f = string.match(text, "^(%x%x)[:%-](%x%x)[:%-](%x%x)[:%-](%x%x)[:%-](%x%x)[:%-](%x%x)$")
    if a == nil then
        return nil
    end
    return string.char(
        tonumber(a, 16),
        tonumber(b, 16),
        tonumber(c, 16),
        tonumber(d, 16),
        tonumber(e, 16),
        tonumber(f, 16)
    )
end
--- Formats 6 bytes as "01:23:45:67:89:AB" (upper case, as the thesis' listings compare).
function ____exports.formatMac(bytes)
    local a, b, c, d, e, f = string.byte(bytes, 1, 6)
    return string.format(
        "%02X:%02X:%02X:%02X:%02X:%02X",
        a,
        b,
        c,
        d,
        e,
        f
    )
end
--- RFC 1624 (eqn. 3) incremental update of an Internet checksum after a
-- 16-bit word of the covered data changed from `oldWord` to `newWord`:
-- HC' = ~(~HC + ~m + m').
function ____exports.checksumAdjust(check, oldWord, newWord)
    local sum = (~check & 65535) + (~oldWord & 65535) + (newWord & 65535)
    sum = (sum & 65535) + (sum >> 16)
    sum = (sum & 65535) + (sum >> 16)
    return ~sum & 65535
end
--- One's-complement sum (RFC 1071) of a Lua string range, unfolded, added to `initial`. Pure Lua.
function ____exports.sum16String(s, initial, from, to)
    if initial == nil then
        initial = 0
    end
    if from == nil then
        from = 1
    end
    if to == nil then
        to = #s
    end
    local sum = initial
    local i = from
    while i + 15 <= to do
        local w1, w2, w3, w4, w5, w6, w7, w8 = string.unpack(">I2I2I2I2I2I2I2I2", s, i)
        sum = sum + (w1 + w2 + w3 + w4 + w5 + w6 + w7 + w8)
        i = i + 16
    end
    while i + 1 <= to do
        local hi, lo = string.byte(s, i, i + 1)
        sum = sum + (hi << 8 | lo)
        i = i + 2
    end
    if i == to then
        sum = sum + (string.byte(s, i) << 8)
    end
    return sum
end
--- Folds a one's-complement sum to 16 bits and inverts it: the value for the header.
function ____exports.fold16(sum)
    local s = sum
    while s > 65535 do
        s = (s & 65535) + (s >> 16)
    end
    return ~s & 65535
end
return ____exports

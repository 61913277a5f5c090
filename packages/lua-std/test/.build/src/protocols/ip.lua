--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
-- Lua Library inline imports
local function __TS__Class(self)
    local c = {prototype = {}}
    c.prototype.__index = c.prototype
    c.prototype.constructor = c
    return c
end

local function __TS__ClassExtends(target, base)
    target.____super = base
    local staticMetatable = setmetatable({__index = base}, base)
    setmetatable(target, staticMetatable)
    local baseMetatable = getmetatable(base)
    if baseMetatable then
        if type(baseMetatable.__index) == "function" then
            staticMetatable.__index = baseMetatable.__index
        end
        if type(baseMetatable.__newindex) == "function" then
            staticMetatable.__newindex = baseMetatable.__newindex
        end
    end
    setmetatable(target.prototype, base.prototype)
    if type(base.prototype.__index) == "function" then
        target.prototype.__index = base.prototype.__index
    end
    if type(base.prototype.__newindex) == "function" then
        target.prototype.__newindex = base.prototype.__newindex
    end
    if type(base.prototype.__tostring) == "function" then
        target.prototype.__tostring = base.prototype.__tostring
    end
end

local function __TS__New(target, ...)
    local instance = setmetatable({}, target.prototype)
    instance:____constructor(...)
    return instance
end
-- End of Lua Library inline imports
local ____exports = {}
local ____core = require("src.core")
local ProtocolBuffer = ____core.ProtocolBuffer
local ProtocolSegment = ____core.ProtocolSegment
local ____util = require("src.util")
local checksumAdjust = ____util.checksumAdjust
local ____fields = require("src.fields")
local getFlag = ____fields.getFlag
local getIpv4 = ____fields.getIpv4
local getUint = ____fields.getUint
local setFlag = ____fields.setFlag
local setIpv4 = ____fields.setIpv4
local setUint = ____fields.setUint
____exports.IP_FIELDS = {
    {
        name = "version",
        offset = 0,
        length = 4,
        get = getUint,
        set = setUint
    },
    {
        name = "ihl",
        offset = 4,
        length = 4,
        get = getUint,
        set = setUint
    },
    {
        name = "tos",
        offset = 8,
        length = 8,
        get = getUint,
        set = setUint
    },
    {
        name = "tot_len",
        offset = 16,
        length = 16,
        get = getUint,
        set = setUint
    },
    {
        name = "id",
        offset = 32,
        length = 16,
        get = getUint,
        set = setUint
    },
    {
        name = "flags",
        offset = 48,
        length = 3,
        get = getFlag,
        set = setFlag
    },
    {
        name = "frag_off",
        offset = 51,
        length = 13,
        get = getUint,
        set = setUint
    },
    {
        name = "ttl",
        offset = 64,
        length = 8,
        get = getUint,
        set = setUint
    },
    {
        name = "protocol",
        offset = 72,
        length = 8,
        get = getUint,
        set = setUint
    },
    {name = "check", offset = 80, length = 16, get = getUint},
    {
        name = "saddr",
        offset = 96,
        length = 32,
        get = getIpv4,
        set = setIpv4
    },
    {
        name = "daddr",
        offset = 128,
        length = 32,
        get = getIpv4,
        set = setIpv4
    },
    {name = "options", offset = 160, length = 0, variable = true},
    {name = "data", offset = 160, length = 0, variable = true}
}
--- IP protocol numbers of the transports lua-std has buffers for.
local PROTOCOL_OF = {}
PROTOCOL_OF.packet_icmp = 1
PROTOCOL_OF.packet_tcp = 6
PROTOCOL_OF.packet_udp = 17
____exports.IpHeader = __TS__Class()
local IpHeader = ____exports.IpHeader
IpHeader.name = "IpHeader"
__TS__ClassExtends(IpHeader, ProtocolSegment)
function IpHeader.prototype.version(self)
    return self:field(0)
end
function IpHeader.prototype.ihl(self)
    return self:field(1)
end
function IpHeader.prototype.tos(self)
    return self:field(2)
end
function IpHeader.prototype.tot_len(self)
    return self:field(3)
end
function IpHeader.prototype.id(self)
    return self:field(4)
end
function IpHeader.prototype.flags(self)
    return self:field(5)
end
function IpHeader.prototype.frag_off(self)
    return self:field(6)
end
function IpHeader.prototype.ttl(self)
    return self:field(7)
end
function IpHeader.prototype.protocol(self)
    return self:field(8)
end
function IpHeader.prototype.check(self)
    return self:field(9)
end
function IpHeader.prototype.saddr(self)
    return self:field(10)
end
function IpHeader.prototype.daddr(self)
    return self:field(11)
end
function IpHeader.prototype.options(self)
    return self:field(12)
end
function IpHeader.prototype.header_length(self)
    return (self.buf:u8(self.off) & 15) * 4
end
function IpHeader.prototype.checksumSite(self)
    return {buf = self.buf, start = self.off, at = self.off + 10, udp = false}
end
function IpHeader.prototype.fix_checksums(self)
    local headerLength = self:header_length()
    self.buf:set_u16(self.off + 10, 0)
    self.buf:set_u16(
        self.off + 10,
        self.buf:checksum(self.off, headerLength)
    )
    local totalLength = self.buf:u16(self.off + 2)
    if totalLength > self.len or self.buf:u16(self.off + 6) & 8191 ~= 0 then
        return
    end
    local protocol = self.buf:u8(self.off + 9)
    local l4 = self.off + headerLength
    local l4Length = totalLength - headerLength
    if protocol == 1 and l4Length >= 4 then
        self.buf:set_u16(l4 + 2, 0)
        self.buf:set_u16(
            l4 + 2,
            self.buf:checksum(l4, l4Length)
        )
        return
    end
    local at = protocol == 6 and 16 or (protocol == 17 and 6 or -1)
    if at < 0 or l4Length < at + 2 then
        return
    end
    local pseudo = kmod.sum16(string.pack(
        ">I4I4BBH",
        self.buf:u32(self.off + 12),
        self.buf:u32(self.off + 16),
        0,
        protocol,
        l4Length
    ))
    self.buf:set_u16(l4 + at, 0)
    local check = self.buf:checksum(l4, l4Length, pseudo)
    if protocol == 17 and check == 0 then
        check = 65535
    end
    self.buf:set_u16(l4 + at, check)
end
function IpHeader.prototype.addressChanged(self, oldAddress, newAddress)
    local buf = self.buf
    local off = self.off
    local oldHi = oldAddress >> 16
    local oldLo = oldAddress & 65535
    local newHi = newAddress >> 16
    local newLo = newAddress & 65535
    buf:set_u16(
        off + 10,
        checksumAdjust(
            checksumAdjust(
                buf:u16(off + 10),
                oldHi,
                newHi
            ),
            oldLo,
            newLo
        )
    )
    local word = buf:u32(off + 6)
    if word >> 16 & 8191 ~= 0 then
        return
    end
    local protocol = word & 255
    local l4 = off + (buf:u8(off) & 15) * 4
    local at
    if protocol == 6 then
        at = l4 + 16
    elseif protocol == 17 then
        at = l4 + 6
    else
        return
    end
    if at + 2 > off + self.len then
        return
    end
    local check = buf:u16(at)
    if protocol == 17 and check == 0 then
        return
    end
    local updated = checksumAdjust(
        checksumAdjust(check, oldHi, newHi),
        oldLo,
        newLo
    )
    if protocol == 17 and updated == 0 then
        updated = 65535
    end
    buf:set_u16(at, updated)
end
____exports.IpBuffer = __TS__Class()
local IpBuffer = ____exports.IpBuffer
IpBuffer.name = "IpBuffer"
__TS__ClassExtends(IpBuffer, ProtocolBuffer)
function IpBuffer.prototype.____constructor(self, ...)
    ProtocolBuffer.prototype.____constructor(self, ...)
    self.plainSegments = true
end
function IpBuffer.prototype.hasProtocol(self, seg, target)
    if not target.builtin then
        return true
    end
    local number = PROTOCOL_OF[target.name]
    local word = seg.buf:u32(seg.off + 6)
    if number == nil or number ~= word & 255 then
        return false
    end
    return word >> 16 & 8191 == 0
end
function IpBuffer.prototype.validate(self, seg)
    local word = seg.buf:u32(seg.off)
    if word >> 28 ~= 4 then
        return false
    end
    local headerLength = (word >> 24 & 15) * 4
    local totalLength = word & 65535
    if headerLength < 20 or headerLength > seg.len or totalLength < headerLength then
        return false
    end
    seg.hl = headerLength
    seg.dataEnd = totalLength < seg.len and totalLength or seg.len
    return true
end
function IpBuffer.prototype.placeField(self, seg, i)
    if i == 12 then
        return 20, seg.hl - 20
    end
    return seg.hl, seg.dataEnd - seg.hl
end
____exports.packet_ip = __TS__New(
    ____exports.IpBuffer,
    "packet_ip",
    ____exports.IpHeader,
    ____exports.IP_FIELDS,
    "data",
    20
)
return ____exports

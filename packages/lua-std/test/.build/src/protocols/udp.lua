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
local ____fields = require("src.fields")
local getUint = ____fields.getUint
local setUint = ____fields.setUint
____exports.UDP_FIELDS = {
    {
        name = "sport",
        offset = 0,
        length = 16,
        get = getUint,
        set = setUint
    },
    {
        name = "dport",
        offset = 16,
        length = 16,
        get = getUint,
        set = setUint
    },
    {
        name = "length",
        offset = 32,
        length = 16,
        get = getUint,
        set = setUint
    },
    {name = "check", offset = 48, length = 16, get = getUint},
    {name = "data", offset = 64, length = 0, variable = true}
}
____exports.UdpHeader = __TS__Class()
local UdpHeader = ____exports.UdpHeader
UdpHeader.name = "UdpHeader"
__TS__ClassExtends(UdpHeader, ProtocolSegment)
function UdpHeader.prototype.sport(self)
    return self:field(0)
end
function UdpHeader.prototype.dport(self)
    return self:field(1)
end
function UdpHeader.prototype.length(self)
    return self:field(2)
end
function UdpHeader.prototype.check(self)
    return self:field(3)
end
function UdpHeader.prototype.checksumSite(self)
    return {buf = self.buf, start = self.off, at = self.off + 6, udp = true}
end
____exports.UdpBuffer = __TS__Class()
local UdpBuffer = ____exports.UdpBuffer
UdpBuffer.name = "UdpBuffer"
__TS__ClassExtends(UdpBuffer, ProtocolBuffer)
function UdpBuffer.prototype.____constructor(self, ...)
    ProtocolBuffer.prototype.____constructor(self, ...)
    self.plainSegments = true
    self.checksumCoversPayload = true
end
function UdpBuffer.prototype.hasProtocol(self, seg, target)
    if not target.builtin then
        return true
    end
    if target.name ~= "packet_tftp" or seg.len < 10 then
        return false
    end
    local opcode = seg.buf:u16(seg.off + 8)
    return opcode >= 1 and opcode <= 6
end
function UdpBuffer.prototype.validate(self, seg)
    local length = seg.buf:u16(seg.off + 4)
    if length < 8 then
        return false
    end
    seg.dataEnd = length < seg.len and length or seg.len
    return true
end
function UdpBuffer.prototype.placeField(self, seg)
    return 8, seg.dataEnd - 8
end
____exports.packet_udp = __TS__New(
    ____exports.UdpBuffer,
    "packet_udp",
    ____exports.UdpHeader,
    ____exports.UDP_FIELDS,
    "data",
    8
)
return ____exports

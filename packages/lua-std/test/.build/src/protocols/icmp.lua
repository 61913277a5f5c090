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
____exports.ICMP_FIELDS = {
    {
        name = "type",
        offset = 0,
        length = 8,
        get = getUint,
        set = setUint
    },
    {
        name = "code",
        offset = 8,
        length = 8,
        get = getUint,
        set = setUint
    },
    {name = "checksum", offset = 16, length = 16, get = getUint},
    {
        name = "id",
        offset = 32,
        length = 16,
        get = getUint,
        set = setUint
    },
    {
        name = "sequence",
        offset = 48,
        length = 16,
        get = getUint,
        set = setUint
    },
    {name = "data", offset = 64, length = 0}
}
____exports.IcmpHeader = __TS__Class()
local IcmpHeader = ____exports.IcmpHeader
IcmpHeader.name = "IcmpHeader"
__TS__ClassExtends(IcmpHeader, ProtocolSegment)
function IcmpHeader.prototype.type(self)
    return self:field(0)
end
function IcmpHeader.prototype.code(self)
    return self:field(1)
end
function IcmpHeader.prototype.checksum(self)
    return self:field(2)
end
function IcmpHeader.prototype.id(self)
    return self:field(3)
end
function IcmpHeader.prototype.sequence(self)
    return self:field(4)
end
function IcmpHeader.prototype.checksumSite(self)
    return {buf = self.buf, start = self.off, at = self.off + 2, udp = false}
end
____exports.IcmpBuffer = __TS__Class()
local IcmpBuffer = ____exports.IcmpBuffer
IcmpBuffer.name = "IcmpBuffer"
__TS__ClassExtends(IcmpBuffer, ProtocolBuffer)
function IcmpBuffer.prototype.____constructor(self, ...)
    ProtocolBuffer.prototype.____constructor(self, ...)
    self.plainSegments = true
    self.checksumCoversPayload = true
end
function IcmpBuffer.prototype.hasProtocol(self, seg, target)
    if not target.builtin then
        return true
    end
    local icmpType = seg.buf:u8(seg.off)
    return target.name == "packet_ip" and (icmpType == 3 or icmpType == 11 or icmpType == 12)
end
____exports.packet_icmp = __TS__New(
    ____exports.IcmpBuffer,
    "packet_icmp",
    ____exports.IcmpHeader,
    ____exports.ICMP_FIELDS,
    "data",
    8
)
return ____exports

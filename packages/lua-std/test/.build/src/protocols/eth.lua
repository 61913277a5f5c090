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
local getMac = ____fields.getMac
local getUint = ____fields.getUint
local setMac = ____fields.setMac
local setUint = ____fields.setUint
____exports.ETH_FIELDS = {{
    name = "dmac",
    offset = 0,
    length = 48,
    get = getMac,
    set = setMac
}, {
    name = "smac",
    offset = 48,
    length = 48,
    get = getMac,
    set = setMac
}, {
    name = "type",
    offset = 96,
    length = 16,
    get = getUint,
    set = setUint
}, {name = "data", offset = 112, length = 0}}
____exports.EthernetHeader = __TS__Class()
local EthernetHeader = ____exports.EthernetHeader
EthernetHeader.name = "EthernetHeader"
__TS__ClassExtends(EthernetHeader, ProtocolSegment)
function EthernetHeader.prototype.dmac(self)
    return self:field(0)
end
function EthernetHeader.prototype.smac(self)
    return self:field(1)
end
function EthernetHeader.prototype.type(self)
    return self:field(2)
end
function EthernetHeader.prototype.payload(self, target)
    local presented = self.presentedPayload
    if presented == nil then
        return ProtocolSegment.prototype.payload(self, target)
    end
    if target == nil then
        return presented
    end
    if not self.proto:hasProtocol(self, target) then
        return false
    end
    return target:instantiate(
        presented.buf,
        presented.off,
        presented.len,
        presented.pos,
        self
    )
end
____exports.EthernetBuffer = __TS__Class()
local EthernetBuffer = ____exports.EthernetBuffer
EthernetBuffer.name = "EthernetBuffer"
__TS__ClassExtends(EthernetBuffer, ProtocolBuffer)
function EthernetBuffer.prototype.____constructor(self, ...)
    ProtocolBuffer.prototype.____constructor(self, ...)
    self.plainSegments = true
end
function EthernetBuffer.prototype.hasProtocol(self, seg, target)
    if not target.builtin then
        return true
    end
    local ethType = seg.buf:u16(seg.off + 12)
    return ethType == 2048 and target.name == "packet_ip"
end
____exports.packet_eth = __TS__New(
    ____exports.EthernetBuffer,
    "packet_eth",
    ____exports.EthernetHeader,
    ____exports.ETH_FIELDS,
    "data",
    14
)
return ____exports

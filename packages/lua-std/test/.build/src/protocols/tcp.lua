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
local getFlag = ____fields.getFlag
local getUint = ____fields.getUint
local setFlag = ____fields.setFlag
local setUint = ____fields.setUint
____exports.TCP_FIELDS = {
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
        name = "seq",
        offset = 32,
        length = 32,
        get = getUint,
        set = setUint
    },
    {
        name = "ack",
        offset = 64,
        length = 32,
        get = getUint,
        set = setUint
    },
    {
        name = "data_off",
        offset = 96,
        length = 4,
        get = getUint,
        set = setUint
    },
    {
        name = "reserved",
        offset = 100,
        length = 4,
        get = getUint,
        set = setUint
    },
    {
        name = "flags",
        offset = 104,
        length = 8,
        get = getFlag,
        set = setFlag
    },
    {
        name = "window_size",
        offset = 112,
        length = 16,
        get = getUint,
        set = setUint
    },
    {name = "check", offset = 128, length = 16, get = getUint},
    {
        name = "urgent",
        offset = 144,
        length = 16,
        get = getUint,
        set = setUint
    },
    {name = "options", offset = 160, length = 0, variable = true},
    {name = "data", offset = 160, length = 0, variable = true}
}
--- Bit numbers of `flags():get(n)` / `set(n)` (PacketScript counts from the most significant bit).
____exports.TCP_FLAG = {
    CWR = 1,
    ECE = 2,
    URG = 3,
    ACK = 4,
    PSH = 5,
    RST = 6,
    SYN = 7,
    FIN = 8
}
____exports.TcpHeader = __TS__Class()
local TcpHeader = ____exports.TcpHeader
TcpHeader.name = "TcpHeader"
__TS__ClassExtends(TcpHeader, ProtocolSegment)
function TcpHeader.prototype.sport(self)
    return self:field(0)
end
function TcpHeader.prototype.dport(self)
    return self:field(1)
end
function TcpHeader.prototype.seq(self)
    return self:field(2)
end
function TcpHeader.prototype.ack(self)
    return self:field(3)
end
function TcpHeader.prototype.data_off(self)
    return self:field(4)
end
function TcpHeader.prototype.reserved(self)
    return self:field(5)
end
function TcpHeader.prototype.flags(self)
    return self:field(6)
end
function TcpHeader.prototype.window_size(self)
    return self:field(7)
end
function TcpHeader.prototype.check(self)
    return self:field(8)
end
function TcpHeader.prototype.urgent(self)
    return self:field(9)
end
function TcpHeader.prototype.options(self)
    return self:field(10)
end
function TcpHeader.prototype.checksumSite(self)
    return {buf = self.buf, start = self.off, at = self.off + 16, udp = false}
end
function TcpHeader.prototype.payload(self, target)
    if target ~= nil and target == ____exports.packet_tcp_opt then
        local options = self:options()
        return target:instantiate(
            options.buf,
            options.off,
            options.len,
            options.pos,
            self
        )
    end
    return ProtocolSegment.prototype.payload(self, target)
end
____exports.TcpBuffer = __TS__Class()
local TcpBuffer = ____exports.TcpBuffer
TcpBuffer.name = "TcpBuffer"
__TS__ClassExtends(TcpBuffer, ProtocolBuffer)
function TcpBuffer.prototype.____constructor(self, ...)
    ProtocolBuffer.prototype.____constructor(self, ...)
    self.plainSegments = true
    self.checksumCoversPayload = true
end
function TcpBuffer.prototype.hasProtocol(self, seg, target)
    if not target.builtin then
        return true
    end
    if target.name ~= "packet_http" then
        return false
    end
    local start = seg.off + seg.hl
    local n = seg.off + seg.len - start
    if n < 5 then
        return false
    end
    local head = seg.buf:string(start, n < 16 and n or 16)
    return ({string.find(head, "^HTTP/")}) ~= nil or ({string.find(head, "^%u+ ")}) ~= nil
end
function TcpBuffer.prototype.validate(self, seg)
    local headerLength = (seg.buf:u8(seg.off + 12) >> 4) * 4
    if headerLength < 20 or headerLength > seg.len then
        return false
    end
    seg.hl = headerLength
    seg.dataEnd = seg.len
    return true
end
function TcpBuffer.prototype.placeField(self, seg, i)
    if i == 10 then
        return 20, seg.hl - 20
    end
    return seg.hl, seg.len - seg.hl
end
____exports.packet_tcp = __TS__New(
    ____exports.TcpBuffer,
    "packet_tcp",
    ____exports.TcpHeader,
    ____exports.TCP_FIELDS,
    "data",
    20
)
____exports.TCP_OPT_FIELDS = {
    {
        name = "MSS",
        offset = 0,
        length = 16,
        get = getUint,
        set = setUint
    },
    {
        name = "WS",
        offset = 0,
        length = 8,
        get = getUint,
        set = setUint
    },
    {
        name = "SACK",
        offset = 0,
        length = 16,
        get = getUint,
        set = setUint
    },
    {
        name = "TSVAL",
        offset = 0,
        length = 32,
        get = getUint,
        set = setUint
    },
    {
        name = "TSER",
        offset = 0,
        length = 32,
        get = getUint,
        set = setUint
    }
}
--- The options of a TCP header. A method returns false when the packet does not carry that option.
____exports.TcpOptions = __TS__Class()
local TcpOptions = ____exports.TcpOptions
TcpOptions.name = "TcpOptions"
__TS__ClassExtends(TcpOptions, ProtocolSegment)
function TcpOptions.prototype.MSS(self)
    return self:field(0)
end
function TcpOptions.prototype.WS(self)
    return self:field(1)
end
function TcpOptions.prototype.SACK(self)
    return self:field(2)
end
function TcpOptions.prototype.TSVAL(self)
    return self:field(3)
end
function TcpOptions.prototype.TSER(self)
    return self:field(4)
end
____exports.TcpOptionsBuffer = __TS__Class()
local TcpOptionsBuffer = ____exports.TcpOptionsBuffer
TcpOptionsBuffer.name = "TcpOptionsBuffer"
__TS__ClassExtends(TcpOptionsBuffer, ProtocolBuffer)
function TcpOptionsBuffer.prototype.____constructor(self, ...)
    ProtocolBuffer.prototype.____constructor(self, ...)
    self.plainSegments = true
end
function TcpOptionsBuffer.prototype.computeLayout(self, seg)
    local offsets = {
        0,
        0,
        0,
        0,
        0
    }
    local lengths = {
        -1,
        -1,
        -1,
        -1,
        -1
    }
    local i = 0
    while i < seg.len do
        do
            local kind = seg.buf:u8(seg.off + i)
            if kind == 0 then
                break
            end
            if kind == 1 then
                i = i + 1
                goto __continue30
            end
            if i + 1 >= seg.len then
                return false
            end
            local length = seg.buf:u8(seg.off + i + 1)
            if length < 2 or i + length > seg.len then
                return false
            end
            if kind == 2 and length == 4 then
                offsets[1] = (i + 2) * 8
                lengths[1] = 16
            elseif kind == 3 and length == 3 then
                offsets[2] = (i + 2) * 8
                lengths[2] = 8
            elseif kind == 4 and length == 2 then
                offsets[3] = i * 8
                lengths[3] = 16
            elseif kind == 8 and length == 10 then
                offsets[4] = (i + 2) * 8
                lengths[4] = 32
                offsets[5] = (i + 6) * 8
                lengths[5] = 32
            end
            i = i + length
        end
        ::__continue30::
    end
    return {offsets = offsets, lengths = lengths}
end
____exports.packet_tcp_opt = __TS__New(____exports.TcpOptionsBuffer, "packet_tcp_opt", ____exports.TcpOptions, ____exports.TCP_OPT_FIELDS)
return ____exports

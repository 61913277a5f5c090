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
local getString = ____fields.getString
local getUint = ____fields.getUint
local setUint = ____fields.setUint
--- RRQ/WRQ/OACK options: a table from option name (lower case) to value text.
local function getOptions(f)
    local options = {}
    local s = f.buf:string(f.off, f.len)
    local pos = 1
    while pos <= #s do
        local nameEnd = (string.find(s, "\0", pos, true))
        if nameEnd == nil then
            break
        end
        local valueEnd = (string.find(s, "\0", nameEnd + 1, true))
        if valueEnd == nil then
            break
        end
        options[string.lower(string.sub(s, pos, nameEnd - 1))] = string.sub(s, nameEnd + 1, valueEnd - 1)
        pos = valueEnd + 1
    end
    return options
end
____exports.TFTP_FIELDS = {
    {
        name = "opcode",
        offset = 0,
        length = 16,
        get = getUint,
        set = setUint
    },
    {name = "filename", offset = 16, length = 0, get = getString},
    {name = "mode", offset = 16, length = 0, get = getString},
    {
        name = "block_nr",
        offset = 16,
        length = 16,
        get = getUint,
        set = setUint
    },
    {name = "data", offset = 32, length = 0},
    {
        name = "error_code",
        offset = 16,
        length = 16,
        get = getUint,
        set = setUint
    },
    {name = "error_msg", offset = 32, length = 0, get = getString},
    {name = "options", offset = 16, length = 0, get = getOptions}
}
____exports.TFTP_OPCODE = {
    RRQ = 1,
    WRQ = 2,
    DATA = 3,
    ACK = 4,
    ERROR = 5,
    OACK = 6
}
____exports.TftpPacket = __TS__Class()
local TftpPacket = ____exports.TftpPacket
TftpPacket.name = "TftpPacket"
__TS__ClassExtends(TftpPacket, ProtocolSegment)
function TftpPacket.prototype.opcode(self)
    return self:field(0)
end
function TftpPacket.prototype.filename(self)
    return self:field(1)
end
function TftpPacket.prototype.mode(self)
    return self:field(2)
end
function TftpPacket.prototype.block_nr(self)
    return self:field(3)
end
function TftpPacket.prototype.error_code(self)
    return self:field(5)
end
function TftpPacket.prototype.error_msg(self)
    return self:field(6)
end
function TftpPacket.prototype.options(self)
    return self:field(7)
end
local function absent()
    return {offsets = {
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0
    }, lengths = {
        16,
        -1,
        -1,
        -1,
        -1,
        -1,
        -1,
        -1
    }}
end
____exports.TftpBuffer = __TS__Class()
local TftpBuffer = ____exports.TftpBuffer
TftpBuffer.name = "TftpBuffer"
__TS__ClassExtends(TftpBuffer, ProtocolBuffer)
function TftpBuffer.prototype.____constructor(self, ...)
    ProtocolBuffer.prototype.____constructor(self, ...)
    self.plainSegments = true
end
function TftpBuffer.prototype.hasProtocol(self, _seg, target)
    return not target.builtin
end
function TftpBuffer.prototype.computeLayout(self, seg)
    local opcode = seg.buf:u16(seg.off)
    local layout = absent()
    local offsets = layout.offsets
    local lengths = layout.lengths
    local n = seg.len
    if opcode == 1 or opcode == 2 then
        local s = seg.buf:string(seg.off, n)
        local nameEnd = (string.find(s, "\0", 3, true))
        if nameEnd == nil then
            return false
        end
        local modeEnd = (string.find(s, "\0", nameEnd + 1, true))
        if modeEnd == nil then
            return false
        end
        offsets[2] = 16
        lengths[2] = (nameEnd - 3) * 8
        offsets[3] = nameEnd * 8
        lengths[3] = (modeEnd - nameEnd - 1) * 8
        offsets[8] = modeEnd * 8
        lengths[8] = (n - modeEnd) * 8
    elseif opcode == 3 then
        if n < 4 then
            return false
        end
        offsets[4] = 16
        lengths[4] = 16
        offsets[5] = 32
        lengths[5] = (n - 4) * 8
    elseif opcode == 4 then
        if n < 4 then
            return false
        end
        offsets[4] = 16
        lengths[4] = 16
    elseif opcode == 5 then
        if n < 4 then
            return false
        end
        offsets[6] = 16
        lengths[6] = 16
        local s = seg.buf:string(seg.off, n)
        local msgEnd = (string.find(s, "\0", 5, true))
        offsets[7] = 32
        lengths[7] = ((msgEnd or n + 1) - 5) * 8
    elseif opcode == 6 then
        offsets[8] = 16
        lengths[8] = (n - 2) * 8
    else
        return false
    end
    return layout
end
____exports.packet_tftp = __TS__New(
    ____exports.TftpBuffer,
    "packet_tftp",
    ____exports.TftpPacket,
    ____exports.TFTP_FIELDS,
    "data",
    2
)
return ____exports

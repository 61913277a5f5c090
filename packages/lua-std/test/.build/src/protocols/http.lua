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
local makeField = ____core.makeField
local ProtocolBuffer = ____core.ProtocolBuffer
local ProtocolSegment = ____core.ProtocolSegment
local ____fields = require("src.fields")
local getString = ____fields.getString
local setSameLengthString = ____fields.setSameLengthString
local ____util = require("src.util")
local toInteger = ____util.toInteger
____exports.HTTP_FIELDS = {
    {
        name = "method",
        offset = 0,
        length = 0,
        get = getString,
        set = setSameLengthString
    },
    {
        name = "uri",
        offset = 0,
        length = 0,
        get = getString,
        set = setSameLengthString
    },
    {
        name = "version",
        offset = 0,
        length = 0,
        get = getString,
        set = setSameLengthString
    },
    {
        name = "status",
        offset = 0,
        length = 0,
        get = function(f) return tonumber(getString(f)) end,
        set = setSameLengthString
    },
    {
        name = "reason",
        offset = 0,
        length = 0,
        get = getString,
        set = setSameLengthString
    },
    {name = "headers", offset = 0, length = 0, get = getString},
    {name = "body", offset = 0, length = 0}
}
local HEADER_SPEC_CACHE = {}
local function headerSpec(name)
    local spec = HEADER_SPEC_CACHE[name]
    if spec == nil then
        spec = {
            name = name,
            offset = 0,
            length = 0,
            get = getString,
            set = setSameLengthString
        }
        HEADER_SPEC_CACHE[name] = spec
    end
    return spec
end
____exports.HttpMessage = __TS__Class()
local HttpMessage = ____exports.HttpMessage
HttpMessage.name = "HttpMessage"
__TS__ClassExtends(HttpMessage, ProtocolSegment)
function HttpMessage.prototype.method(self)
    return self:field(0)
end
function HttpMessage.prototype.uri(self)
    return self:field(1)
end
function HttpMessage.prototype.version(self)
    return self:field(2)
end
function HttpMessage.prototype.status(self)
    return self:field(3)
end
function HttpMessage.prototype.reason(self)
    return self:field(4)
end
function HttpMessage.prototype.headers(self)
    return self:field(5)
end
function HttpMessage.prototype.body(self)
    return self:field(6)
end
function HttpMessage.prototype.complete(self)
    return self.layout.lengths[7] >= 0
end
function HttpMessage.prototype.is_request(self)
    return self.layout.lengths[1] >= 0
end
function HttpMessage.prototype.header(self, name)
    local block = self:headers()
    local text = block:string()
    local wanted = string.lower(name)
    local pos = 1
    while pos <= #text do
        local lineEnd = (string.find(text, "\r\n", pos, true))
        if lineEnd == nil then
            lineEnd = #text + 1
        end
        local nameStart, nameEnd, fieldName, valueStart = string.find(text, "^([^:]+):[ \t]*()", pos)
        if nameStart ~= nil and nameEnd < lineEnd and string.lower(fieldName) == wanted then
            local valueEnd = lineEnd - 1
            while valueEnd >= valueStart and (string.byte(text, valueEnd) == 32 or string.byte(text, valueEnd) == 9) do
                valueEnd = valueEnd - 1
            end
            local byteOff = block.off - self.off + valueStart - 1
            local byteLen = valueEnd - valueStart + 1
            return makeField(
                self,
                headerSpec(fieldName),
                byteOff,
                byteLen,
                0,
                byteLen * 8
            )
        end
        pos = lineEnd + 2
    end
    return false
end
function HttpMessage.prototype.content_length(self)
    local f = self:header("content-length")
    if f == false then
        return nil
    end
    return toInteger(f:get())
end
____exports.HttpBuffer = __TS__Class()
local HttpBuffer = ____exports.HttpBuffer
HttpBuffer.name = "HttpBuffer"
__TS__ClassExtends(HttpBuffer, ProtocolBuffer)
function HttpBuffer.prototype.____constructor(self, ...)
    ProtocolBuffer.prototype.____constructor(self, ...)
    self.plainSegments = true
end
function HttpBuffer.prototype.hasProtocol(self, _seg, target)
    return not target.builtin
end
function HttpBuffer.prototype.computeLayout(self, seg)
    local text = seg.buf:string(seg.off, seg.len)
    local lineEnd = (string.find(text, "\r\n", 1, true))
    if lineEnd == nil then
        return false
    end
    local offsets = {
        0,
        0,
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
        -1,
        -1,
        -1
    }
    local line = string.sub(text, 1, lineEnd - 1)
    local m1, m2, m3, m4 = string.match(line, "^(%u+) ()[^ ]+ ()(HTTP/%d%.%d)$")
    if m1 ~= nil then
        local uriStart = m2 - 1
        local versionStart = m3 - 1
        lengths[1] = #m1 * 8
        offsets[2] = uriStart * 8
        lengths[2] = (versionStart - 1 - uriStart) * 8
        offsets[3] = versionStart * 8
        lengths[3] = #m4 * 8
    else
        local version, statusStart, reasonStart = string.match(line, "^(HTTP/%d%.%d) ()%d%d%d ?()")
        if version == nil then
            return false
        end
        lengths[3] = #version * 8
        offsets[4] = (statusStart - 1) * 8
        lengths[4] = 24
        offsets[5] = (reasonStart - 1) * 8
        lengths[5] = (lineEnd - reasonStart) * 8
    end
    local headersStart = lineEnd + 1
    offsets[6] = headersStart * 8
    if string.sub(text, lineEnd + 2, lineEnd + 3) == "\r\n" then
        lengths[6] = 0
        offsets[7] = (headersStart + 2) * 8
        lengths[7] = (seg.len - headersStart - 2) * 8
        return {offsets = offsets, lengths = lengths}
    end
    local blockEnd = (string.find(text, "\r\n\r\n", lineEnd, true))
    if blockEnd == nil then
        lengths[6] = (seg.len - headersStart) * 8
    else
        lengths[6] = (blockEnd - 1 - headersStart) * 8
        offsets[7] = (blockEnd + 3) * 8
        lengths[7] = (seg.len - blockEnd - 3) * 8
    end
    return {offsets = offsets, lengths = lengths}
end
____exports.packet_http = __TS__New(
    ____exports.HttpBuffer,
    "packet_http",
    ____exports.HttpMessage,
    ____exports.HTTP_FIELDS,
    "body",
    14
)
return ____exports

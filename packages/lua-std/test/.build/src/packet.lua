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
-- End of Lua Library inline imports
local ____exports = {}
local lastPacket
local ____core = require("src.core")
local checkProtocol = ____core.checkProtocol
local makeRaw = ____core.makeRaw
local RawSegment = ____core.RawSegment
local ____util = require("src.util")
local checkInteger = ____util.checkInteger
local parseMac = ____util.parseMac
local ____eth = require("src.protocols.eth")
local packet_eth = ____eth.packet_eth
local LINK_HEADER_LENGTH = 14
--- The packet seen with a presented Ethernet header in front of it.
____exports.LinkLayerRoot = __TS__Class()
local LinkLayerRoot = ____exports.LinkLayerRoot
LinkLayerRoot.name = "LinkLayerRoot"
__TS__ClassExtends(LinkLayerRoot, RawSegment)
function LinkLayerRoot.prototype.____constructor(self, header, packet)
    RawSegment.prototype.____constructor(
        self,
        header,
        0,
        LINK_HEADER_LENGTH + packet.len,
        0
    )
    self.packet = packet
end
function LinkLayerRoot.prototype.copy(self, offset, length)
    local parts = {}
    if offset < LINK_HEADER_LENGTH then
        local n = math.min(LINK_HEADER_LENGTH - offset, length)
        parts[#parts + 1] = self.buf:string(offset, n)
    end
    local ____end = offset + length
    if ____end > LINK_HEADER_LENGTH then
        local from = math.max(offset, LINK_HEADER_LENGTH) - LINK_HEADER_LENGTH
        parts[#parts + 1] = self.packet.buf:string(self.packet.off + from, ____end - LINK_HEADER_LENGTH - from)
    end
    return table.concat(parts)
end
function LinkLayerRoot.prototype.raw(self, offset, length)
    checkInteger(offset, 0, 2147483647, "raw: offset")
    checkInteger(length, 0, 2147483647, "raw: length")
    if offset + length > self.len then
        return false
    end
    if offset + length <= LINK_HEADER_LENGTH then
        return makeRaw(self.buf, offset, length, offset)
    end
    if offset >= LINK_HEADER_LENGTH then
        return makeRaw(self.packet.buf, self.packet.off + offset - LINK_HEADER_LENGTH, length, offset)
    end
    return makeRaw(
        kmod.bytes(self:copy(offset, length)),
        0,
        length,
        offset
    )
end
function LinkLayerRoot.prototype.get(self)
    return kmod.bytes(self:copy(0, self.len))
end
function LinkLayerRoot.prototype.to_bytes(self)
    return self:get()
end
function LinkLayerRoot.prototype.set(self, value)
    checkInteger(value, 0, 255, "set: byte value")
    self.buf:fill(value, 0, LINK_HEADER_LENGTH)
    self.packet:set(value)
end
function LinkLayerRoot.prototype.string(self, offset, length)
    if offset == nil then
        offset = 0
    end
    local n = length or self.len - offset
    self:check(offset, n)
    return self:copy(offset, n)
end
function LinkLayerRoot.prototype.u8(self, offset)
    return string.byte(self:string(offset, 1))
end
function LinkLayerRoot.prototype.u16(self, offset)
    return (string.unpack(
        ">I2",
        self:string(offset, 2)
    ))
end
function LinkLayerRoot.prototype.u32(self, offset)
    return (string.unpack(
        ">I4",
        self:string(offset, 4)
    ))
end
function LinkLayerRoot.prototype.set_u8(self, offset, value)
    self:raw(offset, 1):set_u8(0, value)
end
function LinkLayerRoot.prototype.data(self, ...)
    if select("#", ...) == 0 then
        return self
    end
    local proto = select(1, ...)
    checkProtocol(proto)
    if proto == packet_eth then
        local eth = packet_eth:instantiate(self.buf, 0, LINK_HEADER_LENGTH, 0)
        eth.presentedPayload = makeRaw(self.packet.buf, self.packet.off, self.packet.len, LINK_HEADER_LENGTH)
        return eth
    end
    local frame = kmod.bytes(self:copy(0, self.len))
    return proto:instantiate(frame, 0, self.len, 0)
end
local presentLinkLayer = false
--- Addresses of the presented header where the kernel reports none (6 bytes each).
local defaultSource = "\0\0\0\0\0\0"
local defaultDestination = "\0\0\0\0\0\0"
--- Turns the link-layer presentation on or off for the packets of this Lua
-- state (the rule option). `smac`/`dmac` ("01:23:45:67:89:AB") fill the
-- presented header where the kernel reports no address (default zeros):
-- NFQUEUE reports the source address of packets that arrived on an
-- Ethernet interface, never the destination.
function ____exports.packetscript_link_layer(on, smac, dmac)
    presentLinkLayer = on == true
    defaultSource = smac == nil and "\0\0\0\0\0\0" or (parseMac(smac) or error("packetscript_link_layer: invalid smac " .. smac, 2))
    defaultDestination = dmac == nil and "\0\0\0\0\0\0" or (parseMac(dmac) or error("packetscript_link_layer: invalid dmac " .. dmac, 2))
    lastPacket = nil
end
--- Builds the presented Ethernet header of packet `p` whose bytes are `view`.
local function linkHeader(p, view, length)
    local source = p:hwaddr()
    local etherType = length > 0 and view:u8(0) >> 4 == 6 and "Ý" or "\b\0"
    return kmod.bytes((defaultDestination .. (source ~= nil and #source == 6 and source or defaultSource)) .. etherType)
end
local lastView
local lastRoot
--- The raw object of packet `p` (thesis §3.3.1).
function ____exports.rootOf(p)
    if lastPacket == p and lastView:alive() then
        return lastRoot
    end
    local view = p:bytes()
    local length = view:len()
    local packet = makeRaw(view, 0, length, 0)
    local root = presentLinkLayer and setmetatable(
        {
            buf = linkHeader(p, view, length),
            off = 0,
            len = LINK_HEADER_LENGTH + length,
            pos = 0,
            packet = packet
        },
        ____exports.LinkLayerRoot.prototype
    ) or packet
    lastPacket = p
    lastView = view
    lastRoot = root
    return root
end
--- Adds the raw object methods to the engine's packets.
function ____exports.installPacketMethods()
    local methods = kmod.Packet
    methods.raw = function(p, offset, length) return ____exports.rootOf(p):raw(offset, length) end
    methods.get = function(p) return ____exports.rootOf(p):get() end
    methods.set = function(p, value) return ____exports.rootOf(p):set(value) end
    methods.data = function(p, ...)
        if select("#", ...) == 0 then
            return ____exports.rootOf(p)
        end
        local proto = select(1, ...)
        checkProtocol(proto)
        return ____exports.rootOf(p):data(proto)
    end
    methods.get_offset = function() return 0 end
    methods.get_size = function(p) return ____exports.rootOf(p).len end
    methods.to_bytes = function(p) return ____exports.rootOf(p):to_bytes() end
end
return ____exports

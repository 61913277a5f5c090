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

local function __TS__ArrayForEach(self, callbackFn, thisArg)
    for i = 1, #self do
        callbackFn(thisArg, self[i], i - 1, self)
    end
end

local function __TS__New(target, ...)
    local instance = setmetatable({}, target.prototype)
    instance:____constructor(...)
    return instance
end
-- End of Lua Library inline imports
local ____exports = {}
local wordAt
local ____util = require("src.util")
local checkInteger = ____util.checkInteger
local checksumAdjust = ____util.checksumAdjust
local isInteger = ____util.isInteger
local luaType = ____util.luaType
--- A raw segment (same as `new RawSegment(...)`).
function ____exports.makeRaw(buf, off, len, pos)
    return setmetatable({buf = buf, off = off, len = len, pos = pos}, ____exports.RawSegment.prototype)
end
--- Reads a field as an unsigned integer of `bits` bits.
function ____exports.readBits(f)
    local bits = f.bits
    if f.bitShift == 0 then
        if bits == 8 then
            return f.buf:u8(f.off)
        end
        if bits == 16 then
            return f.buf:u16(f.off)
        end
        if bits == 32 then
            return f.buf:u32(f.off)
        end
    end
    if bits <= 0 or bits > 32 then
        error(
            ((f.spec.name .. ": a ") .. tostring(bits)) .. "-bit field has no integer value",
            3
        )
    end
    local v = 0
    do
        local i = 0
        while i < f.len do
            v = v << 8 | f.buf:u8(f.off + i)
            i = i + 1
        end
    end
    return v >> f.len * 8 - f.bitShift - bits & (1 << bits) - 1
end
--- Writes an unsigned integer into a field of `bits` bits, keeping the owner's checksum valid.
function ____exports.writeBits(f, value)
    local bits = f.bits
    if bits <= 0 or bits > 32 then
        error(
            ((f.spec.name .. ": a ") .. tostring(bits)) .. "-bit field has no integer value",
            3
        )
    end
    checkInteger(
        value,
        0,
        (1 << bits) - 1,
        f.spec.name,
        ": value"
    )
    ____exports.withChecksum(
        f,
        function()
            if f.bitShift == 0 and bits == 8 then
                f.buf:set_u8(f.off, value)
            elseif f.bitShift == 0 and bits == 16 then
                f.buf:set_u16(f.off, value)
            elseif f.bitShift == 0 and bits == 32 then
                f.buf:set_u32(f.off, value)
            else
                local v = 0
                do
                    local i = 0
                    while i < f.len do
                        v = v << 8 | f.buf:u8(f.off + i)
                        i = i + 1
                    end
                end
                local shift = f.len * 8 - f.bitShift - bits
                local mask = (1 << bits) - 1 << shift
                v = v & ~mask | value << shift
                do
                    local i = f.len - 1
                    while i >= 0 do
                        f.buf:set_u8(f.off + i, v & 255)
                        v = v >> 8
                        i = i - 1
                    end
                end
            end
        end
    )
end
function wordAt(buf, at, ____end)
    if at + 1 < ____end then
        return buf:u16(at)
    end
    return buf:u8(at) << 8
end
--- Runs `write`, which changes bytes of field `f`, and updates the checksum
-- covering the field's protocol incrementally (RFC 1624), one 16-bit word at
-- a time, so a setter never leaves a packet with a wrong checksum.
function ____exports.withChecksum(f, write)
    local site = f.owner:checksumSite()
    if not site then
        write()
        return
    end
    local ____end = f.off + f.len
    local first = f.off - (f.off - site.start & 1)
    local old = {}
    do
        local at = first
        while at < ____end do
            old[#old + 1] = wordAt(f.buf, at, ____end)
            at = at + 2
        end
    end
    write()
    ____exports.adjustChecksum(
        site,
        f.buf,
        first,
        ____end,
        old
    )
end
--- Applies the changes of the words starting at `first` (old values in `old`) to the checksum at `site`.
function ____exports.adjustChecksum(site, buf, first, ____end, old)
    local check = site.buf:u16(site.at)
    if site.udp and check == 0 then
        return
    end
    local k = 0
    do
        local at = first
        while at < ____end do
            if not (buf == site.buf and at == site.at) then
                check = checksumAdjust(
                    check,
                    old[k + 1],
                    wordAt(buf, at, ____end)
                )
            end
            k = k + 1
            at = at + 2
        end
    end
    if site.udp and check == 0 then
        check = 65535
    end
    site.buf:set_u16(site.at, check)
end
--- Raises a Lua error unless `proto` is a protocol buffer (e.g. a misspelt global gives nil).
function ____exports.checkProtocol(proto)
    if luaType(proto) ~= "table" or not proto.isProtocolBuffer then
        error(
            "data: expected a protocol buffer (packet_ip, packet_tcp, ...), got " .. tostring(proto),
            3
        )
    end
end
function ____exports.describe(seg)
    local ____opt_0 = seg.proto
    local name = ____opt_0 and ____opt_0.name or (seg.spec ~= nil and "field" or "packet_raw")
    return (((("type: " .. name) .. ", offset: ") .. tostring(seg.pos)) .. ", length: ") .. tostring(seg.len)
end
--- What every segment has: PacketScript's `raw`, `get_offset`, `get_size`, plus fast typed accessors.
____exports.View = __TS__Class()
local View = ____exports.View
View.name = "View"
function View.prototype.____constructor(self, buf, off, len, pos)
    self.buf = buf
    self.off = off
    self.len = len
    self.pos = pos
end
function View.prototype.raw(self, offset, length)
    checkInteger(offset, 0, 2147483647, "raw: offset")
    checkInteger(length, 0, 2147483647, "raw: length")
    if offset + length > self.len then
        return false
    end
    return ____exports.makeRaw(self.buf, self.off + offset, length, self.pos + offset)
end
function View.prototype.get_offset(self)
    return self.pos
end
function View.prototype.get_size(self)
    return self.len
end
function View.prototype.to_bytes(self)
    return self.buf:slice(self.off, self.len)
end
function View.prototype.string(self, offset, length)
    if offset == nil then
        offset = 0
    end
    local n = length or self.len - offset
    self:check(offset, n)
    return self.buf:string(self.off + offset, n)
end
function View.prototype.u8(self, offset)
    self:check(offset, 1)
    return self.buf:u8(self.off + offset)
end
function View.prototype.u16(self, offset)
    self:check(offset, 2)
    return self.buf:u16(self.off + offset)
end
function View.prototype.u32(self, offset)
    self:check(offset, 4)
    return self.buf:u32(self.off + offset)
end
function View.prototype.set_u8(self, offset, value)
    self:check(offset, 1)
    self.buf:set_u8(self.off + offset, value)
end
function View.prototype.set_u16(self, offset, value)
    self:check(offset, 2)
    self.buf:set_u16(self.off + offset, value)
end
function View.prototype.set_u32(self, offset, value)
    self:check(offset, 4)
    self.buf:set_u32(self.off + offset, value)
end
function View.prototype.check(self, offset, length)
    if not isInteger(offset) or not isInteger(length) or offset < 0 or length < 0 or offset + length > self.len then
        error(
            ((((("segment access at " .. tostring(offset)) .. "+") .. tostring(length)) .. " outside the ") .. tostring(self.len)) .. "-byte segment",
            3
        )
    end
end
--- Writes `value` into a segment the way PacketScript's raw `set` does: a byte fills it; a string or byte array is copied in.
function ____exports.setRaw(seg, value)
    if isInteger(value) then
        checkInteger(value, 0, 255, "set: byte value")
        if seg.len > 0 then
            seg.buf:fill(value, seg.off, seg.len)
        end
        return
    end
    local t = luaType(value)
    if t == "string" or t == "userdata" then
        local source = value
        local n = t == "string" and #source or source:len()
        if n > seg.len then
            error(
                ((("set: " .. tostring(n)) .. " bytes do not fit the ") .. tostring(seg.len)) .. "-byte segment",
                3
            )
        end
        if n > 0 then
            seg.buf:copy_from(source, seg.off, 0, n)
        end
        return
    end
    error("set: expected a byte (0-255), a string or a byte array, got " .. t, 3)
end
--- A protocol-less segment: `p:raw(...)`, and what `data()` gives without a protocol.
____exports.RawSegment = __TS__Class()
local RawSegment = ____exports.RawSegment
RawSegment.name = "RawSegment"
__TS__ClassExtends(RawSegment, ____exports.View)
function RawSegment.prototype.get(self)
    return self.buf:slice(self.off, self.len)
end
function RawSegment.prototype.set(self, value)
    ____exports.setRaw(self, value)
end
function RawSegment.prototype.data(self, ...)
    if select("#", ...) == 0 then
        return self
    end
    local proto = select(1, ...)
    ____exports.checkProtocol(proto)
    return proto:instantiate(self.buf, self.off, self.len, self.pos)
end
--- A field of a protocol header: `get()`/`set(v)` use the field's typed getter and setter.
____exports.Field = __TS__Class()
local Field = ____exports.Field
Field.name = "Field"
__TS__ClassExtends(Field, ____exports.View)
function Field.prototype.____constructor(self, owner, spec, byteOff, byteLen, bitShift, bits)
    Field.____super.prototype.____constructor(
        self,
        owner.buf,
        owner.off + byteOff,
        byteLen,
        owner.pos + byteOff
    )
    self.owner = owner
    self.spec = spec
    self.bitShift = bitShift
    self.bits = bits
end
function Field.prototype.get(self, arg)
    local getter = self.spec.get
    if getter then
        return getter(self, arg)
    end
    return self.buf:slice(self.off, self.len)
end
function Field.prototype.set(self, value)
    local setter = self.spec.set
    if setter then
        setter(self, value)
    else
        ____exports.withChecksum(
            self,
            function() return ____exports.setRaw(self, value) end
        )
    end
end
function Field.prototype.set_value(self, value)
    ____exports.writeBits(self, value)
end
function Field.prototype.value(self)
    return ____exports.readBits(self)
end
function Field.prototype.data(self, ...)
    if select("#", ...) == 0 then
        return ____exports.makeRaw(self.buf, self.off, self.len, self.pos)
    end
    local proto = select(1, ...)
    ____exports.checkProtocol(proto)
    return proto:instantiate(
        self.buf,
        self.off,
        self.len,
        self.pos,
        self.owner
    )
end
--- A field segment of `owner` (same as `new Field(...)`).
function ____exports.makeField(owner, spec, byteOff, byteLen, bitShift, bits)
    return setmetatable({
        buf = owner.buf,
        off = owner.off + byteOff,
        len = byteLen,
        pos = owner.pos + byteOff,
        owner = owner,
        spec = spec,
        bitShift = bitShift,
        bits = bits
    }, ____exports.Field.prototype)
end
--- A protocol header: one class per protocol buffer; field methods are `field(i)`.
____exports.ProtocolSegment = __TS__Class()
local ProtocolSegment = ____exports.ProtocolSegment
ProtocolSegment.name = "ProtocolSegment"
__TS__ClassExtends(ProtocolSegment, ____exports.View)
function ProtocolSegment.prototype.____constructor(self, proto, buf, off, len, pos)
    ProtocolSegment.____super.prototype.____constructor(
        self,
        buf,
        off,
        len,
        pos
    )
    self.hl = 0
    self.dataEnd = 0
    self.proto = proto
end
function ProtocolSegment.prototype.get(self)
    return self.buf:slice(self.off, self.len)
end
function ProtocolSegment.prototype.set(self, value)
    ____exports.setRaw(self, value)
end
function ProtocolSegment.prototype.checksumSite(self)
    local parent = self.parent
    if parent and parent.proto.checksumCoversPayload then
        return parent:checksumSite()
    end
    return nil
end
function ProtocolSegment.prototype.field(self, i)
    local spec = self.proto.fields[i + 1]
    if spec.variable then
        local at, length = self.proto:placeField(self, i)
        return ____exports.makeField(
            self,
            spec,
            at,
            length,
            0,
            length * 8
        )
    end
    local bitOff = spec.offset
    local bitLen = spec.length
    local layout = self.layout
    if layout then
        bitOff = layout.offsets[i + 1]
        bitLen = layout.lengths[i + 1]
        if bitLen < 0 then
            return false
        end
    end
    local byteOff = bitOff >> 3
    local byteLen
    if bitLen == 0 and layout == nil and spec.name == self.proto.payloadField then
        byteLen = self.len - byteOff
    else
        byteLen = (bitOff & 7) + bitLen + 7 >> 3
    end
    if byteOff < 0 or byteLen < 0 or byteOff + byteLen > self.len then
        error(
            ((((((((self.proto.name .. ":") .. spec.name) .. "(): bytes ") .. tostring(byteOff)) .. "..") .. tostring(byteOff + byteLen)) .. " lie past the end of the ") .. tostring(self.len)) .. "-byte segment (truncated packet)",
            3
        )
    end
    return ____exports.makeField(
        self,
        spec,
        byteOff,
        byteLen,
        bitOff & 7,
        bitLen
    )
end
function ProtocolSegment.prototype.field_by_name(self, name)
    local i = self.proto.index[name]
    if i == nil then
        return error(((self.proto.name .. " has no field '") .. name) .. "'", 2)
    end
    return self:field(i)
end
function ProtocolSegment.prototype.payload(self, target)
    local name = self.proto.payloadField
    if name == nil then
        return error(self.proto.name .. " has no payload field", 2)
    end
    local f = self:field(self.proto.index[name])
    if f == false then
        return false
    end
    if target == nil then
        return ____exports.makeRaw(f.buf, f.off, f.len, f.pos)
    end
    ____exports.checkProtocol(target)
    if not self.proto:hasProtocol(self, target) then
        return false
    end
    return target:instantiate(
        f.buf,
        f.off,
        f.len,
        f.pos,
        self
    )
end
function ProtocolSegment.prototype.data(self, ...)
    if select("#", ...) == 0 then
        return self:payload()
    end
    local target = select(1, ...)
    ____exports.checkProtocol(target)
    return self:payload(target)
end
--- All protocol buffers by name (the thesis' `supported_protocols`).
____exports.protocols = {}
--- A protocol buffer: the class of a protocol (thesis §3.3.1). Subclass it to
-- add a protocol in TypeScript: give the fields, the segment class with one
-- method per field, the policy (`hasProtocol`) and, when fields move per
-- packet, the layout hook.
____exports.ProtocolBuffer = __TS__Class()
local ProtocolBuffer = ____exports.ProtocolBuffer
ProtocolBuffer.name = "ProtocolBuffer"
function ProtocolBuffer.prototype.____constructor(self, name, segmentClass, fields, payloadField, minLength)
    if minLength == nil then
        minLength = 0
    end
    self.isProtocolBuffer = true
    self.index = {}
    self.builtin = true
    self.plainSegments = false
    self.checksumCoversPayload = false
    self.name = name
    self.segmentClass = segmentClass
    self.fields = fields
    self.payloadField = payloadField
    self.minLength = minLength
    __TS__ArrayForEach(
        fields,
        function(____, f, i)
            self.index[f.name] = i
            return nil
        end
    )
    ____exports.protocols[name] = self
    local prototype = segmentClass.prototype
    if rawget(prototype, "__tostring") == nil then
        rawset(prototype, "__tostring", ____exports.describe)
    end
end
function ProtocolBuffer.prototype.hasProtocol(self, _seg, _target)
    return true
end
function ProtocolBuffer.prototype.validate(self, _seg)
    return true
end
function ProtocolBuffer.prototype.placeField(self, _seg, i)
    return error((self.name .. ": no placement for field ") .. self.fields[i + 1].name)
end
function ProtocolBuffer.prototype.computeLayout(self, _seg)
    return nil
end
function ProtocolBuffer.prototype.instantiate(self, buf, off, len, pos, parent)
    if len < self.minLength then
        return false
    end
    local seg = self.plainSegments and setmetatable({
        buf = buf,
        off = off,
        len = len,
        pos = pos,
        proto = self,
        hl = 0,
        dataEnd = 0,
        parent = nil,
        layout = nil
    }, self.segmentClass.prototype) or __TS__New(
        self.segmentClass,
        self,
        buf,
        off,
        len,
        pos
    )
    if parent then
        seg.parent = parent
    end
    if not self:validate(seg) then
        return false
    end
    local layout = self:computeLayout(seg)
    if layout == false then
        return false
    end
    if layout then
        seg.layout = layout
    end
    return seg
end
function ProtocolBuffer.prototype.__tostring(self)
    return self.name
end
____exports.RawSegment.prototype.__tostring = ____exports.describe
____exports.Field.prototype.__tostring = ____exports.describe
____exports.ProtocolSegment.prototype.__tostring = ____exports.describe
return ____exports

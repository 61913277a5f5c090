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
local ____core = require("src.core")
local ProtocolBuffer = ____core.ProtocolBuffer
local ProtocolSegment = ____core.ProtocolSegment
local protocols = ____core.protocols
local withChecksum = ____core.withChecksum
local ____util = require("src.util")
local isInteger = ____util.isInteger
local luaType = ____util.luaType
local function resolve(hook, what)
    if hook == nil then
        return nil
    end
    if luaType(hook) == "function" then
        return hook
    end
    if luaType(hook) == "string" then
        local name = hook
        return function(...)
            local fn = _G[name]
            if luaType(fn) ~= "function" then
                error(((what .. ": global function '") .. name) .. "' is not defined", 2)
            end
            return fn(...)
        end
    end
    return error(
        (what .. ": expected a function or the name of a global function, got ") .. luaType(hook),
        3
    )
end
____exports.DynamicBuffer = __TS__Class()
local DynamicBuffer = ____exports.DynamicBuffer
DynamicBuffer.name = "DynamicBuffer"
__TS__ClassExtends(DynamicBuffer, ProtocolBuffer)
function DynamicBuffer.prototype.____constructor(self, ...)
    ProtocolBuffer.prototype.____constructor(self, ...)
    self.plainSegments = true
    self.builtin = false
end
function DynamicBuffer.prototype.hasProtocol(self, seg, target)
    local policy = self.policy
    if policy == nil then
        return true
    end
    local ____policy_result_0
    if policy(
        seg:to_bytes(),
        target
    ) then
        ____policy_result_0 = true
    else
        ____policy_result_0 = false
    end
    return ____policy_result_0
end
function DynamicBuffer.prototype.computeLayout(self, seg)
    local precalc = self.precalc
    local fields = self.fields
    if precalc == nil then
        return nil
    end
    local offsetChanges, lengthChanges = precalc(seg:to_bytes())
    if luaType(offsetChanges) ~= "table" or luaType(lengthChanges) ~= "table" then
        error(self.name .. ": get_field_changes must return two tables (offsets, lengths)", 2)
    end
    local offsets = {}
    local lengths = {}
    __TS__ArrayForEach(
        fields,
        function(____, f, i)
            local o = offsetChanges[i + 1] or 0
            local l = lengthChanges[i + 1] or 0
            if not isInteger(o) or not isInteger(l) then
                error(((self.name .. ": field change of '") .. f.name) .. "' is not an integer", 2)
            end
            local offset = o ~= 0 and o or f.offset
            local length = l ~= 0 and l or f.length
            if length == 0 and f.name == self.payloadField then
                length = seg.len * 8 - offset
            end
            offsets[#offsets + 1] = offset
            lengths[#lengths + 1] = length
        end
    )
    return {offsets = offsets, lengths = lengths}
end
--- Registers a protocol buffer described in Lua and installs it as the global `spec.name`.
function ____exports.register_dynamic_protbuf(spec)
    if luaType(spec) ~= "table" then
        error("register_dynamic_protbuf: expected a table", 2)
    end
    local name = spec.name
    if luaType(name) ~= "string" then
        error("register_dynamic_protbuf: 'name' must be a string", 2)
    end
    if protocols[name] ~= nil then
        error(("register_dynamic_protbuf: protocol buffer '" .. name) .. "' is already registered", 2)
    end
    if luaType(spec.protocol_fields) ~= "table" then
        error(("register_dynamic_protbuf(" .. name) .. "): 'protocol_fields' must be a table", 2)
    end
    local payloadField = spec.payload_field
    local fields = {}
    __TS__ArrayForEach(
        spec.protocol_fields,
        function(____, entry, i)
            local fieldName, offset, length, getterHook, setterHook = table.unpack(entry, 1, 5)
            if luaType(fieldName) ~= "string" or not isInteger(offset) or not isInteger(length) or offset < 0 or length < 0 then
                error(
                    ((("register_dynamic_protbuf(" .. name) .. "): field ") .. tostring(i + 1)) .. " must be {name, bit_offset, bit_length[, getter, setter]}",
                    2
                )
            end
            local getter = resolve(getterHook, ((name .. ".") .. fieldName) .. " getter")
            local setter = resolve(setterHook, ((name .. ".") .. fieldName) .. " setter")
            local spec = {name = fieldName, offset = offset, length = length}
            if getter then
                spec.get = function(f) return getter(f:to_bytes()) end
            end
            if setter then
                spec.set = function(f, v) return withChecksum(
                    f,
                    function() return setter(
                        f:to_bytes(),
                        v
                    ) end
                ) end
            end
            fields[#fields + 1] = spec
        end
    )
    local ____class_1 = __TS__Class()
    ____class_1.name = "SegmentClass"
    __TS__ClassExtends(____class_1, ProtocolSegment)
    local SegmentClass = ____class_1
    local methods = SegmentClass.prototype
    __TS__ArrayForEach(
        fields,
        function(____, f, i)
            if f.name == payloadField then
                methods[f.name] = function(self, target)
                    return self:payload(target)
                end
            else
                methods[f.name] = function(self)
                    return self:field(i)
                end
            end
        end
    )
    local buffer = __TS__New(
        ____exports.DynamicBuffer,
        name,
        SegmentClass,
        fields,
        payloadField,
        0
    )
    buffer.policy = resolve(spec.has_protocol, name .. ".has_protocol")
    buffer.precalc = resolve(spec.get_field_changes, name .. ".get_field_changes")
    _G[name] = buffer
    return buffer
end
return ____exports

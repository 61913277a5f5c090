--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
local ____core = require("src.core")
local checkProtocol = ____core.checkProtocol
local protocols = ____core.protocols
local ____bytes = require("src.bytes")
local concatBytes = ____bytes.concatBytes
local ____build = require("src.build")
local ipv4_header = ____build.ipv4_header
local reply_tcp = ____build.reply_tcp
local reply_udp = ____build.reply_udp
local swap_endpoints = ____build.swap_endpoints
local tcp_packet = ____build.tcp_packet
local udp_packet = ____build.udp_packet
local ____util = require("src.util")
local checkInteger = ____util.checkInteger
local luaType = ____util.luaType
--- Name of the global that unpacks deferred packets (nf.schedule with a packet).
____exports.DELIVER = "lua_std_deliver"
--- A byte array, string or segment as something kmod.send takes.
local function toSendable(data)
    if luaType(data) == "table" then
        local seg = data
        if seg.buf ~= nil then
            return seg.buf:slice(seg.off, seg.len)
        end
        return data
    end
    return data
end
____exports.nf = {
    get_random = function() return kmod.random32() end,
    get_time = function() return kmod.now_ms() end,
    schedule = function(_skb, callback, id, delay, packet, proto)
        if luaType(callback) ~= "string" then
            error("nf.schedule: the callback must be given by its global name", 2)
        end
        checkInteger(id, -2147483647, 2147483647, "nf.schedule: id")
        checkInteger(delay, 0, 2147483647, "nf.schedule: delay")
        if packet == nil then
            return kmod.schedule(
                callback,
                id,
                delay,
                nil,
                "process"
            )
        end
        if proto ~= nil then
            checkProtocol(proto)
        end
        local bytes = packet.buf:string(packet.off, packet.len)
        local header = string.pack(">s1s1", callback, proto == nil and "" or proto.name)
        return kmod.schedule(
            ____exports.DELIVER,
            id,
            delay,
            header .. bytes,
            "process"
        )
    end,
    create_packet = function(_skb, data) return kmod.send(toSendable(data)) end,
    send = function(parts) return kmod.send(parts) end,
    reply_udp = function(ip, payload) return kmod.send(reply_udp(ip, payload)) end,
    reply_tcp = function(ip, flags, payload, seq, ack) return kmod.send(reply_tcp(
        ip,
        flags,
        payload,
        seq,
        ack
    )) end,
    swap_endpoints = function(ip) return swap_endpoints(ip) end,
    udp_packet = udp_packet,
    tcp_packet = tcp_packet,
    ipv4_header = ipv4_header,
    gather = function(parts) return concatBytes(parts) end
}
--- Unpacks a deferred packet and calls the script's callback with it (runs in the process context).
function ____exports.lua_std_deliver(id, data)
    local s = data:string()
    local callback, protoName, rest = string.unpack(">s1s1", s)
    local copy = kmod.bytes(string.sub(s, rest))
    local packet = copy
    if protoName ~= "" then
        local proto = protocols[protoName]
        if proto == nil then
            error(("nf.schedule: protocol buffer '" .. tostring(protoName)) .. "' is not registered in this context")
        end
        packet = proto:instantiate(
            copy,
            0,
            copy:len(),
            0
        )
    end
    local fn = _G[callback]
    if luaType(fn) ~= "function" then
        error(("nf.schedule: global function '" .. tostring(callback)) .. "' is not defined in the process context")
    end
    fn(id, packet)
end
return ____exports

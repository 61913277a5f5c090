--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
local ____core = require("src.core")
local protocols = ____core.protocols
local ____bytes = require("src.bytes")
local bytes = ____bytes.bytes
local ____nf = require("src.nf")
local nf = ____nf.nf
local lua_std_deliver = ____nf.lua_std_deliver
local DELIVER = ____nf.DELIVER
local ____dynamic = require("src.dynamic")
local register_dynamic_protbuf = ____dynamic.register_dynamic_protbuf
local ____packet = require("src.packet")
local installPacketMethods = ____packet.installPacketMethods
local packetscript_link_layer = ____packet.packetscript_link_layer
local ____eth = require("src.protocols.eth")
local packet_eth = ____eth.packet_eth
local ____ip = require("src.protocols.ip")
local packet_ip = ____ip.packet_ip
local ____icmp = require("src.protocols.icmp")
local packet_icmp = ____icmp.packet_icmp
local ____udp = require("src.protocols.udp")
local packet_udp = ____udp.packet_udp
local ____tcp = require("src.protocols.tcp")
local packet_tcp = ____tcp.packet_tcp
local packet_tcp_opt = ____tcp.packet_tcp_opt
local ____tftp = require("src.protocols.tftp")
local packet_tftp = ____tftp.packet_tftp
local ____http = require("src.protocols.http")
local packet_http = ____http.packet_http
local ____raw = require("src.protocols.raw")
local packet_raw = ____raw.packet_raw
do
    local ____export = require("src.core")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.util")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.fields")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.bytes")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.nf")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.build")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.dynamic")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.packet")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.protocols.eth")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.protocols.ip")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.protocols.icmp")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.protocols.udp")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.protocols.tcp")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.protocols.tftp")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.protocols.http")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
do
    local ____export = require("src.protocols.raw")
    for ____exportKey, ____exportValue in pairs(____export) do
        if ____exportKey ~= "default" then
            ____exports[____exportKey] = ____exportValue
        end
    end
end
____exports.VERSION = "0.1.0"
--- Installs the PacketScript globals into this Lua state (done when the bundle runs).
function ____exports.install()
    local G = _G
    G.packet_raw = packet_raw
    G.packet_eth = packet_eth
    G.packet_ip = packet_ip
    G.packet_icmp = packet_icmp
    G.packet_udp = packet_udp
    G.packet_tcp = packet_tcp
    G.packet_tcp_opt = packet_tcp_opt
    G.packet_tftp = packet_tftp
    G.packet_http = packet_http
    G.supported_protocols = protocols
    G.bytes = bytes
    G.nf = nf
    G.register_dynamic_protbuf = register_dynamic_protbuf
    G.packetscript_link_layer = packetscript_link_layer
    G[DELIVER] = lua_std_deliver
    installPacketMethods()
end
____exports.install()
return ____exports

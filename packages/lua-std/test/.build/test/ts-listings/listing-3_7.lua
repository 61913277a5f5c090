--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
function ____exports.process_packet(p)
    eth = p:data(packet_eth)
    ip = eth and eth:data(packet_ip)
    if not ip then
        return error("not an IPv4 packet")
    end
    saddr = ip:saddr():get()
    daddr = ip:daddr():get()
    return NF_ACCEPT
end
return ____exports

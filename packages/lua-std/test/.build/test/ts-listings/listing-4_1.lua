--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
function ____exports.process_packet_snat(p)
    local eth = p:data(packet_eth)
    local ip = eth and eth:data(packet_ip)
    if not ip then
        return NF_DROP
    end
    ip:saddr():set("10.0.0.1")
    return XT_CONTINUE
end
function ____exports.process_packet_dnat(p)
    local eth = p:data(packet_eth)
    local ip = eth and eth:data(packet_ip)
    if not ip then
        return NF_DROP
    end
    ip:daddr():set("192.168.0.2")
    return XT_CONTINUE
end
return ____exports

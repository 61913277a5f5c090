--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
function ____exports.process_packet(p)
    eth = p:data(packet_eth)
    return NF_ACCEPT
end
return ____exports

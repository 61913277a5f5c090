--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
function ____exports.process_packet(p)
    local frame = p:data(packet_eth)
    if not frame then
        return NF_DROP
    end
    eth = frame
    smac = eth:smac()
    dmac = eth:dmac()
    if smac:get() == "01:23:45:67:89:AB" then
        dmac:set("FF:FF:FF:FF:FF:FF")
    end
    return NF_ACCEPT
end
return ____exports

--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
function ____exports.process_packet(p)
    local segment = p:raw(0, 6)
    if not segment then
        return NF_DROP
    end
    dmac = segment
    val = dmac:get()
    byte1 = val[0]
    byte2 = val[1]
    byte3 = val[2]
    byte4 = val[3]
    byte5 = val[4]
    byte6 = val[5]
    return NF_ACCEPT
end
return ____exports

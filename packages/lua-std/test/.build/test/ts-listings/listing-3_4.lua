--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
function ____exports.process_packet(p)
    local segment = p:raw(0, 6)
    if not segment then
        return NF_DROP
    end
    dmac = segment
    dmac:set(255)
    byte1 = dmac:raw(0, 1)
    byte2 = dmac:raw(1, 1)
    byte3 = dmac:raw(2, 1)
    byte4 = dmac:raw(3, 1)
    byte5 = dmac:raw(4, 1)
    byte6 = dmac:raw(5, 1)
    byte1:set(255)
    byte2:set(0)
    return NF_ACCEPT
end
return ____exports

--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
function ____exports.process_packet(p)
    dmac = p:raw(0, 6)
    smac = p:raw(6, 6)
    type = p:raw(12, 2)
    return NF_ACCEPT
end
return ____exports

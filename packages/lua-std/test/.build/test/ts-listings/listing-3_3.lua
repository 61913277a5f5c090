--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
function ____exports.process_packet(p)
    dmac = p:raw(0, 6)
    if dmac then
        dmac:set(255)
    end
    return NF_ACCEPT
end
return ____exports

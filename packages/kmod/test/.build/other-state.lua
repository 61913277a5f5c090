--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local ____exports = {}
function ____exports.read_counter(_p)
    local g = _G
    return g.counter == nil and NF_DROP or NF_ACCEPT
end
return ____exports

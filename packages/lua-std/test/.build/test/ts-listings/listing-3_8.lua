--[[ Generated with https://github.com/TypeScriptToLua/TypeScriptToLua ]]
local function eth_policy(_seg, _type)
    return true
end
local function eth_precalc(seg)
    local offset = {
        0,
        0,
        0,
        0,
        0
    }
    local length = {
        0,
        0,
        0,
        0,
        0
    }
    if seg[12] == 129 and seg[13] == 0 then
        offset = {
            0,
            0,
            0,
            128,
            144
        }
        length = {
            0,
            0,
            32,
            0,
            0
        }
    end
    return offset, length
end
register_dynamic_protbuf({
    name = "packet_eth_dyn",
    payload_field = "data",
    protocol_fields = {
        {"dmac", 0, 48},
        {"smac", 48, 48},
        {"vlan", 96, 0},
        {"type", 96, 16},
        {"data", 112, 0}
    },
    has_protocol = eth_policy,
    get_field_changes = eth_precalc
})

-- Listing 3.1 Segmenting the fields of the Ethernet header using raw
function process_packet(p)
    dmac = p:raw(0,6)
    smac = p:raw(6,6)
    type = p:raw(12,2)
    -- ...
    return NF_ACCEPT -- [filled in]
end

-- Listing 3.3 Setting of a range of bytes using set
function process_packet(p)
    -- ...
    dmac = p:raw(0,6) -- [filled in] Listing 3.1's segmentation
    dmac:set(0xFF)
    -- ..
    return NF_ACCEPT -- [filled in]
end

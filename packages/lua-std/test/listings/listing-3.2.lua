-- Listing 3.2 Retrieving the value of a segmented field as a byte array using get
function process_packet (p)
    -- ...
    dmac = p:raw(0,6) -- [filled in] Listing 3.1's segmentation
    val = dmac:get ()
    byte1 = val[0]
    byte2 = val[1]
    byte3 = val[2]
    byte4 = val[3]
    byte5 = val[4]
    byte6 = val[5]
    -- ..
    return NF_ACCEPT -- [filled in]
end

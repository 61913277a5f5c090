-- Listing 3.6 Demonstration of the ethernet protocol buffer
function process_packet(p)
    eth = p:data(packet_eth)
    smac = eth:smac()
    dmac = eth:dmac()

    if smac:get() == "01:23:45:67:89:AB" then
        dmac:set("FF:FF:FF:FF:FF:FF")
    end
    -- ...
    return NF_ACCEPT -- [filled in]
end

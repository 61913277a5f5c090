-- Listing 3.5 Generation of an ethernet object using the raw factory method data
function process_packet(p)
    eth = p:data(packet_eth)
    return NF_ACCEPT -- [filled in]
end

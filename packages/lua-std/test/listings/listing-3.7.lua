-- Listing 3.7 Extracting the IP header from an Ethernet frame
function process_packet(p)
    eth = p:data(packet_eth)
    ip = eth:data(packet_ip)

    saddr = ip:saddr():get()
    daddr = ip:daddr():get()
    -- ...
    return NF_ACCEPT -- [filled in]
end

-- Listing 4.1 Simple NAT solution
-- Translating the source address for outgoing packets
function process_packet_snat(p)
    local ip = p:data(packet_eth):data(packet_ip)
    if not ip then return NF_DROP end

    ip:saddr():set("10.0.0.1")

    return XT_CONTINUE
end

-- Translating destination address for incoming packets
function process_packet_dnat(p)
    local ip = p:data(packet_eth):data(packet_ip)
    if not ip then return NF_DROP end

    ip:daddr():set("192.168.0.2")

    return XT_CONTINUE
end

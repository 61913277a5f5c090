-- Listing 4.1 Simple NAT solution (packetscript-thesis.txt §4.1), line for line,
-- with the thesis' private addresses replaced by the lab's (real traffic uses
-- 198.18.0.0/15 only): the router's public address is its origin-side address
-- 198.18.2.1, and the private host behind it is the client 198.18.1.2. Needs
-- lua-std loaded first in the same state (--load 0:packages/lua-std/dist/lua-std.lua)
-- and the link-layer presentation on (--link-layer, or
-- --call 0:packetscript_link_layer:true), because the listing starts at
-- p:data(packet_eth).

-- Translating the source address for outgoing packets
function process_packet_snat(p)
    local ip = p:data(packet_eth):data(packet_ip)
    if not ip then return NF_DROP end

    ip:saddr():set("198.18.2.1")

    return XT_CONTINUE
end

-- Translating destination address for incoming packets
function process_packet_dnat(p)
    local ip = p:data(packet_eth):data(packet_ip)
    if not ip then return NF_DROP end

    ip:daddr():set("198.18.1.2")

    return XT_CONTINUE
end

-- PacketScript style, from the Ethernet header on (needs --link-layer and
-- lua-std): answers a UDP datagram to port 9004 with the source MAC and IP
-- address it read through packet_eth and packet_ip.
function process_packet(p)
  local eth = p:data(packet_eth)
  local ip = eth and eth:data(packet_ip)
  local udp = ip and ip:data(packet_udp)
  if not udp or udp:dport():get() ~= 9004 then return NF_ACCEPT end
  send_udp_reply(p, "smac=" .. eth:smac():get() .. " saddr=" .. ip:saddr():get())
  return NF_DROP
end

-- Reads the IP and UDP headers a cache would look at, then accepts.
function process_packet(p)
  local ihl = (p:u8(0) & 0x0f) * 4
  local length, protocol, src, dst = p:u16(2), p:u8(9), p:u32(12), p:u32(16)
  if protocol == 17 and length >= ihl + 8 then
    local sport, dport = p:u16(ihl), p:u16(ihl + 2)
    if sport == 0 or dport == 0 or src == dst then return NF_DROP end
  end
  return NF_ACCEPT
end

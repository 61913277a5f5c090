-- Upper-cases the payload of UDP datagrams to port 9000 on their way; a UDP
-- checksum of 0 means "none" (RFC 768), so the changed datagram is valid.
function process_packet(p)
  if p:u8(9) ~= 17 then return NF_ACCEPT end
  local ihl = (p:u8(0) & 0x0f) * 4
  if p:u16(ihl + 2) ~= 9000 then return NF_ACCEPT end
  local b = p:bytes()
  b:copy_from(string.upper(p:string(ihl + 8)), ihl + 8)
  b:set_u16(ihl + 6, 0)
  return NF_ACCEPT
end

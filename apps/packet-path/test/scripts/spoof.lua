-- Answers UDP datagrams to port 9001 itself, as if it were the destination:
-- a packet made by the script, spoofing the origin's address.
function process_packet(p)
  if p:u8(9) ~= 17 then return NF_ACCEPT end
  local ihl = (p:u8(0) & 0x0f) * 4
  if p:u16(ihl + 2) ~= 9001 then return NF_ACCEPT end
  send_udp_reply(p, "spoofed reply to " .. p:string(ihl + 8))
  return NF_DROP
end

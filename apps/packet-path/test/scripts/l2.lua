-- Answers UDP datagrams to port 9005 with a frame sent straight to the
-- device (kmod.send_l2), spoofing the origin's address.
function process_packet(p)
  if p:u8(9) ~= 17 then return NF_ACCEPT end
  local ihl = (p:u8(0) & 0x0f) * 4
  if p:u16(ihl + 2) ~= 9005 then return NF_ACCEPT end
  local ok, err = send_udp_reply_l2(p, "frame for " .. p:string(ihl + 8))
  if not ok then kmod.log(err) end
  return NF_DROP
end

-- Answers UDP datagrams to port 9001 itself, as if it were the destination:
-- a packet made by the script, spoofing the origin's address.
function process_packet(p)
  if p:u8(9) ~= 17 then return NF_ACCEPT end
  local ihl = (p:u8(0) & 0x0f) * 4
  if p:u16(ihl + 2) ~= 9001 then return NF_ACCEPT end
  local payload = "spoofed reply to " .. p:string(ihl + 8)
  local ip = kmod.bytes(20)
  ip:set_u8(0, 0x45)
  ip:set_u16(2, 20 + 8 + #payload)
  ip:set_u8(8, 64)
  ip:set_u8(9, 17)
  ip:set_u32(12, p:u32(16))
  ip:set_u32(16, p:u32(12))
  ip:set_u16(10, ip:checksum())
  local udp = string.pack(">I2I2I2I2", 9001, p:u16(ihl), 8 + #payload, 0)
  kmod.send({ ip, udp, payload })
  return NF_DROP
end

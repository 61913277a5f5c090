-- Answers a UDP datagram to port 9003 with a 10,000-byte TCP super-segment
-- from the origin's port 80, cut by the kernel into 1000-byte segments (GSO),
-- sent out of the interface the datagram came in by, to its sender's MAC.
function process_packet(p)
  if p:u8(9) ~= 17 or p:u16(22) ~= 9003 then return NF_ACCEPT end
  local length = 10000
  local ip = string.pack(">BBI2I2I2BBI2I4I4", 0x45, 0, 40 + length, 1, 0x4000, 64, 6, 0, p:u32(16), p:u32(12))
  local tcp = string.pack(">I2I2I4I4BBI2I2I2", 80, 5555, 1000, 0, 0x50, 0x18, 65535, 0, 0) -- PSH, ACK
  local ok, err = kmod.send_gso({ ip .. tcp, string.rep("x", length) }, 1000, p:indev(), p:hwaddr())
  if not ok then kmod.log(err) end
  return NF_DROP
end

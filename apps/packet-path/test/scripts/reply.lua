-- Loaded before the scripts that answer UDP datagrams themselves (--load):
-- the answer to UDP packet p goes back to its sender, from p's destination.
local function reply_parts(p, payload)
  local ihl = (p:u8(0) & 0x0f) * 4
  local ip = kmod.bytes(20)
  ip:set_u8(0, 0x45)
  ip:set_u16(2, 20 + 8 + #payload)
  ip:set_u8(8, 64)
  ip:set_u8(9, 17)
  ip:set_u32(12, p:u32(16))
  ip:set_u32(16, p:u32(12))
  ip:set_u16(10, ip:checksum())
  -- A UDP checksum of 0 means "none" (RFC 768).
  local udp = string.pack(">I2I2I2I2", p:u16(ihl + 2), p:u16(ihl), 8 + #payload, 0)
  return { ip, udp, payload }
end

-- Through the router's IP output path (a raw socket).
function send_udp_reply(p, payload)
  return kmod.send(reply_parts(p, payload))
end

-- As a frame, straight to the device the datagram came in by.
function send_udp_reply_l2(p, payload)
  return kmod.send_l2(reply_parts(p, payload), p:indev(), p:hwaddr())
end

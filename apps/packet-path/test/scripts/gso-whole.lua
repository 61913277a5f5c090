-- Notes the largest packet it sees and changes every one (the IP TOS, with
-- the IP checksum kept valid), so each verdict carries the packet back whole.
local largest = 0
function process_packet(p)
  if p:len() > largest then largest = p:len() end
  local old = p:u16(0)
  p:bytes():set_u8(1, 0x10)
  p:bytes():set_u16(10, kmod.checksum_adjust(p:u16(10), old, p:u16(0)))
  return NF_ACCEPT
end
function largest_packet() return largest end

-- Answers UDP datagrams to port 9002 with how many it has seen (a global of
-- its Lua state) and what the content store holds (kept across reloads).
local seen = 0
function process_packet(p)
  if p:u8(9) ~= 17 then return NF_ACCEPT end
  local ihl = (p:u8(0) & 0x0f) * 4
  if p:u16(ihl + 2) ~= 9002 then return NF_ACCEPT end
  seen = seen + 1
  if not kmod.store.size("reload-test") then
    local h = kmod.store.begin("reload-test")
    kmod.store.append(h, p:string(ihl + 8))
    kmod.store.commit(h)
  end
  local payload = "seen=" .. seen .. " store=" .. kmod.store.read("reload-test")
  local ip = kmod.bytes(20)
  ip:set_u8(0, 0x45)
  ip:set_u16(2, 20 + 8 + #payload)
  ip:set_u8(8, 64)
  ip:set_u8(9, 17)
  ip:set_u32(12, p:u32(16))
  ip:set_u32(16, p:u32(12))
  ip:set_u16(10, ip:checksum())
  kmod.send({ ip, string.pack(">I2I2I2I2", 9002, p:u16(ihl), 8 + #payload, 0), payload })
  return NF_DROP
end

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
  send_udp_reply(p, "seen=" .. seen .. " store=" .. kmod.store.read("reload-test"))
  return NF_DROP
end
function seen_count() return seen end

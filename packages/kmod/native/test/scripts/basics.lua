-- Behaviours for the C tests (the TypeScript tests cover the same and more).
function accept(p) return NF_ACCEPT end
function verdict_from_payload(p) return p:u8(28) end
function out_of_range(p) return p:bytes()[p:len()] end
function raise(p) error("boom") end
function spin(p) while true do end end
function hog(p) local t = {} for i = 1, 1e9 // 1 do t[i] = string.rep("x", 100) .. i end end
function hold(p)
  kmod.timer(30, function(h) kmod.release(h, NF_ACCEPT) end, p:hold())
  return NF_STOLEN
end
kept = nil
function keep(p) kept = p:bytes() return NF_ACCEPT end
function use_kept(p) return kept[0] end
function send_back(p)
  kmod.send({ p:string(0, 28), p:bytes():slice(28) })
  return NF_DROP
end
function schedule(p) kmod.schedule("deferred", 1, 10, p:string()) return NF_ACCEPT end
deferred_count = 0
function deferred(id, data) deferred_count = deferred_count + data:len() end
function read_two_fields(p)
  if p:u8(9) == 17 and p:u16(22) ~= 0 then return NF_ACCEPT end
  return NF_DROP
end
function spin_catching(p)
  while true do pcall(function() while true do end end) end
end

-- Baselines for bench/nat-cost.ts: an empty hook, and the SNAT of Listing
-- 4.1 written against the engine's ABI only (no lua-std).
function accept_only(p) return NF_ACCEPT end

function raw_snat(p)
  local b = p:bytes()
  if b:u8(0) >> 4 ~= 4 then return NF_DROP end
  local old_hi, old_lo = b:u16(12), b:u16(14)
  b:set_u32(12, 0x0A000001)
  local check = kmod.checksum_adjust(b:u16(10), old_hi, 0x0A00)
  check = kmod.checksum_adjust(check, old_lo, 0x0001)
  b:set_u16(10, check)
  local l4 = (b:u8(0) & 15) * 4
  if b:u8(9) == 6 then
    local c = kmod.checksum_adjust(b:u16(l4 + 16), old_hi, 0x0A00)
    b:set_u16(l4 + 16, kmod.checksum_adjust(c, old_lo, 0x0001))
  end
  return XT_CONTINUE
end

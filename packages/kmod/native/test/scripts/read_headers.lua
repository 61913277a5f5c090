-- Reads headers the way a cache would, trusting the lengths in the packet
-- (which the fuzzer makes lie): every bad read must be a clean Lua error.
function process_packet(p)
  local b = p:bytes()
  local ihl = (b[0] & 0x0f) * 4
  local total = b:u16(2)
  local proto = b[9]
  local src, dst = b:u32(12), b:u32(16)
  if proto == 17 or proto == 6 then
    local sport, dport = b:u16(ihl), b:u16(ihl + 2)
    local payload = b:slice(ihl + 8, total - ihl - 8)
    local text = payload:string(0, payload:len() < 16 and payload:len() or 16)
    if sport == dport and #text > 100 then return NF_QUEUE end
    if dport == 69 and payload:len() > 4 then
      local opcode = payload:u16(0)
      local name_end = string.find(payload:string(2), "\0", 1, true)
      if opcode == 1 and name_end then return NF_ACCEPT end
    end
  end
  b[total - 1] = b[total - 1]
  if src == dst then return NF_DROP end
  return NF_ACCEPT
end

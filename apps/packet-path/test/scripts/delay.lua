-- Holds every packet for delay_ms before letting it go (engine-made delay).
local delay_ms = 20
function configure(ms) delay_ms = ms end
local function release(handle) kmod.release(handle, NF_ACCEPT) end
function process_packet(p)
  kmod.timer(delay_ms, release, p:hold())
  return NF_STOLEN
end

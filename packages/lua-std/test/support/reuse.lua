-- Test-only hooks for segment reuse: what a script sees when it keeps
-- segments from one packet to the next, and what each packet's fresh
-- segments say. Results go to globals the tests read.

-- Keeps the first packet's IP header; on the next packets, uses it once the
-- new packet is being processed, then derives the same segment again.
function keep_ip(p)
  if kept_ip == nil then
    kept_ip = p:data(packet_ip)
    kept_saddr = kept_ip:saddr()
    return NF_ACCEPT
  end
  size = p:get_size()
  kept_ok, kept_error = pcall(function() return kept_ip:saddr() end)
  field_ok, field_error = pcall(function() return kept_saddr:get() end)
  local ip = p:data(packet_ip)
  same_object = rawequal(ip, kept_ip)
  saddr_now = ip:saddr():get()
  return NF_ACCEPT
end

-- Link-layer presentation: keeps the first packet's Ethernet header, a raw
-- segment of it and a byte array of it (after writing dmac through it), and
-- uses them once the next packet is being processed.
function keep_header(p)
  if kept_eth == nil then
    kept_eth = p:data(packet_eth)
    kept_dmac = p:raw(0, 6)
    kept_bytes = kept_dmac:get()
    kept_dmac:set(0xFF)
    return NF_ACCEPT
  end
  size = p:get_size()
  eth_ok, eth_error = pcall(function() return kept_eth:smac():get() end)
  dmac_ok, dmac_error = pcall(function() return kept_dmac:get() end)
  kept_bytes_now = kept_bytes:string()
  dmac_now = p:data(packet_eth):dmac():get()
  return NF_ACCEPT
end

-- Link-layer presentation: writes dmac on every packet, after reading it.
function write_dmac(p)
  local eth = p:data(packet_eth)
  dmac_seen = dmac_seen or {}
  dmac_seen[#dmac_seen + 1] = eth:dmac():get()
  eth:dmac():set("FF:FF:FF:FF:FF:FF")
  return NF_ACCEPT
end

-- What each packet's segments say, in order: IP payload offset, transport
-- buffer, TCP MSS option, UDP port; false where the packet has none.
function describe_packet(p)
  seen = seen or {}
  local ip = p:data(packet_ip)
  local entry = { ip and ip:data():get_offset() or false }
  local tcp = ip and ip:data(packet_tcp)
  local udp = ip and ip:data(packet_udp)
  local options = tcp and tcp:data(packet_tcp_opt)
  local mss = options and options:MSS()
  entry[2] = tcp and "tcp" or udp and "udp" or false
  entry[3] = mss and mss:get() or false
  entry[4] = udp and udp:dport():get() or false
  seen[#seen + 1] = entry
  return NF_ACCEPT
end

-- Holds the first packet (keeping its IP header), reads that header while
-- the next packets pass, and releases the held packet at the third.
function hold_first(p)
  if held == nil then
    held = p:hold()
    held_ip = p:data(packet_ip)
    return NF_STOLEN
  end
  local ip = p:data(packet_ip)
  held_reads = held_reads or {}
  held_reads[#held_reads + 1] = held_ip:saddr():get() .. " " .. ip:saddr():get()
  ip:saddr():set("198.18.0.7")
  if #held_reads == 2 then kmod.release(held, NF_ACCEPT) end
  return NF_ACCEPT
end

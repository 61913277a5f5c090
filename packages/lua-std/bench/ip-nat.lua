-- The SNAT over lua-std without the link-layer presentation (p:data(packet_ip)).
function ip_snat(p)
  local ip = p:data(packet_ip)
  if not ip then return NF_DROP end
  ip:saddr():set("198.18.2.1")
  return XT_CONTINUE
end

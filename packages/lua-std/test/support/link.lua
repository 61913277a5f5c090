-- Test-only hook: what a script sees with the link-layer presentation on.
function link_probe(p)
  local eth = p:data(packet_eth)
  eth:dmac():set("FF:FF:FF:FF:FF:FF")
  local across = p:raw(12, 4)
  link_seen = { p:get_size(), eth:dmac():get(), eth:smac():get(), eth:type():get(), across:get():string(),
    #p:get(), p:data(packet_ip), eth:data(packet_ip):get_offset() }
  return NF_ACCEPT
end

-- The presented header's EtherType and the frame's size.
function link_type(p)
  link_type_seen = { p:data(packet_eth):type():get(), p:get_size() }
  return NF_ACCEPT
end

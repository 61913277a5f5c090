-- Test-only callbacks for nf.schedule: they log what they received, in the
-- process context.
function deferred_plain(id, data)
  kmod.log(string.format("deferred_plain id=%d interrupt=%s data=%s", id, tostring(IS_INTERRUPT), tostring(data)))
end

function deferred_ip(id, ip)
  kmod.log(string.format("deferred_ip id=%d interrupt=%s %s saddr=%s dport=%d", id, tostring(IS_INTERRUPT),
    tostring(ip), ip:saddr():get(), ip:data(packet_udp):dport():get()))
end

-- A hook that defers the packet it sees (thesis §3.7.1).
function defer_packet(p)
  nf.schedule(nil, "deferred_ip", 7, 50, p:data(packet_ip), packet_ip)
  return NF_ACCEPT
end

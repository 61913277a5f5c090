function process_packet(p)
  return NF_ACCEPT
end

function broken(
  local x = 1
end

-- A PacketScript-style script: a global process_packet, no module table.
function process_packet(p)
  if p:u8(9) == 17 then
    return NF_ACCEPT
  end
  return NF_DROP
end

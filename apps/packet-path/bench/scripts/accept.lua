function process_packet(p) return NF_ACCEPT end

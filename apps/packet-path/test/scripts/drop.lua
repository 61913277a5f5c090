function process_packet(p) return NF_DROP end

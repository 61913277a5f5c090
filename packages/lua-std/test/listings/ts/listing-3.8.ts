// Listing 3.8 in TypeScript: a dynamic protocol buffer (VLAN-aware Ethernet).
// Hooks can be functions instead of global names.

function eth_policy(_seg: Bytes, _type: unknown): boolean {
  return true;
}

function eth_precalc(seg: Bytes): LuaMultiReturn<[number[], number[]]> {
  let offset = [0, 0, 0, 0, 0];
  let length = [0, 0, 0, 0, 0];
  // check if frame is vlan tagged according to IEEE 802.1Q
  if (seg[12] === 0x81 && seg[13] === 0x00) {
    // change offset of the type and data fields
    offset = [0, 0, 0, 128, 144];
    // change length of the vlan field
    length = [0, 0, 32, 0, 0];
  }
  return $multi(offset, length);
}

register_dynamic_protbuf({
  name: "packet_eth_dyn",
  payload_field: "data",
  protocol_fields: [
    ["dmac", 0, 48],
    ["smac", 48, 48],
    ["vlan", 96, 0],
    ["type", 96, 16],
    ["data", 112, 0],
  ],
  has_protocol: eth_policy,
  get_field_changes: eth_precalc,
});

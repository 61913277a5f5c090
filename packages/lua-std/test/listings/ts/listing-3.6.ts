// Listing 3.6 in TypeScript: MAC address translation with packet_eth.
import type { EthernetHeader, Field } from "../../../src/index";

declare let eth: EthernetHeader;
declare let smac: Field<string>;
declare let dmac: Field<string>;

export function process_packet(p: Packet): Verdict {
  const frame = p.data(packet_eth);
  if (!frame) return NF_DROP;
  eth = frame;
  smac = eth.smac();
  dmac = eth.dmac();

  if (smac.get() === "01:23:45:67:89:AB") {
    dmac.set("FF:FF:FF:FF:FF:FF");
  }
  return NF_ACCEPT;
}

// Packets the router sends through its own IP output path (kmod.send):
// ERRORs, and a hit's packets when its client's link is not known.

import type { UdpFlow } from "./packet";
import { counters } from "./stats";
import { errorMessage } from "./tftp";

export function sendPacket(packet: ByteSource): void {
  if (!kmod.send(packet)) counters.send_failures++;
}

export function sendError(flow: UdpFlow, code: number, text: string): void {
  counters.errors_sent++;
  sendPacket(flow.datagram(errorMessage(code, text)));
}

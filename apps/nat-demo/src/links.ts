// The lab's two links at a given speed: every veth end shaped alike with
// netlab's limitRate (tc tbf), so both links run at the rate in both
// directions (NetPIPE's blocks go both ways), like the thesis' 100Base-TX.
import { clearRate, limitRate, type Lab, type Role } from "@kcache/netlab";
import type { LinkRate } from "./figures.ts";

/**
 * tbf's bucket: as small as reaches the line rate. A bucket lets a burst pass
 * at the veth's own speed, and NetPIPE's ping-pong refills it between blocks:
 * netlab's default (16 KiB at 100 Mbit/s) shows blocks up to 16 KiB at several
 * hundred Mbit/s. 4 KiB holds two frames and still gives 96 Mbit/s with
 * iperf3. At rates where 1 ms of line rate holds a whole GSO packet (64 KiB
 * and headers) the bucket is that 1 ms: smaller ones make tbf segment every
 * GSO packet, and Linux's NAT then reached only about 600 of 1000 Mbit/s here.
 */
export function bucketBytes(mbit: number): number {
  const oneMs = Math.ceil((mbit * 1e6) / 8 / 1000);
  return oneMs >= 70_000 ? oneMs : 4096;
}

function ends(lab: Lab): [Role, string][] {
  return [["client", lab.ifaces.client], ["router", lab.ifaces.routerClientSide], ["router", lab.ifaces.routerOriginSide], ["origin", lab.ifaces.origin]];
}

/** Shapes both links to `mbit` (0: removes the shaping of a previous call). */
export function setLinkRate(lab: Lab, mbit: LinkRate, previous: LinkRate): void {
  for (const [role, iface] of ends(lab)) {
    if (mbit > 0) limitRate(lab, role, iface, { mbit, burstBytes: bucketBytes(mbit) });
    else if (previous > 0) clearRate(lab, role, iface);
  }
}

// IPv4/UDP packets of one flow (source and destination fixed). The sums of
// the fixed header fields are computed once per flow: a packet then costs
// the sum of its payload and a few additions.
//
// lua-std has udp_packet() (parts with checksums) too; the cache keeps its
// own because it recomputes the header sums and parses the addresses on
// every call, and the hit path sends one packet per block.

const PROTO_UDP = 17;
const TTL = 64;
/** Don't Fragment, as a Linux UDP socket with path MTU discovery sends. */
const FLAGS_DF = 0x4000;
/** IPv4 header (no options) and UDP header. */
export const HEADERS_LENGTH = 28;

/** Sum of an IPv4 address's two 16-bit halves. */
function addressSum(ip: number): number {
  return shr(ip, 16) + (ip & 0xFFFF);
}

/** Folds a one's-complement sum to 16 bits and inverts it (RFC 1071). */
export function checksumOf(sum: number): number {
  let s = sum;
  while (s > 0xFFFF) s = (s & 0xFFFF) + shr(s, 16);
  return ~s & 0xFFFF;
}

/** A UDP checksum: a computed 0 is sent as 0xFFFF, 0 meaning "none" (RFC 768). */
function udpChecksumOf(sum: number): number {
  const check = checksumOf(sum);
  return check === 0 ? 0xFFFF : check;
}

export class UdpFlow {
  readonly src: number;
  readonly dst: number;
  readonly sport: number;
  readonly dport: number;
  /** Sum of the IP header's fixed words (all but total length, id and checksum). */
  readonly ipSum: number;
  /** Sum of the pseudo-header's addresses and protocol, and the ports (RFC 768). */
  readonly udpSum: number;
  /** The IP and UDP headers with lengths, id and checksums 0: what every packet of the flow starts with. */
  readonly headers: string;

  constructor(src: number, dst: number, sport: number, dport: number) {
    this.src = src;
    this.dst = dst;
    this.sport = sport;
    this.dport = dport;
    const addresses = addressSum(src) + addressSum(dst);
    this.ipSum = 0x4500 + FLAGS_DF + ((TTL << 8) | PROTO_UDP) + addresses;
    this.udpSum = addresses + PROTO_UDP + sport + dport;
    this.headers = string.pack(">BBHHHBBHI4I4HHHH", 0x45, 0, 0, 0, FLAGS_DF, TTL, PROTO_UDP, 0, src, dst, sport, dport, 0, 0);
  }

  /** A datagram with a small payload given as a string (OACK, ERROR), IP id 0. */
  datagram(payload: string): string {
    const udpLength = 8 + payload.length;
    const total = 20 + udpLength;
    const sum = kmod.sum16(payload, 0, payload.length, this.udpSum + udpLength + udpLength);
    return string.pack(">BBHHHBBHI4I4HHHH", 0x45, 0, total, 0, FLAGS_DF, TTL, PROTO_UDP, checksumOf(this.ipSum + total),
      this.src, this.dst, this.sport, this.dport, udpLength, udpChecksumOf(sum)) + payload;
  }
}

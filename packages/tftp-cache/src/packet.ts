// IPv4/UDP packets for one flow (source and destination fixed), built as
// parts for kmod.send: an IP header string, a UDP+TFTP header string, and
// the body (a string, or a zero-copy view of the content store). The sums
// of the fixed fields are computed once per flow, so a DATA packet costs two
// string.pack and one kmod.sum16 over its body.
//
// lua-std has udp_packet() (parts with checksums) too; the cache keeps its
// own because it recomputes the header sums and parses the addresses on
// every call, and the hit path sends one packet per block.

const PROTO_UDP = 17;
const TTL = 64;
/** Don't Fragment, as a Linux UDP socket with path MTU discovery sends. */
const FLAGS_DF = 0x4000;

/** Sum of an IPv4 address's two 16-bit halves. */
function addressSum(ip: number): number {
  return shr(ip, 16) + (ip & 0xFFFF);
}

/** Folds a one's-complement sum to 16 bits and inverts it. */
function finish(sum: number): number {
  let s = sum;
  while (s > 0xFFFF) s = (s & 0xFFFF) + shr(s, 16);
  return ~s & 0xFFFF;
}

export class UdpFlow {
  readonly src: number;
  readonly dst: number;
  readonly sport: number;
  readonly dport: number;
  /** Sum of the IP header's fixed words (all but total length and checksum). */
  private readonly ipSum: number;
  /** Sum of the pseudo-header's addresses and protocol, and the ports. */
  private readonly udpSum: number;

  constructor(src: number, dst: number, sport: number, dport: number) {
    this.src = src;
    this.dst = dst;
    this.sport = sport;
    this.dport = dport;
    const addresses = addressSum(src) + addressSum(dst);
    this.ipSum = 0x4500 + FLAGS_DF + ((TTL << 8) | PROTO_UDP) + addresses;
    this.udpSum = addresses + PROTO_UDP + sport + dport;
  }

  private ipHeader(udpLength: number): string {
    const total = 20 + udpLength;
    return string.pack(">BBHHHBBHI4I4", 0x45, 0, total, 0, FLAGS_DF, TTL, PROTO_UDP, finish(this.ipSum + total), this.src, this.dst);
  }

  private udpCheck(sum: number): number {
    const check = finish(sum);
    return check === 0 ? 0xFFFF : check;
  }

  /** A DATA message (RFC 1350): header built here, `body` (length `bodyLength`) gathered by kmod.send. */
  data(block: number, body: ByteSource | undefined, bodyLength: number): ByteSource[] {
    const udpLength = 12 + bodyLength;
    const wireBlock = block & 0xFFFF;
    let sum = this.udpSum + udpLength + udpLength + 3 + wireBlock;
    if (body !== undefined && bodyLength > 0) sum = kmod.sum16(body, 0, bodyLength, sum);
    const header = string.pack(">HHHHHH", this.sport, this.dport, udpLength, this.udpCheck(sum), 3, wireBlock);
    return body !== undefined && bodyLength > 0 ? [this.ipHeader(udpLength), header, body] : [this.ipHeader(udpLength), header];
  }

  /** A datagram with a small payload given as a string (OACK, ERROR). */
  datagram(payload: string): ByteSource[] {
    const udpLength = 8 + payload.length;
    const sum = kmod.sum16(payload, 0, payload.length, this.udpSum + udpLength + udpLength);
    return [this.ipHeader(udpLength), string.pack(">HHHH", this.sport, this.dport, udpLength, this.udpCheck(sum)) + payload];
  }
}

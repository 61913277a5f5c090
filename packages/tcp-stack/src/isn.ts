// Initial sequence numbers, RFC 6528 §3: ISN = M + F(localip, localport,
// remoteip, remoteport, secretkey), M a 4 µs clock and F SipHash-2-4 (as
// Linux uses) keyed with 128 random bits. Lua integers are 64-bit and wrap,
// so SipHash runs on them directly.

function rotl(x: number, b: number): number {
  return shl(x, b) | shr(x, 64 - b);
}

/** SipHash-2-4 of the 16-byte message (m0, m1) with key (k0, k1), 64-bit lanes. */
export function siphash24(k0: number, k1: number, m0: number, m1: number): number {
  // "somepseudorandomlygeneratedbytes", built from 32-bit halves (a JS number cannot hold them).
  let v0 = shl(0x736f6d65, 32) | 0x70736575;
  let v1 = shl(0x646f7261, 32) | 0x6e646f6d;
  let v2 = shl(0x6c796765, 32) | 0x6e657261;
  let v3 = shl(0x74656462, 32) | 0x79746573;
  v0 = v0 ^ k0;
  v1 = v1 ^ k1;
  v2 = v2 ^ k0;
  v3 = v3 ^ k1;
  const round = (): void => {
    v0 = v0 + v1; v1 = rotl(v1, 13); v1 = v1 ^ v0; v0 = rotl(v0, 32);
    v2 = v2 + v3; v3 = rotl(v3, 16); v3 = v3 ^ v2;
    v0 = v0 + v3; v3 = rotl(v3, 21); v3 = v3 ^ v0;
    v2 = v2 + v1; v1 = rotl(v1, 17); v1 = v1 ^ v2; v2 = rotl(v2, 32);
  };
  const block = (m: number): void => {
    v3 = v3 ^ m;
    round();
    round();
    v0 = v0 ^ m;
  };
  block(m0);
  block(m1);
  // Final block: no tail bytes, the length (16) in the top byte.
  block(shl(16, 56));
  v2 = v2 ^ 0xff;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

/** An RFC 6528 generator with its own secret key. */
export class IsnGenerator {
  constructor(private readonly k0: number, private readonly k1: number) {}

  /** Key from the engine's random source (kmod.random32, deterministic per seed in the sim backend). */
  static fromRandom(random32: () => number): IsnGenerator {
    return new IsnGenerator(shl(random32(), 32) | random32(), shl(random32(), 32) | random32());
  }

  isn(localAddr: number, localPort: number, remoteAddr: number, remotePort: number, nowUs: number): number {
    const f = siphash24(this.k0, this.k1, shl(localAddr, 32) | remoteAddr, shl(localPort, 16) | remotePort);
    return (idiv(nowUs, 4) + f) & 0xffffffff;
  }
}

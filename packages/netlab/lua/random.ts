// Random numbers for netem: 32-bit draws from the engine (kmod.random32,
// deterministic per engine seed in the sim backend) or, once a seed is
// configured, from a generator of our own so that a run repeats on any
// backend. Integer-only, like everything shipped.

const MASK32 = 0xffffffff;

let seeded = false;
let weyl = 0;

/** From now on, draw from our own generator started at `seed` (any integer; its low 32 bits count). */
export function seedRandom(seed: number): void {
  seeded = true;
  weyl = seed & MASK32;
}

/** From now on, draw from the engine (kmod.random32). */
export function useEngineRandom(): void {
  seeded = false;
}

/**
 * 32 random bits. The seeded generator hashes a Weyl sequence (step: the
 * golden ratio in 32 bits) with Chris Wellons' lowbias32 finalizer: period
 * 2^32, every bit well mixed. Products stay below 2^63 (32 x 31 bits).
 */
export function random32(): number {
  if (!seeded) return kmod.random32() & MASK32;
  weyl = (weyl + 0x9e3779b9) & MASK32;
  let x = weyl;
  x = x ^ (x >>> 16);
  x = (x * 0x7feb352d) & MASK32;
  x = x ^ (x >>> 15);
  x = (x * 0x846ca68b) & MASK32;
  x = x ^ (x >>> 16);
  return x;
}

/**
 * A uniform integer in [0, n), 1 <= n <= 2^31, without modulo bias
 * (Lemire's multiply-and-reject: the high 32 bits of random32() * n, with
 * the rare low parts below 2^32 mod n redrawn).
 */
export function below(n: number): number {
  let product = random32() * n;
  let low = product & MASK32;
  if (low < n) {
    const threshold = (0x100000000 - n) % n;
    while (low < threshold) {
      product = random32() * n;
      low = product & MASK32;
    }
  }
  return shr(product, 32);
}

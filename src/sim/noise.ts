/**
 * Deterministic randomness for the simulated fleet. Every value is a pure function of its
 * inputs (seed, series, sample index), so the fleet can be asked about any instant, in any
 * order, and always answers the same: history can be backfilled and re-read identically.
 */

/** FNV-1a hash of a string to an unsigned 32-bit integer. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes integers into one well-scrambled unsigned 32-bit integer (murmur3 finalizer per part). */
export function hashInts(...parts: number[]): number {
  let h = HASH_START;
  for (const p of parts) h = mixPart(h, p);
  return finish(h);
}

const HASH_START = 0x9e3779b9;

function mixPart(h: number, p: number): number {
  let k = Math.imul(p | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/*
 * Fixed-arity forms of uniform/normal/poisson for the fleet's per-sample path (seed, series, slot):
 * the same values as the variadic forms, without an arguments array per call (the fleet draws
 * millions of samples; those arrays were most of its garbage).
 */

/** `uniform(a, b, c, d)` without the rest array; `d` undefined means `uniform(a, b, c)`. */
function uniformOf(a: number, b: number, c: number, d?: number): number {
  let h = mixPart(mixPart(mixPart(HASH_START, a), b), c);
  if (d !== undefined) h = mixPart(h, d);
  return (finish(h) + 0.5) / 4294967296;
}

/** Same value as `normal(a, b, c)`. */
export function normal3(a: number, b: number, c: number): number {
  const u1 = uniformOf(a, b, c, 1);
  const u2 = uniformOf(a, b, c, 2);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Same value as `poisson(lambda, a, b, c)`. */
export function poisson3(lambda: number, a: number, b: number, c: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal3(a, b, c)));
  return poissonInverse(lambda, uniformOf(a, b, c));
}

function poissonInverse(lambda: number, u: number): number {
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  while (u > cdf && k < 1000) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

/** Uniform in (0, 1), never exactly 0 or 1 (safe for logarithms). */
export function uniform(...parts: number[]): number {
  return (hashInts(...parts) + 0.5) / 4294967296;
}

/** Standard normal via Box-Muller over two independent uniforms. */
export function normal(...parts: number[]): number {
  const u1 = uniform(...parts, 1);
  const u2 = uniform(...parts, 2);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A Poisson count with mean `lambda`. Inversion for small means (exact, and low-traffic series
 * are where discreteness matters); a rounded normal approximation above 30 (cheap and accurate there).
 */
export function poisson(lambda: number, ...parts: number[]): number {
  if (!(lambda > 0)) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(...parts)));
  return poissonInverse(lambda, uniform(...parts));
}

/** A seeded uniform generator on [0, 1) (mulberry32): one deterministic stream per seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

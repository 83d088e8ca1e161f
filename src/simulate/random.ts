/**
 * Small seeded randomness for replays: the same seed gives the same raid, on every machine.
 * mulberry32 is a 32-bit generator with a good enough spread for traffic shapes (not for secrets).
 */

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32 (Tommy Ettinger): one 32-bit state, full period 2^32. */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** 32-bit FNV-1a of a text, finished with a murmur3 mix so near-identical labels land far apart. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * An independent stream per purpose ("raider", "bot"…): changing how many ordinary callers a
 * scenario has does not reshuffle the timing and texts of its raid.
 */
export function stream(seed: number, label: string): Rng {
  return mulberry32(hash32(`${seed}:${label}`));
}

/** Uniform number in [min, max). */
export function uniform(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng();
}

/** Uniform integer in [min, max], both included. */
export function integer(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** True with probability p. */
export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

/** One element of a non-empty list. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(rng() * items.length)]!;
}

/** A key drawn with probability proportional to its weight (weights ≥ 0, at least one > 0). */
export function weighted<K extends string>(rng: Rng, weights: Readonly<Record<K, number>>): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let x = rng() * total;
  for (const [key, w] of entries) {
    if (w <= 0) continue;
    if (x < w) return key;
    x -= w;
  }
  // Rounding can leave x a hair above the last weight: return the last key that has one.
  return entries.findLast(([, w]) => w > 0)![0];
}

/** Standard normal (Box–Muller; the sine half is dropped to keep the generator stateless). */
export function normal(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: log stays finite
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Lognormal with the given median (e^mu) and sigma: most values small, a few very large. */
export function lognormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rng));
}

/** Pareto (type I) with scale `min` and shape `alpha`: P(X > x) = (min / x)^alpha. */
export function pareto(rng: Rng, min: number, alpha: number): number {
  return min / Math.pow(1 - rng(), 1 / alpha);
}

/** Deterministic test data that does not depend on the library's RNG (nor on Math.random). */

/** Uniform values in [lo, hi) from a small LCG. */
export function random(size: number, seed: number, lo = -1, hi = 1): Float32Array {
  const x = new Float32Array(size);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = lo + (s / 2 ** 32) * (hi - lo);
  }
  return x;
}

/** Whole numbers in [lo, hi] (many ties), as float32. */
export function randomInts(size: number, seed: number, lo: number, hi: number): Float32Array {
  return random(size, seed, lo, hi + 1).map(Math.floor);
}

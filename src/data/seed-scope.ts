/**
 * Seeded randomness for data pipelines without a second generator.
 *
 * A seeded DataLoader must give the same shuffles and augmentations whatever else the
 * program draws, and must not shift the global stream that weight init and dropout use.
 * Rather than keep a private generator (and a second copy of xoshiro), it borrows the
 * global one: save its state, reseed it from (seed, epoch, batch), draw, restore. Every
 * draw is then a pure function of those numbers, which also makes a loader resumable
 * from nothing more than its epoch and batch counters.
 */
import { getRngState, manualSeed, setRngState } from '../tensor/random.ts';

/** A 32-bit seed mixed from several integers (murmur3-style finalizer per part). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    let k = Math.imul(p | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h = Math.imul(h ^ Math.imul(k, 0x1b873593), 5) + 0xe6546b64;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/**
 * Runs `fn` with the global generator seeded by `seed`, then puts the global state back
 * exactly as it was (even if `fn` throws). With `seed === undefined` it just runs `fn`
 * on the global stream, so unseeded loaders follow `manualSeed` like everything else.
 */
export function withSeed<T>(seed: number | undefined, fn: () => T): T {
  if (seed === undefined) return fn();
  const saved = getRngState();
  manualSeed(seed);
  try {
    return fn();
  } finally {
    setRngState(saved);
  }
}

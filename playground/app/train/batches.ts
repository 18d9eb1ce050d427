/**
 * Mini-batches from MNIST bytes. tg.data.DataLoader wants the whole set as one float
 * tensor (188 MB for MNIST's training images); this makes one batch of floats at a time
 * from the bytes instead, in a shuffled order that the seed fixes, so a link replays the
 * same run.
 */
import type { MnistSplit } from './mnist.ts';

export const PIXELS = 28 * 28;

export interface HostBatch {
  /** [count, 1, 28, 28] pixels scaled to [0, 1], as tg.data.fromIdx scales them. */
  x: Float32Array;
  y: Int32Array;
  count: number;
}

/** Copies samples `order[start..start+count)` of a split into a batch (`order` null: in file order). */
export function makeBatch(split: MnistSplit, order: Int32Array | null, start: number, count: number): HostBatch {
  const x = new Float32Array(count * PIXELS);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const s = order ? order[start + i]! : start + i;
    const base = s * PIXELS;
    for (let p = 0; p < PIXELS; p++) x[i * PIXELS + p] = split.images[base + p]! / 255;
    y[i] = split.labels[s]!;
  }
  return { x, y, count };
}

/** A permutation of 0..n-1 from a seed (Fisher–Yates driven by mulberry32). */
export function shuffledOrder(n: number, seed: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}

/** CPU softmax and log-softmax along an axis, and their backward passes. */
import type { AxisLayout } from '../plan.ts';
import { toHost, type Storage } from '../../tensor/storage.ts';
import { newArrayUnfilled } from '../../tensor/dtype.ts';

/**
 * Softmax over the middle axis of [outer, n, inner]. Subtracting the max first makes the
 * largest exponent exp(0) = 1, so logits of ±1000 give exact answers instead of Inf/NaN.
 */
export function softmax(xs: Storage, { outer, n, inner }: AxisLayout, log: boolean): Float32Array {
  const x = toHost(xs);
  const y = newArrayUnfilled('float32', outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, x[base + j * inner]);
      if (max === -Infinity) max = 0; // an all −∞ row: avoid (−∞) − (−∞) = NaN in the shift
      let sum = 0;
      for (let j = 0; j < n; j++) sum += Math.exp(x[base + j * inner] - max);
      if (log) {
        const logSum = Math.log(sum) + max;
        for (let j = 0; j < n; j++) y[base + j * inner] = x[base + j * inner] - logSum;
      } else {
        for (let j = 0; j < n; j++) y[base + j * inner] = Math.exp(x[base + j * inner] - max) / sum;
      }
    }
  }
  return y;
}

/**
 * softmax:     dx = y ⊙ (dy − Σ dy·y)
 * log-softmax: dx = dy − softmax(x) · Σ dy, with softmax(x) = exp(y)
 */
export function softmaxGrad(ys: Storage, dys: Storage, { outer, n, inner }: AxisLayout, log: boolean): Float32Array {
  const y = toHost(ys), dy = toHost(dys);
  const dx = newArrayUnfilled('float32', outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s = 0;
      if (log) {
        for (let j = 0; j < n; j++) s += dy[base + j * inner];
        for (let j = 0; j < n; j++) {
          const k = base + j * inner;
          dx[k] = dy[k] - Math.exp(y[k]) * s;
        }
      } else {
        for (let j = 0; j < n; j++) s += dy[base + j * inner] * y[base + j * inner];
        for (let j = 0; j < n; j++) {
          const k = base + j * inner;
          dx[k] = y[k] * (dy[k] - s);
        }
      }
    }
  }
  return dx;
}

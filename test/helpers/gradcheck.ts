/**
 * Central finite differences: the independent reference every gradient test compares to.
 * The op's output is reduced to a scalar with fixed random weights (so every output element
 * matters), each input element is nudged by ±h, and the slope is compared with `.grad`.
 */
import { expect } from 'vitest';
import * as tg from '../../src/index.ts';

/** Options for `gradcheck`. */
export interface GradcheckOptions {
  h?: number;
  rtol?: number;
  atol?: number;
}

/** Checks d(sum(f(inputs)·w))/d(input) from backward() against central differences. */
export function gradcheck(f: (...xs: tg.Tensor[]) => tg.Tensor, inputs: tg.Tensor[], opts: GradcheckOptions = {}): void {
  const { h = 1e-2, rtol = 2e-2, atol = 2e-3 } = opts;
  for (const x of inputs) { x.requiresGrad = true; x.grad = null; }
  const out = f(...inputs);
  const w = tg.randn([...out.shape]);
  // float64 scalar: the reduction itself adds no float32 rounding to the reference
  const scalar = (): number => {
    const y = tg.noGrad(() => f(...inputs)).data;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * w.data[i];
    return s;
  };
  out.mul(w).sum().backward();
  for (const [k, x] of inputs.entries()) {
    expect(x.grad, `input ${k} received no gradient`).not.toBeNull();
    expect(x.grad!.shape).toEqual(x.shape);
    const analytic = x.grad!.data;
    for (let i = 0; i < x.size; i++) {
      const orig = x.data[i];
      x.data[i] = orig + h;
      const up = scalar();
      x.data[i] = orig - h;
      const down = scalar();
      x.data[i] = orig;
      const numeric = (up - down) / (2 * h);
      const tol = atol + rtol * Math.abs(numeric);
      if (Math.abs(analytic[i] - numeric) > tol) {
        throw new Error(`gradient mismatch for input ${k} element ${i}: analytic ${analytic[i]}, numeric ${numeric}`);
      }
    }
  }
}

/** Random values in [lo, hi) with the seeded generator. */
export function uniform(shape: number[], lo = -1, hi = 1): tg.Tensor {
  return tg.rand(shape).mul(hi - lo).add(lo);
}

/** Random values whose magnitude stays at least `gap` away from zero (for kinks at 0). */
export function awayFromZero(shape: number[], gap = 0.1): tg.Tensor {
  const t = tg.rand(shape);
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = (d[i] < 0.5 ? -1 : 1) * (gap + d[i]);
  return t;
}

/**
 * Central finite differences: the independent reference every gradient test compares to.
 * The op's output is reduced to a scalar with fixed random weights (so every output element
 * matters), each input element is nudged by ±h, and the slope is compared with `.grad`.
 *
 * Backend-safe: inputs are moved to host memory first (`x.data` downloads a device tensor
 * for good), so a nudge writes memory that every backend reads — the gpu backend uploads a
 * host array each time an op uses it — and values are read back through `.data`.
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
  const { h = 1e-2, rtol = 1e-2, atol = 1e-3 } = opts;
  const hosts = inputs.map((x) => {
    x.requiresGrad = true;
    x.grad = null;
    return x.data as Float32Array;
  });
  const out = f(...inputs);
  expect(out.dtype, 'gradcheck needs a float32 output').toBe('float32');
  const w = tg.randn([...out.shape]);
  const weights = Float64Array.from(w.data);
  // float64 scalar: the reduction itself adds no float32 rounding to the reference
  const scalar = (): number => {
    const y = tg.noGrad(() => f(...inputs)).data;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * weights[i];
    return s;
  };
  out.mul(w).sum().backward();
  for (const [k, x] of inputs.entries()) {
    expect(x.grad, `input ${k} received no gradient`).not.toBeNull();
    expect(x.grad!.shape).toEqual(x.shape);
    expect(x.grad!.dtype).toBe('float32');
    const analytic = x.grad!.data;
    const d = hosts[k];
    for (let i = 0; i < x.size; i++) {
      const orig = d[i];
      // The nudged values as float32 stores them: divide by the step actually taken.
      const hi = Math.fround(orig + h), lo = Math.fround(orig - h);
      d[i] = hi;
      const up = scalar();
      d[i] = lo;
      const down = scalar();
      d[i] = orig;
      const numeric = (up - down) / (hi - lo);
      const tol = atol + rtol * Math.abs(numeric);
      if (!(Math.abs(analytic[i] - numeric) <= tol)) {
        throw new Error(`gradient mismatch for input ${k} ${JSON.stringify(x.shape)} element ${i}: analytic ${analytic[i]}, numeric ${numeric}`);
      }
    }
  }
}

/** Random values in [lo, hi) from the seeded generator, on the host. */
export function uniform(shape: number[], lo = -1, hi = 1): tg.Tensor {
  const t = tg.rand(shape);
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = lo + d[i] * (hi - lo);
  return t;
}

/** Random values whose magnitude stays at least `gap` away from zero (for kinks at 0). */
export function awayFromZero(shape: number[], gap = 0.1): tg.Tensor {
  const t = tg.rand(shape);
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = (d[i] < 0.5 ? -1 : 1) * (gap + d[i]);
  return t;
}

/**
 * Distinct values spaced `step` apart in a scrambled order: no perturbation of ±h < step/2
 * changes which element is the largest or smallest (for max, min, maxPool2d).
 */
export function distinct(shape: number[], step = 0.1, offset = -1): tg.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, (_, i) => offset + i * step);
  for (let i = n - 1; i > 0; i--) { const j = (i * 7 + 3) % (i + 1); [v[i], v[j]] = [v[j], v[i]]; }
  return tg.tensor(v, { shape });
}

/**
 * Random multiples of 0.1 in [−1, 1] that are odd (or even) multiples: an odd and an even
 * tensor differ by at least 0.1 wherever they meet, so comparing them (maximum, minimum) never
 * ties, yet either may win at any position.
 */
export function onGrid(shape: number[], odd: boolean): tg.Tensor {
  const t = tg.rand(shape);
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = (2 * Math.floor(d[i] * 10) - 10 + (odd ? 1 : 0)) / 10;
  return t;
}

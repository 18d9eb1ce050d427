/**
 * Comparing computed values with a reference: elementwise within `atol + rtol·|expected|`
 * (or a per-element bound), NaN only where NaN is expected, infinities exactly. Reports the
 * first offending element by its index.
 */
import { expect } from 'vitest';

export interface Tolerance {
  rtol?: number;
  atol?: number;
  /** A per-element allowance added to atol (e.g. an error bound for a sum of products). */
  bound?: ArrayLike<number>;
}

export function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, tol: Tolerance = {}): void {
  const { rtol = 1e-6, atol = 1e-7, bound } = tol;
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const x = actual[i], y = expected[i];
    if (Number.isNaN(y) || !Number.isFinite(y)) {
      if (!(x === y || (Number.isNaN(x) && Number.isNaN(y)))) expect.fail(`${label}: element ${i} is ${x}, expected ${y}`);
      continue;
    }
    const t = atol + rtol * Math.abs(y) + (bound ? bound[i] : 0);
    if (!(Math.abs(x - y) <= t)) expect.fail(`${label}: element ${i} is ${x}, expected ${y} (tolerance ${t.toExponential(2)})`);
  }
}

/** Exactly the float32 roundings of `expected` (what one correctly rounded float32 operation gives). */
export function expectFloat32(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expectNear(actual, Array.from(expected, Math.fround), label, { rtol: 0, atol: 0 });
}

/** The float32 error bound of a sum of n products with absolute terms summing to `absSum`. */
export function productBound(absSum: ArrayLike<number>, n: number): number[] {
  const g = (n + 2) * 2 ** -24;
  return Array.from(absSum, (v) => g * v);
}

/**
 * A tensor's values as a plain array for `toEqual` (NaN and ±∞ kept). −0 becomes 0: the sign
 * of a zero is not part of any op's contract here, and toEqual would tell them apart.
 */
export function values(t: { data: ArrayLike<number> }): number[] {
  return Array.from(t.data, (v) => (v === 0 ? 0 : v));
}

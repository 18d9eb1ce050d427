/**
 * Shared test plumbing for the optimizer tests: deterministic gradient sequences, a driver
 * that feeds them to an optimizer and records the parameters, and a float64 driver for the
 * references. The update rules themselves are written out in each test file, from the
 * published formulas, independently of src/.
 */
import { expect } from 'vitest';
import { Tensor, tensor } from '../../src/index.ts';

/** Per step, per parameter: a gradient, or null when that parameter gets none that step. */
export type GradPlan = (number[] | null)[][];

/**
 * Pseudo-random gradients in [-2, 2] from a small LCG (not the library's RNG), rounded to
 * float32 so the optimizer and the float64 reference start from exactly the same numbers.
 */
export function gradPlan(seed: number, steps: number, sizes: number[], skip: [step: number, param: number][] = []): GradPlan {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround((s / 2 ** 32) * 4 - 2);
  };
  const plan: GradPlan = [];
  for (let t = 0; t < steps; t++) {
    plan.push(sizes.map((n, p) => (skip.some(([st, pp]) => st === t && pp === p) ? null : Array.from({ length: n }, next))));
  }
  return plan;
}

/** Float32-rounded starting values for parameters of the given sizes. */
export function initValues(sizes: number[]): number[][] {
  return sizes.map((n, p) => Array.from({ length: n }, (_, i) => Math.fround(0.5 - 0.3 * i + 0.7 * p)));
}

interface Steppable {
  step(): void;
  zeroGrad(): void;
}

/** Runs an optimizer over the plan; returns every parameter's values after each step. */
export function runOptimizer(make: (params: Tensor[]) => Steppable, init: number[][], plan: GradPlan): number[][][] {
  const params = init.map((v) => tensor(v, { requiresGrad: true }));
  const opt = make(params);
  const trace: number[][][] = [];
  for (const grads of plan) {
    opt.zeroGrad();
    grads.forEach((g, i) => {
      if (g) params[i].grad = tensor(g);
    });
    opt.step();
    trace.push(params.map((p) => Array.from(p.data)));
  }
  return trace;
}

/**
 * The float64 reference driver: keeps one state per parameter (made on its first gradient,
 * as the optimizers do), skips parameters without a gradient, and calls `update` — the
 * published rule, written in the test — for each of the others.
 */
export function runReference<S>(
  init: number[][], plan: GradPlan, makeState: (n: number, param: number) => S,
  update: (theta: number[], g: number[], state: S, param: number) => void,
): number[][][] {
  const theta = init.map((v) => [...v]);
  const states: (S | undefined)[] = init.map(() => undefined);
  const trace: number[][][] = [];
  for (const grads of plan) {
    grads.forEach((g, p) => {
      if (!g) return;
      states[p] ??= makeState(theta[p].length, p);
      update(theta[p], g, states[p]!, p);
    });
    trace.push(theta.map((v) => [...v]));
  }
  return trace;
}

/** Every value of two traces agrees to within float32 rounding accumulated over a few steps. */
export function expectTracesClose(actual: number[][][], expected: number[][][], rtol = 2e-5, atol = 2e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((step, t) => step.forEach((param, p) => param.forEach((v, i) => {
    const e = expected[t][p][i];
    if (!(Math.abs(v - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`step ${t + 1}, param ${p}, element ${i}: got ${v}, reference ${e}`);
    }
  })));
}

/** Runs `fn`, expecting a RangeError whose message contains every fragment. */
export function expectRangeError(fn: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(RangeError);
  for (const f of fragments) expect((caught as Error).message).toContain(f);
}

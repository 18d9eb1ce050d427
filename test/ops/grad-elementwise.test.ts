/** Arithmetic and elementwise math: every backward against central finite differences, broadcasting included. */
import { beforeEach, describe, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { awayFromZero, gradcheck, onGrid, uniform } from '../helpers/gradcheck.ts';
import { forEachBackend } from '../helpers/backends.ts';

const { ops } = tg;

beforeEach(() => tg.manualSeed(42));

/** Operand shapes that broadcast every way: equal, a row, a middle axis, new leading axes, a scalar [], an outer product. */
const PAIRS: [number[], number[]][] = [
  [[2, 3], [2, 3]],
  [[2, 3], [3]],
  [[2, 1, 4], [3, 1]],
  [[4], [2, 3, 1]],
  [[], [2, 2]],
  [[3, 1], [1, 5]],
];

forEachBackend('grad-elementwise.test.ts', () => {
  describe('arithmetic with broadcasting', () => {
    for (const [sa, sb] of PAIRS) {
      it(`add, sub, mul, div, maximum, minimum: ${JSON.stringify(sa)} with ${JSON.stringify(sb)}`, () => {
        gradcheck((a, b) => ops.add(a, b), [uniform(sa), uniform(sb)]);
        gradcheck((a, b) => ops.sub(a, b), [uniform(sa), uniform(sb)]);
        gradcheck((a, b) => ops.mul(a, b), [uniform(sa), uniform(sb)]);
        gradcheck((a, b) => ops.div(a, b), [uniform(sa), uniform(sb, 0.5, 2)], { h: 1e-3 });
        // Operands at least 0.1 apart never tie: the kink stays out of reach of the ±h nudges.
        gradcheck((a, b) => tg.maximum(a, b), [onGrid(sa, true), onGrid(sb, false)]);
        gradcheck((a, b) => tg.minimum(a, b), [onGrid(sa, false), onGrid(sb, true)]);
      });
    }

    it('numbers on either side', () => {
      gradcheck((a) => ops.add(3, ops.sub(a, 1.5)).mul(-2).div(4), [uniform([3, 4])]);
      gradcheck((a) => ops.sub(2, ops.div(1, a)), [uniform([3, 4], 0.5, 2)], { h: 1e-3 });
      gradcheck((a) => ops.mul(0.5, tg.maximum(a, 0.2)), [onGrid([3, 4], true)]);
    });

    it('clone and cast to float32 pass the gradient through', () => {
      gradcheck((a) => ops.clone(a).mul(a), [uniform([2, 3])]);
      gradcheck((a) => a.cast('float32').mul(tg.tensor([1, 2, 3], { dtype: 'int32' })), [uniform([2, 3])]);
    });

    it('neg and pow with number exponents (whole, negative, fractional, 0 and 1)', () => {
      gradcheck((a) => a.neg(), [uniform([5])]);
      for (const p of [2, 3, 1, 0]) gradcheck((a) => a.pow(p), [uniform([2, 3])]);
      for (const p of [0.5, -1.5, 2.5]) gradcheck((a) => a.pow(p), [uniform([2, 3], 0.5, 2)], { h: 1e-3 });
    });

    it('pow with tensor exponents, broadcast, differentiated in base and exponent', () => {
      gradcheck((x, p) => ops.pow(x, p), [uniform([2, 3], 0.5, 2), uniform([3], -1.5, 2)], { h: 1e-3 });
      gradcheck((x, p) => ops.pow(x, p), [uniform([3, 1], 0.5, 2), uniform([1, 4], -1, 1)], { h: 1e-3 });
      gradcheck((p) => ops.pow(2, p), [uniform([4], -2, 2)], { h: 1e-3 });
    });
  });

  describe('elementwise math', () => {
    it('exp, log, log1p, sqrt, abs, sin, cos, erf', () => {
      gradcheck((a) => a.exp(), [uniform([3, 4])]);
      gradcheck((a) => a.log(), [uniform([3, 4], 0.5, 3)], { h: 1e-3 });
      gradcheck((a) => ops.log1p(a), [uniform([3, 4], -0.5, 3)], { h: 1e-3 });
      gradcheck((a) => a.sqrt(), [uniform([3, 4], 0.5, 3)], { h: 1e-3 });
      gradcheck((a) => a.abs(), [awayFromZero([3, 4])]);
      gradcheck((a) => a.sin(), [uniform([3, 4], -4, 4)]);
      gradcheck((a) => a.cos(), [uniform([3, 4], -4, 4)]);
      gradcheck((a) => ops.erf(a), [uniform([3, 4], -2.5, 2.5)]);
    });

    it('clamp with both bounds, either bound alone, away from the bounds', () => {
      // Values at least 0.1 from each bound: ±0.5 with a gap around them.
      const x = () => tg.tensor([-1.2, -0.8, -0.3, -0.1, 0.2, 0.35, 0.7, 1.4, -0.65, 0.05, 0.9, -2]);
      gradcheck((a) => a.clamp(-0.5, 0.5), [x()]);
      gradcheck((a) => a.clamp(-0.5), [x()]);
      gradcheck((a) => a.clamp(undefined, 0.5), [x()]);
      gradcheck((a) => a.clamp(null, 0.5), [x()]);
    });
  });

  describe('selection', () => {
    it('where: both branches broadcast against the condition; the branch not taken gets exactly 0', () => {
      const cond = tg.tensor([[true, false, true], [false, false, true]]);
      gradcheck((a, b) => tg.where(cond, a, b), [uniform([2, 3]), uniform([2, 3])]);
      gradcheck((a, b) => tg.where(cond, a, b), [uniform([3]), uniform([2, 1])]);
      gradcheck((a) => tg.where(tg.tensor([true, false]).reshape([2, 1]), a, 0.5), [uniform([2, 3])]);
      gradcheck((b) => tg.where(cond, 1, b), [uniform([])]);
    });

    it('maskedFill, with a mask broadcast over rows', () => {
      gradcheck((a) => a.maskedFill(tg.tensor([[true, false, false], [false, true, false]]), -1), [uniform([2, 3])]);
      gradcheck((a) => a.maskedFill(tg.tensor([false, true, false]), 2), [uniform([4, 3])]);
    });
  });
});

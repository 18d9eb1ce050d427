/** Reductions: every backward against central finite differences, over all elements, single and several axes, with keepDim. */
import { beforeEach, describe, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { distinct, gradcheck, uniform } from '../helpers/gradcheck.ts';
import { forEachBackend } from '../helpers/backends.ts';

const { ops } = tg;

beforeEach(() => tg.manualSeed(11));

const AXES = [undefined, 0, 1, -1, [0, 2]] as const;

forEachBackend('grad-reduce.test.ts', () => {
  describe('sums and averages', () => {
    it('sum and mean over everything, one axis, several axes, keepDim', () => {
      for (const axis of AXES) {
        for (const keepDim of [false, true]) {
          gradcheck((a) => a.sum(axis, keepDim), [uniform([2, 3, 4])]);
          gradcheck((a) => a.mean(axis, keepDim), [uniform([2, 3, 4])]);
        }
      }
    });

    it('var and std, unbiased and not, over everything and over axes', () => {
      for (const axis of AXES) {
        gradcheck((a) => a.var(axis), [uniform([2, 3, 4])]);
        gradcheck((a) => a.std(axis, true, false), [uniform([2, 3, 4])]);
      }
      gradcheck((a) => a.var(1, false, false), [uniform([3, 5])]);
      gradcheck((a) => a.std(), [uniform([7])]);
    });

    it('logsumexp over everything, one axis, several axes, keepDim, and for large logits', () => {
      for (const axis of AXES) gradcheck((a) => a.logsumexp(axis), [uniform([2, 3, 4], -3, 3)]);
      gradcheck((a) => a.logsumexp(1, true), [uniform([3, 4], -3, 3)]);
      // The shift by the max keeps e^(x − m) finite at ±100.
      gradcheck((a) => ops.logsumexp(a, 0), [uniform([5], 95, 100)]);
    });
  });

  describe('extremes', () => {
    it('max and min along every axis and overall, on distinct values', () => {
      for (const axis of [0, 1, 2, -1]) {
        gradcheck((a) => a.max(axis), [distinct([2, 3, 4])], { h: 1e-3 });
        gradcheck((a) => a.min(axis, true), [distinct([2, 3, 4])], { h: 1e-3 });
      }
      gradcheck((a) => a.max(), [distinct([2, 3, 4])], { h: 1e-3 });
      gradcheck((a) => a.min(), [distinct([2, 3, 4])], { h: 1e-3 });
      gradcheck((a) => a.max(0), [distinct([6])], { h: 1e-3 });
    });
  });
});

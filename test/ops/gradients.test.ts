/** Every differentiable op's backward against central finite differences. */
import { beforeEach, describe, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { awayFromZero, gradcheck, uniform } from '../helpers/gradcheck.ts';

beforeEach(() => tg.manualSeed(42));

describe('arithmetic with broadcasting', () => {
  const cases: [number[], number[]][] = [
    [[2, 3], [2, 3]],
    [[2, 3], [3]],
    [[2, 1, 4], [3, 1]],
    [[4], [2, 3, 1]],
    [[], [2, 2]],
    [[3, 1], [1, 5]],
  ];
  for (const [sa, sb] of cases) {
    it(`add/sub/mul/div ${JSON.stringify(sa)} with ${JSON.stringify(sb)}`, () => {
      gradcheck((a, b) => a.add(b), [uniform(sa), uniform(sb)]);
      gradcheck((a, b) => a.sub(b), [uniform(sa), uniform(sb)]);
      gradcheck((a, b) => a.mul(b), [uniform(sa), uniform(sb)]);
      gradcheck((a, b) => a.div(b), [uniform(sa), uniform(sb, 0.5, 2)], { h: 1e-3 });
    });
  }
  it('with numbers', () => {
    gradcheck((a) => a.add(3).sub(1.5).mul(-2).div(4), [uniform([3, 4])]);
  });
  it('neg, pow', () => {
    gradcheck((a) => a.neg(), [uniform([5])]);
    gradcheck((a) => a.pow(2), [uniform([2, 3])]);
    gradcheck((a) => a.pow(3), [uniform([2, 3])]);
    gradcheck((a) => a.pow(0.5), [uniform([2, 3], 0.5, 2)], { h: 1e-3 });
    gradcheck((a) => a.pow(-1.5), [uniform([4], 0.5, 2)], { h: 1e-3 });
  });
});

describe('elementwise math and activations', () => {
  it('exp, log, sqrt, abs', () => {
    gradcheck((a) => a.exp(), [uniform([3, 4])]);
    gradcheck((a) => a.log(), [uniform([3, 4], 0.5, 3)], { h: 1e-3 });
    gradcheck((a) => a.sqrt(), [uniform([3, 4], 0.5, 3)], { h: 1e-3 });
    gradcheck((a) => a.abs(), [awayFromZero([3, 4])]);
  });
  it('relu, sigmoid, tanh', () => {
    gradcheck((a) => a.relu(), [awayFromZero([4, 5])]);
    gradcheck((a) => a.sigmoid(), [uniform([4, 5], -4, 4)]);
    gradcheck((a) => a.tanh(), [uniform([4, 5], -2, 2)]);
  });
  it('softmax and logSoftmax along every axis', () => {
    for (const axis of [0, 1, 2, -1]) {
      gradcheck((a) => a.softmax(axis), [uniform([2, 3, 4], -3, 3)]);
      gradcheck((a) => a.logSoftmax(axis), [uniform([2, 3, 4], -3, 3)]);
    }
  });
});

describe('matmul', () => {
  it('2-D', () => gradcheck((a, b) => a.matmul(b), [uniform([3, 5]), uniform([5, 4])]));
  it('batched 3-D', () => gradcheck((a, b) => a.matmul(b), [uniform([2, 3, 5]), uniform([2, 5, 4])]));
  it('3-D @ 2-D and 2-D @ 3-D', () => {
    gradcheck((a, b) => a.matmul(b), [uniform([2, 3, 5]), uniform([5, 4])]);
    gradcheck((a, b) => a.matmul(b), [uniform([3, 5]), uniform([2, 5, 4])]);
  });
  it('vectors', () => {
    gradcheck((a, b) => a.matmul(b), [uniform([5]), uniform([5, 4])]);
    gradcheck((a, b) => a.matmul(b), [uniform([3, 5]), uniform([5])]);
  });
});

describe('reductions', () => {
  it('sum and mean over everything, one axis, several axes, keepDim', () => {
    for (const axis of [undefined, 0, 1, -1, [0, 2]] as const) {
      for (const keepDim of [false, true]) {
        gradcheck((a) => a.sum(axis, keepDim), [uniform([2, 3, 4])]);
        gradcheck((a) => a.mean(axis, keepDim), [uniform([2, 3, 4])]);
      }
    }
  });
  it('max along an axis and overall (distinct values)', () => {
    // A permutation spaced by 0.1 keeps every perturbation from changing the winner.
    const distinct = () => {
      const t = tg.arange(24).mul(0.1);
      const d = t.data;
      for (let i = d.length - 1; i > 0; i--) { const j = (i * 7 + 3) % (i + 1); [d[i], d[j]] = [d[j], d[i]]; }
      return t.reshape([2, 3, 4]);
    };
    for (const axis of [0, 1, 2]) {
      gradcheck((a) => a.max(axis), [distinct()], { h: 1e-3 });
      gradcheck((a) => a.max(axis, true), [distinct()], { h: 1e-3 });
    }
    gradcheck((a) => a.max(), [distinct()], { h: 1e-3 });
  });
});

describe('shape ops', () => {
  it('reshape, flatten, transpose', () => {
    gradcheck((a) => a.reshape([4, -1]), [uniform([2, 3, 4])]);
    gradcheck((a) => a.flatten(1), [uniform([2, 3, 4])]);
    gradcheck((a) => a.transpose(), [uniform([3, 5])]);
    gradcheck((a) => a.transpose(0, 2), [uniform([2, 3, 4])]);
    gradcheck((a) => a.transpose(1, 2).mul(a.transpose(1, 2)), [uniform([2, 3, 4])]);
  });
});

describe('compositions', () => {
  it('a small MLP with a shared weight (diamond)', () => {
    gradcheck(
      (x, w, b) => x.matmul(w).add(b).tanh().matmul(w.transpose()).logSoftmax(1),
      [uniform([4, 3]), uniform([3, 3]), uniform([3])],
    );
  });
  it('the same tensor on both sides', () => {
    gradcheck((a) => a.mul(a).add(a.exp().mul(a)), [uniform([3, 3])]);
  });
});

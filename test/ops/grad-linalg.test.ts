/** matmul, linear, conv2d, maxPool2d and dropout: every backward against central finite differences. */
import { beforeEach, describe, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { distinct, gradcheck, uniform } from '../helpers/gradcheck.ts';
import { forEachBackend } from '../helpers/backends.ts';

const { ops } = tg;

beforeEach(() => tg.manualSeed(23));

forEachBackend('grad-linalg.test.ts', () => {
  describe('matmul', () => {
    const cases: [number[], number[]][] = [
      [[5], [5]],             // vector · vector: a scalar []
      [[3, 5], [5, 4]],       // 2-D
      [[5], [5, 4]],          // vector · matrix
      [[3, 5], [5]],          // matrix · vector
      [[2, 3, 5], [2, 5, 4]], // batched
      [[2, 3, 5], [5, 4]],    // batch · shared matrix
      [[3, 5], [2, 5, 4]],    // shared matrix · batch
      [[2, 1, 3, 5], [4, 5, 2]], // N-D with broadcast batch dimensions: [2,4]
      [[5], [2, 5, 3]],       // vector · batch
      [[2, 3, 5], [5]],       // batch · vector
    ];
    for (const [sa, sb] of cases) {
      it(`${JSON.stringify(sa)} @ ${JSON.stringify(sb)}`, () => gradcheck((a, b) => a.matmul(b), [uniform(sa), uniform(sb)]));
    }
  });

  describe('layers', () => {
    it('linear with and without bias, with extra leading dimensions', () => {
      gradcheck((x, w, b) => ops.linear(x, w, b), [uniform([4, 3]), uniform([5, 3]), uniform([5])]);
      gradcheck((x, w) => ops.linear(x, w), [uniform([2, 2, 3]), uniform([2, 3])]);
      gradcheck((x, w, b) => ops.linear(x, w, b), [uniform([3]), uniform([2, 3]), uniform([2])]);
    });

    it('conv2d in input, weight and bias: stride, padding, non-square kernels, several images', () => {
      gradcheck((x, w, b) => ops.conv2d(x, w, b), [uniform([2, 2, 4, 4]), uniform([3, 2, 3, 3]), uniform([3])]);
      gradcheck((x, w) => ops.conv2d(x, w, null, { stride: 2, padding: 1 }), [uniform([1, 2, 5, 4]), uniform([2, 2, 3, 2])]);
      gradcheck((x, w, b) => ops.conv2d(x, w, b, { padding: 2 }), [uniform([1, 1, 3, 3]), uniform([2, 1, 2, 2]), uniform([2])]);
    });

    it('maxPool2d, non-overlapping, overlapping and with gaps, on distinct values', () => {
      gradcheck((x) => ops.maxPool2d(x, 2), [distinct([1, 2, 4, 5])], { h: 1e-3 });
      gradcheck((x) => ops.maxPool2d(x, 3, 2), [distinct([2, 1, 5, 5])], { h: 1e-3 });
      gradcheck((x) => ops.maxPool2d(x, 2, 3), [distinct([1, 1, 5, 5])], { h: 1e-3 });
    });

    it('dropout with a fixed seed (the same mask on every evaluation)', () => {
      const seeded = (p: number) => (x: tg.Tensor) => { tg.manualSeed(99); return ops.dropout(x, p); };
      gradcheck(seeded(0.3), [uniform([4, 5])]);
      gradcheck(seeded(0.5), [uniform([2, 3, 2])]);
    });
  });

  describe('compositions', () => {
    it('a small MLP with a shared weight (a diamond in the graph)', () => {
      gradcheck(
        (x, w, b) => x.matmul(w).add(b).tanh().matmul(w.transpose()).logSoftmax(1),
        [uniform([4, 3]), uniform([3, 3]), uniform([3])],
      );
    });

    it('the same tensor on both sides of several ops', () => {
      gradcheck((a) => a.mul(a).add(a.exp().mul(a)).sub(a.matmul(a)), [uniform([3, 3])]);
    });
  });
});

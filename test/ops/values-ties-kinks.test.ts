/** Gradients at ties and kinks, by hand, with PyTorch's rules. */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';

const { ops } = tg;

/** x.grad after backward of sum(f(x)·w) (w defaults to ones). */
function gradOf(values: number[] | number[][], f: (x: tg.Tensor) => tg.Tensor, w?: number[]): unknown {
  const x = tg.tensor(values, { requiresGrad: true });
  const y = f(x);
  (w ? y.mul(tg.tensor(w)).sum() : y.sum()).backward();
  return x.grad!.toArray();
}

forEachBackend('values-ties-kinks.test.ts', () => {
  describe('ties', () => {
    it('max and min over all elements share the gradient equally among the tied extremes', () => {
      const x = tg.tensor([2, 5, 1, 5], { requiresGrad: true });
      x.max().mul(3).backward();
      expect(x.grad!.toArray()).toEqual([0, 1.5, 0, 1.5]);
      expect(gradOf([[1, -2, 0], [-2, -2, 4]], (t) => t.min().reshape([1]))).toEqual([[0, 1 / 3, 0], [1 / 3, 1 / 3, 0]].map((r) => r.map(Math.fround)));
      expect(gradOf([7, 7, 7, 7], (t) => t.max().reshape([1]))).toEqual([0.25, 0.25, 0.25, 0.25]);
    });

    it('max and min along an axis send the gradient to the first extreme element only', () => {
      expect(gradOf([[3, 7, 7], [1, 1, 1]], (t) => t.max(1))).toEqual([[0, 1, 0], [1, 0, 0]]);
      expect(gradOf([[3, 1, 1], [1, 1, 2]], (t) => t.min(0, true), [2, 3, 4])).toEqual([[0, 3, 4], [2, 0, 0]]);
      expect(gradOf([[5, 5], [5, 5]], (t) => t.max(-1))).toEqual([[1, 0], [1, 0]]);
    });

    it('maximum and minimum split the gradient evenly between equal operands', () => {
      const a = tg.tensor([1, 2, 3], { requiresGrad: true }), b = tg.tensor([1, 5, 0], { requiresGrad: true });
      tg.maximum(a, b).mul(tg.tensor([2, 4, 6])).sum().backward();
      expect(a.grad!.toArray()).toEqual([1, 0, 6]);
      expect(b.grad!.toArray()).toEqual([1, 4, 0]);
      const c = tg.tensor([2, 2], { requiresGrad: true });
      tg.minimum(c, 2).sum().backward();
      expect(c.grad!.toArray()).toEqual([0.5, 0.5]);
      // Broadcast ties: the one-element operand collects every half.
      const d = tg.tensor([1, 0, 1], { requiresGrad: true }), e = tg.tensor([1], { requiresGrad: true });
      tg.minimum(d, e).sum().backward();
      expect(d.grad!.toArray()).toEqual([0.5, 1, 0.5]);
      expect(e.grad!.toArray()).toEqual([1]);
    });

    it('argmax and argmin return the first extreme index', () => {
      const x = tg.tensor([[1, 3, 3, 0], [2, 2, -1, -1]]);
      expect(x.argmax(1).toArray()).toEqual([1, 0]);
      expect(x.argmin(1).toArray()).toEqual([3, 2]);
      expect(x.argmax().item()).toBe(1);
      expect(x.argmin(0).toArray()).toEqual([0, 1, 1, 1]);
    });
  });

  describe('kinks, as PyTorch differentiates them', () => {
    it('relu and abs have slope 0 at 0', () => {
      expect(gradOf([0, -1, 2], (t) => t.relu())).toEqual([0, 0, 1]);
      expect(gradOf([0, -1, 2], (t) => t.abs())).toEqual([0, -1, 1]);
    });

    it('leakyRelu takes the negative slope at 0; elu takes alpha·e⁰ = alpha', () => {
      expect(gradOf([0, -2, 3], (t) => t.leakyRelu(0.25))).toEqual([0.25, 0.25, 1]);
      expect(gradOf([0, 3], (t) => t.elu(0.5))).toEqual([0.5, 1]);
      expect(gradOf([0], (t) => t.elu())).toEqual([1]);
    });

    it('clamp passes the gradient at its bounds and blocks it outside; with min > max everything is max', () => {
      expect(gradOf([-2, -1, 0, 1, 2], (t) => t.clamp(-1, 1))).toEqual([0, 1, 1, 1, 0]);
      expect(gradOf([-2, -1, 0], (t) => t.clamp(-1))).toEqual([0, 1, 1]);
      expect(gradOf([0, 1, 2], (t) => t.clamp(undefined, 1))).toEqual([1, 1, 0]);
      const x = tg.tensor([-5, 0, 5], { requiresGrad: true });
      const y = x.clamp(2, 1);
      expect(y.toArray()).toEqual([1, 1, 1]);
      y.sum().backward();
      expect(x.grad!.toArray()).toEqual([0, 0, 0]);
    });

    it('forward values at the kinks', () => {
      const x = tg.tensor([-2, -0.5, 0, 0.5, 2]);
      expect(x.relu().toArray()).toEqual([0, 0, 0, 0.5, 2]);
      expect(x.abs().toArray()).toEqual([2, 0.5, 0, 0.5, 2]);
      expect(x.leakyRelu(0.1).toArray()).toEqual([-0.2, -0.05, 0, 0.5, 2].map(Math.fround));
      const elu = x.elu(2).toArray() as number[];
      [2 * Math.expm1(-2), 2 * Math.expm1(-0.5), 0, 0.5, 2].forEach((v, i) => expect(elu[i]).toBeCloseTo(v, 6));
      expect(x.clamp(-1, 0.5).toArray()).toEqual([-1, -0.5, 0, 0.5, 0.5]);
      expect(ops.sign(x).toArray()).toEqual([-1, -1, 0, 1, 1]);
    });
  });
});

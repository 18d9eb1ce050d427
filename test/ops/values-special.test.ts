/** NaN, ±∞ and empty dimensions, by hand, with PyTorch's answers. */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { expectNear, values } from '../helpers/close.ts';
import { erf64 } from '../helpers/erf.ts';

const { ops } = tg;
const nan = NaN, inf = Infinity;

forEachBackend('values-special.test.ts', () => {
  describe('NaN propagates as in PyTorch', () => {
    it('relu, leakyRelu, elu, sigmoid, tanh, abs, clamp and maximum/minimum of NaN are NaN', () => {
      const x = tg.tensor([nan, 1, -1]);
      for (const [name, y] of [
        ['relu', x.relu()], ['leakyRelu', x.leakyRelu()], ['elu', x.elu()], ['sigmoid', x.sigmoid()],
        ['tanh', x.tanh()], ['abs', x.abs()], ['clamp', x.clamp(0, 0.5)], ['clamp min', x.clamp(0)],
        ['maximum', tg.maximum(x, 0)], ['minimum', tg.minimum(x, 0)], ['softplus', x.softplus()], ['gelu', x.gelu()],
      ] as const) {
        expect(Number.isNaN(values(y)[0]), `${name}(NaN)`).toBe(true);
      }
      expect(values(tg.maximum(tg.tensor([1, nan]), tg.tensor([nan, 1])))).toEqual([nan, nan]);
    });

    it('max, min, argmax and argmin pick the NaN, over all elements and along an axis', () => {
      const x = tg.tensor([[1, nan, 3], [4, 5, 6], [nan, 0, nan]]);
      expect(x.max().item()).toBeNaN();
      expect(x.min().item()).toBeNaN();
      expect(values(x.max(1))).toEqual([nan, 6, nan]);
      expect(values(x.min(0))).toEqual([nan, nan, nan]);
      expect(x.argmax(1).toArray()).toEqual([1, 2, 0]);
      expect(x.argmin(1).toArray()).toEqual([1, 0, 0]);
      expect(x.argmax().item()).toBe(1);
      expect(x.argmin(0).toArray()).toEqual([2, 0, 2]);
    });

    it('sum, mean, softmax and logsumexp of a row with a NaN are NaN; other rows are unaffected', () => {
      const x = tg.tensor([[1, nan], [2, 3]]);
      const s = values(x.sum(1));
      expect(s[0]).toBeNaN();
      expect(s[1]).toBe(5);
      expect(values(x.mean(1))[0]).toBeNaN();
      const p = values(x.softmax(1));
      expect(p.slice(0, 2).every(Number.isNaN)).toBe(true);
      expectNear(p.slice(2), [1 / (1 + Math.E), Math.E / (1 + Math.E)], 'softmax of the clean row');
      expect(values(x.logsumexp(1))[0]).toBeNaN();
    });

    it('comparisons with NaN are false except ne; cast of NaN to bool is true', () => {
      const x = tg.tensor([nan]);
      expect([x.eq(x), x.lt(0), x.le(0), x.gt(0), x.ge(0), x.ne(x)].map((t) => t.item())).toEqual([0, 0, 0, 0, 0, 1]);
      expect(x.cast('bool').item()).toBe(1);
    });
  });

  describe('±∞', () => {
    it('softmax and logSoftmax of logits ±1000 stay finite and exact', () => {
      const x = tg.tensor([[1000, -1000, 0], [1000, 1000, -1000]], { requiresGrad: true });
      expectNear(values(x.softmax(1)), [1, 0, 0, 0.5, 0.5, 0], 'softmax');
      const ls = x.logSoftmax(1);
      expectNear(values(ls), [0, -2000, -1000, -Math.LN2, -Math.LN2, -2000 - Math.LN2], 'logSoftmax', { rtol: 1e-6, atol: 1e-4 });
      // Row 0 picks logSoftmax[0][0]: onehot − softmax = 0; row 1 picks [1][0]: [0.5, −0.5, 0].
      ls.backward(tg.tensor([[1, 0, 0], [1, 0, 0]]));
      expectNear(values(x.grad!), [0, 0, 0, 0.5, -0.5, 0], 'gradient');
    });

    it('softmax gives −∞ logits probability 0; an all −∞ row gives NaN (as PyTorch)', () => {
      const p = values(tg.tensor([[-inf, 0, 0], [-inf, -inf, -inf]]).softmax(1));
      expect(p.slice(0, 3)).toEqual([0, 0.5, 0.5]);
      expect(p.slice(3).every(Number.isNaN)).toBe(true);
    });

    it('logsumexp: all −∞ is −∞, a +∞ gives +∞, ±1000 stay exact, with gradient softmax(x)', () => {
      expect(tg.tensor([-inf, -inf]).logsumexp().item()).toBe(-inf);
      expect(values(tg.tensor([[-inf, -inf], [0, -inf]]).logsumexp(1))).toEqual([-inf, 0]);
      expect(tg.tensor([inf, 1]).logsumexp().item()).toBe(inf);
      const x = tg.tensor([1000, 1000, -1000], { requiresGrad: true });
      const y = x.logsumexp();
      expect(y.item()).toBeCloseTo(1000 + Math.LN2, 3);
      y.backward();
      expectNear(values(x.grad!), [0.5, 0.5, 0], 'gradient');
    });

    it('sigmoid, tanh, softplus, logSigmoid and exp at ±∞ and ±1000 (no overflow to NaN)', () => {
      const x = tg.tensor([-inf, -1000, 1000, inf]);
      expect(values(x.sigmoid())).toEqual([0, 0, 1, 1]);
      expect(values(x.tanh())).toEqual([-1, -1, 1, 1]);
      expect(values(x.softplus())).toEqual([0, 0, 1000, inf]);
      expect(values(x.logSigmoid())).toEqual([-inf, -1000, 0, 0]);
      expect(values(x.exp())).toEqual([0, 0, inf, inf]);
      expect(values(ops.log(tg.tensor([0, inf])))).toEqual([-inf, inf]);
    });
  });

  describe('small arguments keep their digits', () => {
    it('log1p, erf, tanh, sin and softplus are accurate relative to small results', () => {
      const xs = [1e-20, 1e-7, -1e-5, 3e-3, 0.3];
      const x = tg.tensor(xs);
      expectNear(values(ops.log1p(x)), xs.map(Math.log1p), 'log1p', { rtol: 1e-6, atol: 0 });
      expectNear(values(ops.erf(x)), xs.map(erf64), 'erf', { rtol: 1e-6, atol: 0 });
      expectNear(values(x.tanh()), xs.map(Math.tanh), 'tanh', { rtol: 1e-6, atol: 0 });
      expectNear(values(x.sin()), xs.map(Math.sin), 'sin', { rtol: 1e-6, atol: 0 });
      expect(ops.erf(tg.tensor([0])).item()).toBe(0);
      // softplus(−20) = ln(1 + e⁻²⁰) ≈ e⁻²⁰: a small result, not 0.
      expectNear(values(tg.tensor([-20, -30]).softplus()), [Math.log1p(Math.exp(-20)), Math.log1p(Math.exp(-30))], 'softplus', { rtol: 1e-5, atol: 0 });
    });

    it('sign of NaN is NaN, of ±0 is 0', () => {
      const s = values(ops.sign(tg.tensor([NaN, 0, -0, -3, Infinity])));
      expect(s[0]).toBeNaN();
      expect(s.slice(1)).toEqual([0, 0, -1, 1]);
    });
  });

  describe('empty dimensions', () => {
    it('a sum over an empty axis is 0 (int32 0 for ints); the mean of nothing is NaN', () => {
      expect(tg.zeros([2, 0]).sum(1).toArray()).toEqual([0, 0]);
      expect(tg.zeros([0]).sum().item()).toBe(0);
      expect(tg.zeros([0, 3]).sum(0, true).toArray()).toEqual([[0, 0, 0]]);
      expect(tg.zeros([3, 0]).sum(0).shape).toEqual([0]);
      const ints = tg.zeros([0], { dtype: 'int32' }).sum();
      expect([ints.dtype, ints.item()]).toEqual(['int32', 0]);
      expect(tg.zeros([0]).mean().item()).toBeNaN();
    });

    it('max, min, argmax and argmin of nothing are errors', () => {
      expect(() => tg.zeros([0]).max()).toThrow(/max: cannot reduce an empty dimension of \[0\]/);
      expect(() => tg.zeros([2, 0]).min(1)).toThrow(/min: cannot reduce an empty dimension of \[2,0\]/);
      expect(() => tg.zeros([0, 3]).max(1)).toThrow(/empty/);
      expect(() => tg.zeros([0]).argmax()).toThrow(/argmax: empty tensor of shape \[0\]/);
    });

    it('cat with a zero-length part; elementwise ops, matmul and reshapes of empty tensors', () => {
      const a = tg.tensor([[1, 2], [3, 4]]);
      const c = tg.cat([a, tg.zeros([2, 0]), tg.tensor([[5], [6]])], 1);
      expect(c.toArray()).toEqual([[1, 2, 5], [3, 4, 6]]);
      expect(tg.cat([tg.zeros([0, 2]), a], 0).toArray()).toEqual([[1, 2], [3, 4]]);
      const e = tg.zeros([0, 3]).add(tg.ones([3]));
      expect(e.shape).toEqual([0, 3]);
      expect(tg.zeros([2, 0]).matmul(tg.zeros([0, 3])).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
      expect(tg.zeros([0, 4]).matmul(tg.zeros([4, 3])).shape).toEqual([0, 3]);
      expect(tg.zeros([2, 0, 3]).reshape([0, 6]).shape).toEqual([0, 6]);
      expect(tg.zeros([0, 3]).transpose().shape).toEqual([3, 0]);
      expect(tg.zeros([5]).split([2, 0, 3]).map((t) => t.shape)).toEqual([[2], [0], [3]]);
      expect(tg.zeros([0, 2]).softmax(1).shape).toEqual([0, 2]);
    });

    it('gradients flow through empty parts (as zero-size gradients)', () => {
      const a = tg.ones([2, 2], { requiresGrad: true }), z = tg.zeros([2, 0], { requiresGrad: true });
      tg.cat([a, z], 1).mul(3).sum().backward();
      expect(a.grad!.toArray()).toEqual([[3, 3], [3, 3]]);
      expect(z.grad!.shape).toEqual([2, 0]);
    });
  });
});

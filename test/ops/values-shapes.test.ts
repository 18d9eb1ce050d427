/** PyTorch's shape rules and hand-computed forward values for each op family. */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { expectNear, values } from '../helpers/close.ts';
import { erf64 } from '../helpers/erf.ts';

const { ops } = tg;
const shapes = (ts: tg.Tensor[]) => ts.map((t) => t.shape);

forEachBackend('values-shapes.test.ts', () => {
  describe('matmul shapes and values', () => {
    it('1-D·1-D is a scalar []; vectors gain and lose a dimension; batch dimensions broadcast', () => {
      const dot = tg.tensor([1, 2, 3]).matmul(tg.tensor([4, 5, 6]));
      expect(dot.shape).toEqual([]);
      expect(dot.item()).toBe(32);
      const m = tg.tensor([[1, 2], [3, 4], [5, 6]]); // [3,2]
      expect(tg.tensor([1, -1, 2]).matmul(m).toArray()).toEqual([8, 10]);
      expect(m.matmul(tg.tensor([1, -1])).toArray()).toEqual([-1, -1, -1]);
      expect(m.matmul(tg.tensor([[1, 0, 2], [0, 1, 3]])).toArray()).toEqual([[1, 2, 8], [3, 4, 18], [5, 6, 28]]);
      expect(tg.zeros([2, 1, 3, 4]).matmul(tg.zeros([5, 4, 2])).shape).toEqual([2, 5, 3, 2]);
      expect(tg.zeros([3]).matmul(tg.zeros([2, 3, 4])).shape).toEqual([2, 4]);
      expect(tg.zeros([2, 3, 4]).matmul(tg.zeros([4])).shape).toEqual([2, 3]);
      const batch = tg.tensor([[[1, 2]], [[3, 4]]]); // [2,1,2]
      expect(batch.matmul(tg.tensor([[[1], [1]], [[2], [0]]])).toArray()).toEqual([[[3]], [[6]]]);
      // [2,1,2] @ [1,2,2]: the batch dims broadcast to 2, and each product uses the shared matrix.
      expect(batch.matmul(tg.tensor([[[1, 2], [3, 4]]])).toArray()).toEqual([[[7, 10]], [[15, 22]]]);
    });

    it('linear is x·Wᵀ + b', () => {
      const y = ops.linear(tg.tensor([[1, 2]]), tg.tensor([[1, 0], [0, 1], [1, 1]]), tg.tensor([0.5, 0, -1]));
      expect(y.toArray()).toEqual([[1.5, 2, 2]]);
    });
  });

  describe('reductions', () => {
    it('sum, mean, max, min over axes with keepDim', () => {
      const a = tg.tensor([[1, 5, 3], [4, 2, 6]]);
      expect(a.sum().item()).toBe(21);
      expect(a.sum(0).toArray()).toEqual([5, 7, 9]);
      expect(a.sum(1, true).toArray()).toEqual([[9], [12]]);
      expect(a.sum([0, 1], true).toArray()).toEqual([[21]]);
      expect(a.mean(1).toArray()).toEqual([3, 4]);
      expect(a.mean(-2).toArray()).toEqual([2.5, 3.5, 4.5]);
      expect(a.max(1).toArray()).toEqual([5, 6]);
      expect(a.min(0, true).toArray()).toEqual([[1, 2, 3]]);
      expect(a.argmax(1, true).toArray()).toEqual([[1], [2]]);
    });

    it('var and std are unbiased by default (n − 1), population with unbiased false', () => {
      const x = tg.tensor([1, 2, 3, 4]);
      expect(x.var().item()).toBeCloseTo(5 / 3, 6);
      expect(x.var(0, false, false).item()).toBeCloseTo(1.25, 6);
      expect(x.std().item()).toBeCloseTo(Math.sqrt(5 / 3), 6);
      expect(x.std(undefined, false, false).item()).toBeCloseTo(Math.sqrt(1.25), 6);
      const m = tg.tensor([[1, 3], [2, 6]]);
      expectNear(values(m.var(0)), [0.5, 4.5], 'var over rows', { rtol: 1e-6 });
      expectNear(values(m.var(1, true)), [2, 8], 'var over columns', { rtol: 1e-6 });
      expect(m.var(1, true).shape).toEqual([2, 1]);
      // One sample: n − 1 = 0, so the unbiased variance is NaN (0/0), as in PyTorch.
      expect(tg.tensor([3]).var().item()).toBeNaN();
    });

    it('logsumexp against the closed form', () => {
      const x = tg.tensor([[0, Math.log(3)], [1, 1]]);
      expectNear(values(x.logsumexp(1)), [Math.log(4), 1 + Math.LN2], 'rows', { rtol: 1e-6 });
      expect(x.logsumexp().item()).toBeCloseTo(Math.log(4 + 2 * Math.E), 5);
      expect(x.logsumexp(0, true).shape).toEqual([1, 2]);
    });
  });

  describe('shape ops', () => {
    it('split and chunk give PyTorch sizes', () => {
      const x = tg.arange(5);
      expect(shapes(x.split(2))).toEqual([[2], [2], [1]]);
      expect(x.split(2).map((t) => t.toArray())).toEqual([[0, 1], [2, 3], [4]]);
      expect(shapes(x.split([1, 4]))).toEqual([[1], [4]]);
      expect(shapes(x.split(7))).toEqual([[5]]);
      expect(shapes(x.chunk(3))).toEqual([[2], [2], [1]]);
      // ⌈6/4⌉ = 2 per chunk: only three chunks, as in PyTorch.
      expect(shapes(tg.zeros([6, 2]).chunk(4))).toEqual([[2, 2], [2, 2], [2, 2]]);
      expect(shapes(tg.zeros([2, 7]).chunk(2, -1))).toEqual([[2, 4], [2, 3]]);
    });

    it('repeat tiles (extra counts add leading dimensions); expand takes −1 and new leading dimensions', () => {
      const x = tg.tensor([[1, 2, 3], [4, 5, 6]]);
      expect(x.repeat(2, 1).toArray()).toEqual([[1, 2, 3], [4, 5, 6], [1, 2, 3], [4, 5, 6]]);
      expect(tg.tensor([1, 2]).repeat(2, 2).toArray()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
      expect(x.repeat(2, 1, 2).shape).toEqual([2, 2, 6]);
      expect(x.repeat(1, 0).shape).toEqual([2, 0]);
      const c = tg.tensor([[1], [2], [3]]);
      const e = c.expand([2, -1, 4]);
      expect(e.shape).toEqual([2, 3, 4]);
      expect(e.toArray()).toEqual([0, 1].map(() => [1, 2, 3].map((v) => [v, v, v, v])));
      expect(tg.tensor(7).expand([2, 2]).toArray()).toEqual([[7, 7], [7, 7]]);
    });

    it('squeeze and unsqueeze with negative dims; squeeze of a non-1 dim is a no-op', () => {
      const x = tg.zeros([2, 1, 3, 1]);
      expect(x.squeeze().shape).toEqual([2, 3]);
      expect(x.squeeze(-1).shape).toEqual([2, 1, 3]);
      expect(x.squeeze(1).shape).toEqual([2, 3, 1]);
      expect(x.squeeze(0).shape).toEqual([2, 1, 3, 1]);
      const y = tg.zeros([2, 3]);
      expect(y.unsqueeze(-1).shape).toEqual([2, 3, 1]);
      expect(y.unsqueeze(-2).shape).toEqual([2, 1, 3]);
      expect(y.unsqueeze(0).shape).toEqual([1, 2, 3]);
      expect(y.unsqueeze(2).shape).toEqual([2, 3, 1]);
    });

    it('select, narrow, flatten, transpose, permute, with negative indices and dims', () => {
      const x = tg.arange(24).reshape([2, 3, 4]);
      expect(x.select(1, -1).toArray()).toEqual([[8, 9, 10, 11], [20, 21, 22, 23]]);
      expect(x.select(-1, 0).toArray()).toEqual([[0, 4, 8], [12, 16, 20]]);
      expect(x.narrow(2, -2, 2).select(0, 1).toArray()).toEqual([[14, 15], [18, 19], [22, 23]]);
      expect(x.flatten().shape).toEqual([24]);
      expect(x.flatten(1).shape).toEqual([2, 12]);
      expect(x.flatten(0, -2).shape).toEqual([6, 4]);
      expect(tg.tensor(5).flatten().shape).toEqual([1]);
      expect(x.transpose(0, 2).toArray()).toEqual([0, 1, 2, 3].map((k) => [0, 1, 2].map((j) => [0, 1].map((i) => i * 12 + j * 4 + k))));
      expect(x.permute(1, 2, 0).shape).toEqual([3, 4, 2]);
      expect(x.permute(1, 2, 0).select(0, 2).select(0, 3).toArray()).toEqual([11, 23]);
      expect(tg.tensor([1, 2]).transpose().toArray()).toEqual([1, 2]);
    });

    it('cat and stack along negative dims; indexSelect and gather', () => {
      const a = tg.tensor([[1, 2]]), b = tg.tensor([[3, 4]]);
      expect(tg.cat([a, b], -1).toArray()).toEqual([[1, 2, 3, 4]]);
      expect(tg.stack([a, b], -1).toArray()).toEqual([[[1, 3], [2, 4]]]);
      expect(tg.stack([a, b]).shape).toEqual([2, 1, 2]);
      const x = tg.tensor([[1, 2, 3], [4, 5, 6]]);
      expect(x.indexSelect(1, tg.tensor([2, 0, 2], { dtype: 'int32' })).toArray()).toEqual([[3, 1, 3], [6, 4, 6]]);
      expect(x.gather(1, tg.tensor([[0, 0], [2, 1]], { dtype: 'int32' })).toArray()).toEqual([[1, 1], [6, 5]]);
      expect(x.gather(0, tg.tensor([[1, 0, 1]], { dtype: 'int32' })).toArray()).toEqual([[4, 2, 6]]);
    });
  });

  describe('elementwise values', () => {
    it('broadcasting arithmetic and numbers on either side', () => {
      const a = tg.tensor([[1, 2, 3], [4, 5, 6]]);
      expect(a.add(tg.tensor([10, 20, 30])).toArray()).toEqual([[11, 22, 33], [14, 25, 36]]);
      expect(a.mul(tg.tensor([[2], [3]])).toArray()).toEqual([[2, 4, 6], [12, 15, 18]]);
      expect(a.sub(1).div(2).toArray()).toEqual([[0, 0.5, 1], [1.5, 2, 2.5]]);
      expect(ops.sub(10, a).toArray()).toEqual([[9, 8, 7], [6, 5, 4]]);
      expect(ops.div(12, a).toArray()).toEqual([[12, 6, 4], [3, 12 / 5, 2]].map((r) => r.map(Math.fround)));
      expect(tg.tensor([2, 3]).pow(tg.tensor([3, 2])).toArray()).toEqual([8, 9]);
      expect(ops.pow(2, tg.tensor([0, 1, 3])).toArray()).toEqual([1, 2, 8]);
    });

    it('pow at zero and negative bases; where and maskedFill', () => {
      expect(values(tg.tensor([0, -2, -2, 4]).pow(tg.tensor([0, 3, 2, -0.5])))).toEqual([1, -8, 4, 0.5]);
      expect(values(tg.tensor([-8]).pow(1 / 3))[0]).toBeNaN();
      expect(values(tg.tensor([0]).pow(-1))).toEqual([Infinity]);
      const c = tg.tensor([true, false, true]);
      expect(tg.where(c, tg.tensor([1, 2, 3]), -1).toArray()).toEqual([1, -1, 3]);
      expect(tg.tensor([[1, 2], [3, 4]]).maskedFill(tg.tensor([true, false]), 0).toArray()).toEqual([[0, 2], [0, 4]]);
    });

    it('activations against their closed forms', () => {
      const xs = [-3, -1, -0.25, 0, 0.5, 2];
      const x = tg.tensor(xs);
      const check = (name: string, t: tg.Tensor, f: (v: number) => number) => expectNear(values(t), xs.map(f), name, { rtol: 2e-6, atol: 2e-7 });
      const sig = (v: number) => 1 / (1 + Math.exp(-v));
      const phi = (v: number) => 0.5 * (1 + erf64(v / Math.SQRT2));
      check('sigmoid', x.sigmoid(), sig);
      check('silu', x.silu(), (v) => v * sig(v));
      check('softplus', x.softplus(), (v) => Math.log1p(Math.exp(v)));
      check('softplus beta 2', x.softplus(2), (v) => Math.log1p(Math.exp(2 * v)) / 2);
      check('logSigmoid', x.logSigmoid(), (v) => Math.log(sig(v)));
      check('gelu', x.gelu(), (v) => v * phi(v));
      check('gelu tanh', x.gelu({ approximate: 'tanh' }), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
      check('sin', x.sin(), Math.sin);
      check('cos', x.cos(), Math.cos);
      check('erf', ops.erf(x), erf64);
      check('log1p', ops.log1p(tg.tensor(xs).abs()), (v) => Math.log1p(Math.abs(v)));
      const p = x.softmax();
      const z = xs.reduce((s, v) => s + Math.exp(v), 0);
      expectNear(values(p), xs.map((v) => Math.exp(v) / z), 'softmax', { rtol: 2e-6 });
    });
  });
});

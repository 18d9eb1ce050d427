/** Result dtypes, by PyTorch's promotion rules, and the values that come with them. */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';

const { ops } = tg;
const int = (v: number[] | number[][]) => tg.tensor(v, { dtype: 'int32' });
const bool = (v: boolean[]) => tg.tensor(v);

/** [dtype, values] of a tensor, so one expectation checks both. */
const typed = (t: tg.Tensor) => [t.dtype, t.toArray()];

forEachBackend('values-dtypes.test.ts', () => {
  describe('promotion', () => {
    it('comparisons give bool; argmax and argmin give int32', () => {
      const x = tg.tensor([1, 2, 3]);
      for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) expect(x[op](2).dtype, op).toBe('bool');
      expect(typed(x.lt(tg.tensor([3, 2, 1])))).toEqual(['bool', [1, 0, 0]]);
      expect(typed(int([1, 5]).ge(int([1, 6])))).toEqual(['bool', [1, 0]]);
      expect(typed(x.argmax())).toEqual(['int32', 2]);
      expect(typed(x.argmin(0))).toEqual(['int32', 0]);
    });

    it('a JS number keeps an int32 tensor int32 unless it is fractional: int32·2 is int32, int32·0.5 float32', () => {
      expect(typed(int([3, -4]).mul(2))).toEqual(['int32', [6, -8]]);
      expect(typed(int([3, -4]).add(1))).toEqual(['int32', [4, -3]]);
      expect(typed(int([3, -4]).mul(0.5))).toEqual(['float32', [1.5, -2]]);
      expect(typed(int([3, -4]).neg())).toEqual(['int32', [-3, 4]]);
      expect(typed(int([3, -4]).abs())).toEqual(['int32', [3, 4]]);
      expect(typed(int([3, -4]).pow(2))).toEqual(['int32', [9, 16]]);
      expect(typed(tg.maximum(int([3, -4]), 0))).toEqual(['int32', [3, 0]]);
    });

    it('tensor operands promote bool < int32 < float32; two bools add as int32 (a documented difference)', () => {
      expect(typed(int([1, 2]).add(tg.tensor([0.5, 0.25])))).toEqual(['float32', [1.5, 2.25]]);
      expect(typed(int([1, 2]).mul(bool([true, false])))).toEqual(['int32', [1, 0]]);
      expect(typed(bool([true, true]).add(bool([true, false])))).toEqual(['int32', [2, 1]]);
      expect(typed(tg.where(bool([true, false]), int([1, 2]), tg.tensor([0.5, 0.5])))).toEqual(['float32', [1, 0.5]]);
      expect(typed(tg.where(bool([true, false]), int([1, 2]), 0))).toEqual(['int32', [1, 0]]);
      expect(typed(tg.cat([int([1]), tg.tensor([0.5])]))).toEqual(['float32', [1, 0.5]]);
    });

    it('div is true division: int32 / int32 is float32', () => {
      expect(typed(int([7, -7]).div(int([2, 2])))).toEqual(['float32', [3.5, -3.5]]);
      expect(typed(int([1]).div(4))).toEqual(['float32', [0.25]]);
    });

    it('sum of bool or int32 is int32; max keeps the dtype; exp, log, sqrt, sin of int32 are float32', () => {
      expect(typed(bool([true, false, true]).sum())).toEqual(['int32', 2]);
      expect(typed(int([[1, 2], [3, 4]]).sum(0))).toEqual(['int32', [4, 6]]);
      expect(typed(int([1, 5, 2]).max())).toEqual(['int32', 5]);
      expect(int([0]).exp().dtype).toBe('float32');
      expect(int([1]).exp().item()).toBeCloseTo(Math.E, 6);
      for (const op of ['log', 'sqrt', 'sin', 'cos', 'sigmoid', 'tanh'] as const) expect(int([1, 4])[op]().dtype, op).toBe('float32');
    });
  });

  describe('cast', () => {
    it('float → int32 truncates toward zero; int32 → float32 is exact below 2²⁴', () => {
      expect(typed(tg.tensor([-1.7, -0.5, 0.5, 1.7, 2.999]).cast('int32'))).toEqual(['int32', [-1, 0, 0, 1, 2]]);
      expect(typed(int([-3, 2 ** 24]).cast('float32'))).toEqual(['float32', [-3, 2 ** 24]]);
    });

    it('anything → bool is "non-zero" (NaN is true); bool → number is 0/1', () => {
      expect(typed(tg.tensor([0, -0, 2, -0.5, NaN]).cast('bool'))).toEqual(['bool', [0, 0, 1, 1, 1]]);
      expect(typed(int([0, 7, -1]).cast('bool'))).toEqual(['bool', [0, 1, 1]]);
      expect(typed(bool([true, false]).cast('float32'))).toEqual(['float32', [1, 0]]);
      expect(typed(bool([true, false]).cast('int32'))).toEqual(['int32', [1, 0]]);
    });

    it('casting to float32 stays in the graph; to the same dtype returns the tensor itself', () => {
      const x = tg.tensor([1.5, -2], { requiresGrad: true });
      expect(x.cast('float32')).toBe(x);
      const y = int([1, 2]).cast('float32').mul(x);
      y.sum().backward();
      expect(x.grad!.toArray()).toEqual([1, 2]);
    });
  });

  describe('ops that keep their input dtype', () => {
    it('shape and indexing ops keep int32 and bool', () => {
      const i = int([[1, 2, 3], [4, 5, 6]]);
      expect(typed(i.transpose())).toEqual(['int32', [[1, 4], [2, 5], [3, 6]]]);
      expect(typed(i.narrow(1, 1, 2))).toEqual(['int32', [[2, 3], [5, 6]]]);
      expect(typed(i.gather(1, int([[2], [0]])))).toEqual(['int32', [[3], [4]]]);
      expect(typed(i.indexSelect(0, int([1])))).toEqual(['int32', [[4, 5, 6]]]);
      expect(typed(i.repeat(1, 2).select(0, 0))).toEqual(['int32', [1, 2, 3, 1, 2, 3]]);
      expect(typed(bool([true, false]).expand([2, 2]))).toEqual(['bool', [[1, 0], [1, 0]]]);
      expect(typed(tg.stack([bool([true]), bool([false])]))).toEqual(['bool', [[1], [0]]]);
      expect(typed(i.reshape([3, 2]).permute(1, 0))).toEqual(['int32', [[1, 3, 5], [2, 4, 6]]]);
    });

    it('maskedFill keeps the dtype of x', () => {
      expect(typed(int([1, 2, 3]).maskedFill(bool([false, true, false]), -1))).toEqual(['int32', [1, -1, 3]]);
      expect(typed(ops.logicalNot(bool([true, false])))).toEqual(['bool', [0, 1]]);
    });
  });
});

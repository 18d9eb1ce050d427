/** Bad input is refused with messages that name the op and the shapes or values at fault. */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';

describe('errors', () => {
  it('shape mismatches', () => {
    expect(() => tg.ones([2, 3]).matmul(tg.ones([4, 5]))).toThrow('matmul: inner dimensions differ: [2,3] @ [4,5]');
    expect(() => tg.ones([2, 3, 4]).matmul(tg.ones([3, 4, 5]))).toThrow('matmul: batch sizes differ and do not broadcast: [2,3,4] @ [3,4,5]');
    expect(() => tg.ones([2, 3]).add(tg.ones([4]))).toThrow('add: shapes [2,3] and [4] cannot be broadcast together');
    expect(() => tg.ones([2, 3]).mul(tg.ones([3, 2]))).toThrow(tg.ShapeError);
    expect(() => tg.ones([2, 3]).reshape([4, 2])).toThrow('reshape: cannot reshape [2,3] (6 elements) to [4,2]');
    expect(() => tg.ones([2, 3]).reshape([-1, -1])).toThrow(/only one dimension can be -1/);
    expect(() => tg.ones([2, 3]).item()).toThrow('item: only a one-element tensor converts to a number, got shape [2,3]');
  });
  it('bad axes', () => {
    expect(() => tg.ones([2, 3]).sum(2)).toThrow('sum: axis 2 is out of range for a tensor with 2 dimension(s)');
    expect(() => tg.ones([2, 3]).softmax(-3)).toThrow(tg.AxisError);
    expect(() => tg.ones([2, 3]).max(5)).toThrow(/max: axis 5/);
    expect(() => tg.ones([2, 3]).transpose(0, 3)).toThrow(/transpose: axis 3/);
    expect(() => tg.ones([2, 3]).sum([1, 1])).toThrow(/repeated axis/);
  });
  it('bad values', () => {
    expect(() => tg.ones([2]).add('x' as unknown as number)).toThrow(/add: expected a Tensor or a number/);
    expect(() => tg.arange(0, 5, 0)).toThrow(/arange: step must be a finite non-zero number/);
    expect(() => tg.manualSeed(NaN)).toThrow(/manualSeed/);
  });
});

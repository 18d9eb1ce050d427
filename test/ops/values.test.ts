/** Hand-computed values for the forward passes and the tricky backward cases. */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';

const close = (a: number[] | number, b: number[] | number, digits = 5) => {
  const xs = Array.isArray(a) ? a : [a];
  const ys = Array.isArray(b) ? b : [b];
  expect(xs.length).toBe(ys.length);
  xs.forEach((x, i) => expect(x).toBeCloseTo(ys[i], digits));
};

describe('forward values', () => {
  it('broadcasting arithmetic', () => {
    const a = tg.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(a.add(tg.tensor([10, 20, 30])).toArray()).toEqual([[11, 22, 33], [14, 25, 36]]);
    expect(a.mul(tg.tensor([[2], [3]])).toArray()).toEqual([[2, 4, 6], [12, 15, 18]]);
    expect(a.sub(1).div(2).toArray()).toEqual([[0, 0.5, 1], [1.5, 2, 2.5]]);
    expect(tg.tensor([[1], [2]]).add(tg.tensor([10, 20])).toArray()).toEqual([[11, 21], [12, 22]]);
  });
  it('matmul', () => {
    const a = tg.tensor([[1, 2], [3, 4], [5, 6]]);
    const b = tg.tensor([[1, 0, 2], [0, 1, 3]]);
    expect(a.matmul(b).toArray()).toEqual([[1, 2, 8], [3, 4, 18], [5, 6, 28]]);
    const batch = tg.tensor([[[1, 2]], [[3, 4]]]); // [2,1,2]
    expect(batch.matmul(tg.tensor([[[1], [1]], [[2], [0]]])).toArray()).toEqual([[[3]], [[6]]]);
  });
  it('reductions', () => {
    const a = tg.tensor([[1, 5, 3], [4, 2, 6]]);
    expect(a.sum().item()).toBe(21);
    expect(a.sum(0).toArray()).toEqual([5, 7, 9]);
    expect(a.sum(1, true).toArray()).toEqual([[9], [12]]);
    expect(a.mean(1).toArray()).toEqual([3, 4]);
    expect(a.max(1).toArray()).toEqual([5, 6]);
    expect(a.max(0, true).toArray()).toEqual([[4, 5, 6]]);
    expect(a.argmax(1).toArray()).toEqual([1, 2]);
    expect(a.argmax(0).toArray()).toEqual([1, 0, 1]);
    expect(a.max().item()).toBe(6);
  });
  it('activations', () => {
    close(tg.tensor([-2, 0, 3]).relu().toArray() as number[], [0, 0, 3]);
    close(tg.tensor([0, 1000, -1000]).sigmoid().toArray() as number[], [0.5, 1, 0]);
    close(tg.tensor([0, 0.5]).tanh().toArray() as number[], [0, Math.tanh(0.5)]);
  });
  it('transpose and flatten', () => {
    const a = tg.arange(6).reshape([2, 3]);
    expect(a.transpose().toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    const b = tg.arange(24).reshape([2, 3, 4]);
    expect(b.transpose(0, 2).shape).toEqual([4, 3, 2]);
    expect(b.transpose(0, 2).toArray()).toEqual(
      [0, 1, 2, 3].map((k) => [0, 1, 2].map((j) => [0, 1].map((i) => i * 12 + j * 4 + k))),
    );
    expect(b.flatten().shape).toEqual([24]);
    expect(b.flatten(1).shape).toEqual([2, 12]);
  });
});

describe('tricky cases, by hand', () => {
  it('softmax of logits ±1000 stays finite and exact', () => {
    const x = tg.tensor([[1000, -1000, 0], [1000, 1000, -1000]], { requiresGrad: true });
    const s = x.softmax(1);
    close(Array.from(s.data), [1, 0, 0, 0.5, 0.5, 0]);
    const ls = x.logSoftmax(1);
    close(Array.from(ls.data), [0, -2000, -1000, -Math.LN2, -Math.LN2, -2000 - Math.LN2], 3);
    // d/dx of logSoftmax[0][0] row 0: onehot − softmax = [0, 0, 0]; row 1 pick logSoftmax[1][0]: [0.5, −0.5, 0]
    ls.backward(tg.tensor([[1, 0, 0], [1, 0, 0]]));
    close(Array.from(x.grad!.data), [0, 0, 0, 0.5, -0.5, 0]);
  });
  it('max along an axis sends the gradient to the first of tied maxima', () => {
    const x = tg.tensor([[3, 7, 7], [1, 1, 1]], { requiresGrad: true });
    x.max(1).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 1, 0], [1, 0, 0]]);
  });
  it('max over all elements shares the gradient equally among ties', () => {
    const x = tg.tensor([2, 5, 1, 5], { requiresGrad: true });
    x.max().mul(3).backward();
    expect(x.grad!.toArray()).toEqual([0, 1.5, 0, 1.5]);
  });
  it('broadcast gradients are summed back to each input shape', () => {
    const a = tg.tensor([[1], [2], [3]], { requiresGrad: true }); // [3,1]
    const b = tg.tensor([10, 20, 30, 40], { requiresGrad: true }); // [4]
    a.mul(b).sum().backward();
    expect(a.grad!.toArray()).toEqual([[100], [100], [100]]); // Σ b
    expect(b.grad!.toArray()).toEqual([6, 6, 6, 6]); // Σ a
  });
  it('mean over an axis divides the gradient by the count', () => {
    const x = tg.ones([2, 4], { requiresGrad: true });
    x.mean(1).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25]]);
  });
  it('abs and relu have gradient 0 at 0, as in PyTorch', () => {
    const x = tg.tensor([0, -1, 2], { requiresGrad: true });
    x.abs().add(x.relu()).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, -1, 2]);
  });
});

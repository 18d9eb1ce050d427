/** A leaf's .grad is its own: never shared with another leaf's or with the caller's gradOutput. */
import { expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { clipGradNorm } from '../../src/nn/utils.ts';

it('two leaves fed the same gradient (add) do not share it: clipping one leaves the other', () => {
  const a = tg.tensor([1, 2], { requiresGrad: true });
  const b = tg.tensor([3, 4], { requiresGrad: true });
  a.add(b).mul(tg.tensor([2, 2])).sum().backward();
  expect(a.grad!.storage).not.toBe(b.grad!.storage);
  clipGradNorm([a], 1e-3);
  expect(b.grad!.toArray()).toEqual([2, 2]);
});

it('a view of another leaf\'s gradient (reshape) is copied too', () => {
  const a = tg.tensor([1, 2, 3, 4], { requiresGrad: true });
  const b = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
  a.reshape([2, 2]).add(b).sum().backward();
  expect(a.grad!.storage).not.toBe(b.grad!.storage);
});

it('a leaf given gradOutput directly gets a copy, so changing its .grad leaves the caller\'s tensor alone', () => {
  const x = tg.tensor([1, 2], { requiresGrad: true });
  const g = tg.tensor([5, 6]);
  x.backward(g);
  (x.grad!.data as Float32Array)[0] = 0;
  expect(g.toArray()).toEqual([5, 6]);
});

it('a gradient computed for one leaf alone becomes its .grad without a copy', () => {
  const w = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const y = tg.tensor([[1, 0], [0, 1]]).matmul(w).sum();
  y.backward();
  expect(w.grad!.toArray()).toEqual([[1, 1], [1, 1]]);
});

/** Tensor basics, creation helpers, the seeded RNG and the autograd engine's bookkeeping. */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';

describe('creation', () => {
  it('infers shapes from nested arrays and copies the values', () => {
    const src = [[1, 2, 3], [4, 5, 6]];
    const t = tg.tensor(src);
    expect(t.shape).toEqual([2, 3]);
    expect(t.size).toBe(6);
    src[0][0] = 99;
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tg.tensor(7).shape).toEqual([]);
    expect(tg.tensor(7).item()).toBe(7);
  });
  it('takes flat data with an explicit shape', () => {
    const t = tg.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
    expect(t.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(() => tg.tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/3 values cannot take shape \[2,2\]/);
  });
  it('rejects ragged arrays naming the depth', () => {
    expect(() => tg.tensor([[1, 2], [3]])).toThrow(/ragged nested array: expected length 2 at \[1\]/);
  });
  it('zeros, ones, full, arange', () => {
    expect(tg.zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(tg.ones([3]).toArray()).toEqual([1, 1, 1]);
    expect(tg.full([2], 2.5).toArray()).toEqual([2.5, 2.5]);
    expect(tg.arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(tg.arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(() => tg.zeros([2, -1])).toThrow(/zeros: invalid shape \[2,-1\]/);
  });
});

describe('manualSeed', () => {
  it('makes rand and randn reproducible', () => {
    tg.manualSeed(123);
    const a = [tg.rand([5]).toArray(), tg.randn([5]).toArray()];
    tg.manualSeed(123);
    const b = [tg.rand([5]).toArray(), tg.randn([5]).toArray()];
    expect(a).toEqual(b);
    tg.manualSeed(124);
    expect(tg.rand([5]).toArray()).not.toEqual(a[0]);
  });
  it('restores a captured generator state exactly', () => {
    tg.manualSeed(1);
    tg.randn([3]);
    const state = tg.getRngState();
    const next = tg.randn([7]).toArray();
    tg.randn([11]);
    tg.setRngState(state);
    expect(tg.randn([7]).toArray()).toEqual(next);
  });
  it('draws with the right moments', () => {
    tg.manualSeed(7);
    const u = tg.rand([20000]).data;
    const z = tg.randn([20000]).data;
    const mean = (d: ArrayLike<number>) => Array.from(d).reduce((s, v) => s + v, 0) / d.length;
    const variance = (d: ArrayLike<number>) => { const m = mean(d); return Array.from(d).reduce((s, v) => s + (v - m) ** 2, 0) / d.length; };
    expect(mean(u)).toBeCloseTo(0.5, 1);
    expect(variance(u)).toBeCloseTo(1 / 12, 2);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(mean(z)).toBeCloseTo(0, 1);
    expect(variance(z)).toBeCloseTo(1, 1);
  });
});

describe('autograd engine', () => {
  it('accumulates gradients across backward calls', () => {
    const x = tg.tensor([1, 2, 3], { requiresGrad: true });
    x.mul(2).sum().backward();
    x.mul(x).sum().backward();
    // 2 + 2x
    expect(x.grad!.toArray()).toEqual([4, 6, 8]);
  });
  it('sums the gradients of a diamond exactly once per path', () => {
    const x = tg.tensor([3], { requiresGrad: true });
    const a = x.mul(2);
    const b = a.mul(a); // (2x)² = 4x²
    const c = a.add(b); // 2x + 4x²  → d/dx = 2 + 8x = 26
    c.sum().backward();
    expect(x.grad!.item()).toBe(26);
  });
  it('needs gradOutput for non-scalars and checks its shape', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    expect(() => y.backward()).toThrow(/gradOutput is required for a non-scalar tensor of shape \[2\]/);
    expect(() => y.backward(tg.ones([3]))).toThrow(/gradOutput shape \[3\] does not match tensor shape \[2\]/);
    y.backward(tg.tensor([1, 10]));
    expect(x.grad!.toArray()).toEqual([3, 30]);
  });
  it('refuses backward on a tensor with no graph', () => {
    expect(() => tg.ones([1]).backward()).toThrow(/does not require grad/);
    const x = tg.tensor([1], { requiresGrad: true });
    const y = tg.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(() => y.backward()).toThrow(/does not require grad/);
  });
  it('records nothing for constants and nothing under noGrad', () => {
    const c = tg.ones([2]).add(1);
    expect(c.gradFn).toBeNull();
    const x = tg.ones([2], { requiresGrad: true });
    expect(x.add(1).gradFn?.op).toBe('add');
    expect(tg.noGrad(() => x.add(1)).gradFn).toBeNull();
    expect(tg.isGradEnabled()).toBe(true);
  });
  it('detach cuts the graph but shares the values', () => {
    const x = tg.tensor([2], { requiresGrad: true });
    const y = x.mul(x.detach()); // d/dx treats the detached factor as a constant
    y.sum().backward();
    expect(x.grad!.item()).toBe(2);
  });
  it('gives each leaf a gradient it owns (no aliasing between leaves)', () => {
    const a = tg.tensor([1, 2], { requiresGrad: true });
    const b = tg.tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward();
    a.grad!.data[0] = 100;
    expect(b.grad!.toArray()).toEqual([1, 1]);
  });
  it('handles a long chain without overflowing the stack', () => {
    const x = tg.tensor([1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.add(0);
    y.sum().backward();
    expect(x.grad!.item()).toBe(1);
  });
});

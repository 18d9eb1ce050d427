import { describe, expect, it } from 'vitest';
import { ShapeError, optim, tensor, type Tensor } from '../../src/index.ts';
import { expectRangeError } from './helpers.ts';

const values = (ps: Tensor[]): number[][] => ps.map((p) => Array.from(p.data));

describe('Optimizer: parameters and groups', () => {
  it('accepts an array, any iterable (a generator, a Set), or parameter groups', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    function* gen(): Generator<Tensor> {
      yield a;
      yield b;
    }
    for (const params of [[a, b], gen(), new Set([a, b])]) {
      const opt = new optim.SGD(params, { lr: 0.1 });
      expect(opt.paramGroups).toHaveLength(1);
      expect(opt.paramGroups[0].params).toEqual([a, b]);
    }
    const grouped = new optim.Adam([{ params: [a], lr: 0.5 }, { params: gen2(b) }], { lr: 0.01, betas: [0.8, 0.9] });
    function* gen2(t: Tensor): Generator<Tensor> {
      yield t;
    }
    expect(grouped.paramGroups.map((g) => g.lr)).toEqual([0.5, 0.01]);
    expect(grouped.paramGroups[1].betas).toEqual([0.8, 0.9]);
    grouped.paramGroups[0].betas[0] = 0.5; // groups hold their own copies
    expect(grouped.paramGroups[1].betas).toEqual([0.8, 0.9]);
  });

  it('fills every option with PyTorch\'s defaults', () => {
    const p = [tensor([1], { requiresGrad: true })];
    const strip = (g: Record<string, unknown>): Record<string, unknown> => {
      const { params: _, ...rest } = g;
      return rest;
    };
    expect(strip(new optim.SGD(p, { lr: 0.1 }).paramGroups[0])).toEqual({ lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
    expect(strip(new optim.Momentum(p, { lr: 0.1 }).paramGroups[0])).toEqual({ lr: 0.1, momentum: 0.9, variant: 'classical', nesterov: false });
    expect(strip(new optim.AdaGrad(p).paramGroups[0])).toEqual({ lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 });
    expect(strip(new optim.RMSprop(p).paramGroups[0])).toEqual({ lr: 0.01, alpha: 0.99, eps: 1e-8, momentum: 0, centered: false, weightDecay: 0 });
    expect(strip(new optim.Adam(p).paramGroups[0])).toEqual({ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false });
    expect(strip(new optim.AdamW(p).paramGroups[0])).toEqual({ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false });
  });

  it('rejects an empty list, repeated parameters, non-leaf tensors and unknown group options', () => {
    const a = tensor([1], { requiresGrad: true });
    expectRangeError(() => new optim.SGD([], { lr: 0.1 }), 'SGD', 'empty');
    expectRangeError(() => new optim.SGD([a, a], { lr: 0.1 }), 'more than once');
    expectRangeError(() => new optim.SGD([{ params: [a] }, { params: [a] }], { lr: 0.1 }), 'more than once');
    expectRangeError(() => new optim.Adam([{ params: [a], momentum: 0.9 } as never]), "unknown option 'momentum'");
    expect(() => new optim.SGD([a.mul(2)], { lr: 0.1 })).toThrow(TypeError);
    expect(() => new optim.SGD([a, { params: [a] }] as never, { lr: 0.1 })).toThrow(TypeError);
  });

  it('addParamGroup adds parameters with their own options', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 1 });
    a.grad = tensor([1]);
    b.grad = tensor([1]);
    opt.step();
    expect(values([a, b])).toEqual([[Math.fround(0.9)], [0]]);
    expectRangeError(() => opt.addParamGroup({ params: [a] }), 'more than once');
  });
});

describe('Optimizer: step and zeroGrad', () => {
  it('zeroGrad sets every gradient to null', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3], { requiresGrad: true });
    a.mul(b).sum().backward();
    expect(a.grad).not.toBeNull();
    const opt = new optim.Adam([a, b]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
  });

  it('skips parameters without a gradient: no change, no state, no step counted', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([5], { requiresGrad: true });
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.grad = tensor([1]);
    opt.step();
    opt.step();
    expect(b.data[0]).toBe(5);
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['0']);
    expect(sd.state[0].step).toBe(2);
  });

  it('a gradient of the wrong shape throws before any parameter or state changes', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const opt = new optim.SGD([a, b], { lr: 0.1, momentum: 0.9 });
    a.grad = tensor([1, 1]);
    b.grad = tensor([[1, 1], [1, 1]]);
    opt.step();
    const before = { params: values([a, b]), state: JSON.stringify(opt.stateDict().state[0].buffers.momentumBuffer.toArray()) };
    a.grad = tensor([1, 1]);
    b.grad = tensor([1, 1, 1, 1]);
    expect(() => opt.step()).toThrow(ShapeError);
    expect(() => opt.step()).toThrow('SGD.step: gradient of shape [4] does not match parameter 1 of group 0 with shape [2,2]');
    expect(values([a, b])).toEqual(before.params);
    expect(JSON.stringify(opt.stateDict().state[0].buffers.momentumBuffer.toArray())).toBe(before.state);
    expect(opt.stateDict().state[0].step).toBe(1);
  });

  it('a learning rate changed between steps takes effect at the next step', () => {
    const a = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([a], { lr: 0.1 });
    a.grad = tensor([1]);
    opt.step();
    opt.paramGroups[0].lr = 0.5;
    opt.step();
    expect(a.data[0]).toBeCloseTo(0.4, 6);
  });

  it('works with gradients from backward() on a real loss', () => {
    const w = tensor([[0.5, -0.5]], { requiresGrad: true });
    const x = tensor([[1], [2]]);
    const opt = new optim.SGD([w], { lr: 0.1 });
    // loss = (w·x)², d/dw = 2(w·x)·xᵀ; w·x = −0.5 → grad = [−1, −2]
    w.matmul(x).pow(2).sum().backward();
    opt.step();
    expect(Array.from(w.data)).toEqual([Math.fround(0.6), Math.fround(-0.3)]);
  });
});

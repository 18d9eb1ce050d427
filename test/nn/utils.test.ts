/** clipGradValue and l1Penalty: values by hand, gradients against finite differences, errors. */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { GpuData } from '../../src/backend/gpu/runtime.ts';
import { gradcheck } from '../helpers/gradcheck.ts';

const { nn } = tg;

const withGrad = (values: number[]) => {
  const p = new nn.Parameter(tg.zeros([values.length]));
  p.grad = tg.tensor(values);
  return p;
};

describe('clipGradValue', () => {
  it('clamps each gradient component into [−v, v] in place; other components and parameters without a gradient are left alone', () => {
    const a = withGrad([3, -4, 0.5, -0.25]);
    const grad = a.grad!;
    const b = new nn.Parameter(tg.zeros([2]));
    nn.utils.clipGradValue([a, b], 1);
    expect(a.grad).toBe(grad); // in place, as PyTorch's clip_grad_value_
    expect(Array.from(a.grad!.data)).toEqual([1, -1, 0.5, -0.25]);
    expect(b.grad).toBeNull();
  });

  it('changes the direction, unlike clipGradNorm: each component is cut on its own', () => {
    const a = withGrad([10, 1]);
    nn.utils.clipGradValue(a, 2);
    expect(Array.from(a.grad!.data)).toEqual([2, 1]);
  });

  it('NaN stays NaN; clipValue 0 zeroes every gradient; Infinity clips nothing', () => {
    const a = withGrad([NaN, 5, -Infinity]);
    nn.utils.clipGradValue([a], 3);
    expect(Number.isNaN(a.grad!.data[0])).toBe(true);
    expect(Array.from(a.grad!.data.subarray(1))).toEqual([3, -3]);
    const b = withGrad([2, -7]);
    nn.utils.clipGradValue([b], 0);
    expect(Array.from(b.grad!.data).map(Math.abs)).toEqual([0, 0]);
    const c = withGrad([1e30, -1e30]);
    nn.utils.clipGradValue([c], Infinity);
    expect(Array.from(c.grad!.data)).toEqual([Math.fround(1e30), Math.fround(-1e30)]);
  });

  it('refuses a bad clipValue or params, before changing any gradient', () => {
    const a = withGrad([5]);
    expect(() => nn.utils.clipGradValue([a], -1)).toThrow(/clipGradValue: clipValue must be a number >= 0, got -1/);
    expect(() => nn.utils.clipGradValue([a], NaN)).toThrow(/got NaN/);
    expect(() => nn.utils.clipGradValue([a, 3 as never], 1)).toThrow(/clipGradValue: params\[1\] is number, not a Tensor/);
    expect(() => nn.utils.clipGradValue(7 as never, 1)).toThrow(/clipGradValue: params must be a Tensor or an iterable of Tensors/);
    const b = new nn.Parameter(tg.zeros([1]));
    b.grad = [1] as never;
    expect(() => nn.utils.clipGradValue([a, b], 1)).toThrow(/the gradient of params\[1\] is object, not a Tensor/);
    expect(Array.from(a.grad!.data)).toEqual([5]);
  });

  it('on the gpu backend the gradient is clamped on the device, never downloaded', () => {
    tg.setBackend('gpu', { mode: 'cpu' });
    try {
      const p = new nn.Parameter(tg.zeros([3]));
      p.grad = tg.tensor([4, -0.5, -9]).add(0);
      const grad = p.grad;
      expect(grad.storage).toBeInstanceOf(GpuData);
      nn.utils.clipGradValue(p, 2);
      expect(p.grad).toBe(grad);
      expect(grad.storage).toBeInstanceOf(GpuData);
      expect(Array.from(grad.data)).toEqual([2, -0.5, -2]);
    } finally {
      tg.setBackend('cpu');
    }
  });
});

describe('clipGradNorm', () => {
  it('shows a bad maxNorm as the value it is: a string in quotes', () => {
    const a = withGrad([3, 4]);
    expect(() => nn.utils.clipGradNorm([a], 'x' as never)).toThrow('clipGradNorm: maxNorm must be a number >= 0, got "x"');
    expect(() => nn.utils.clipGradNorm([a], -1)).toThrow('clipGradNorm: maxNorm must be a number >= 0, got -1');
    expect(Array.from(a.grad!.data)).toEqual([3, 4]);
  });
});

describe('l1Penalty', () => {
  it('is weight · Σ|θ| over all given tensors, as a scalar in the graph', () => {
    const a = tg.tensor([1, -2, 0.5], { requiresGrad: true });
    const b = tg.tensor([[-3, 0], [4, -0.25]], { requiresGrad: true });
    const penalty = nn.utils.l1Penalty([a, b], 0.1);
    expect(penalty.shape).toEqual([]);
    expect(penalty.item()).toBeCloseTo(0.1 * (1 + 2 + 0.5 + 3 + 0 + 4 + 0.25), 6);
    expect(nn.utils.l1Penalty(a).item()).toBeCloseTo(3.5, 6);
  });

  it('its gradient is weight · sign(θ) (finite differences away from 0)', () => {
    gradcheck((x, y) => nn.utils.l1Penalty([x, y], 0.3), [tg.tensor([0.7, -1.2, 2]), tg.tensor([[-0.4], [0.9]])]);
  });

  it('added to a loss, it drives small weights to exactly 0 where weight decay only shrinks them', () => {
    // A weight with a weak pull towards 0.05 from the data: L1 at λ = 0.2 > its gradient pins it at 0;
    // the L2 penalty of the same strength moves it to 0.05/(1 + λ/2·2) and no further.
    const train = (penalty: (w: tg.Tensor) => tg.Tensor): number => {
      const w = tg.tensor([1], { requiresGrad: true });
      const opt = new tg.optim.SGD([w], { lr: 0.01 });
      for (let i = 0; i < 3000; i++) {
        opt.zeroGrad();
        w.sub(0.05).pow(2).mul(0.5).sum().add(penalty(w)).backward();
        opt.step();
      }
      return w.data[0];
    };
    const l1 = train((w) => nn.utils.l1Penalty([w], 0.2));
    const l2 = train((w) => w.pow(2).sum().mul(0.1));
    expect(Math.abs(l1)).toBeLessThan(0.0025); // it hops around 0 by at most one step, lr·(λ + 0.05)
    expect(l2).toBeCloseTo(0.05 / 1.2, 4);
  });

  it('refuses a bad weight or empty params', () => {
    const a = tg.tensor([1], { requiresGrad: true });
    expect(() => nn.utils.l1Penalty([a], -1)).toThrow(/l1Penalty: weight must be a finite number >= 0, got -1/);
    expect(() => nn.utils.l1Penalty([])).toThrow(/l1Penalty: got no parameters/);
    expect(() => nn.utils.l1Penalty(['w'] as never)).toThrow(/l1Penalty: params\[0\] is string/);
  });
});

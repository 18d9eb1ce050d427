import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index.ts';
import { expectTracesClose, gradPlan, initValues, runOptimizer, runReference } from './helpers.ts';

interface AdagradRef { lr: number; lrDecay: number; weightDecay: number; initialAccumulatorValue: number; eps: number }

/** AdaGrad as PyTorch documents it, in float64. */
function adagradReference(init: number[][], plan: (number[] | null)[][], o: AdagradRef): number[][][] {
  return runReference(init, plan, (n) => ({ sum: new Array<number>(n).fill(o.initialAccumulatorValue), t: 0 }), (theta, grad, s) => {
    s.t += 1;
    const clr = o.lr / (1 + (s.t - 1) * o.lrDecay);
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i] + o.weightDecay * theta[i];
      s.sum[i] += g * g;
      theta[i] -= (clr * g) / (Math.sqrt(s.sum[i]) + o.eps);
    }
  });
}

const defaults: AdagradRef = { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 };

describe('AdaGrad against a float64 reference', () => {
  const sizes = [3, 4];
  const cases: [string, Partial<AdagradRef>][] = [
    ['defaults', {}],
    ['lr 0.5', { lr: 0.5 }],
    ['lrDecay', { lr: 0.3, lrDecay: 0.2 }],
    ['weightDecay', { lr: 0.1, weightDecay: 0.4 }],
    ['initialAccumulatorValue', { lr: 0.1, initialAccumulatorValue: 0.7 }],
    ['large eps (added outside the root)', { lr: 0.1, eps: 0.5 }],
    ['everything', { lr: 0.2, lrDecay: 0.05, weightDecay: 0.1, initialAccumulatorValue: 0.1, eps: 1e-3 }],
  ];
  for (const [name, o] of cases) {
    it(`${name}: 9 steps`, () => {
      const plan = gradPlan(21, 9, sizes, [[3, 1], [4, 1]]);
      const init = initValues(sizes);
      expectTracesClose(runOptimizer((ps) => new optim.AdaGrad(ps, o), init, plan), adagradReference(init, plan, { ...defaults, ...o }));
    });
  }

  it('by hand: θ₀ = 1, g = 2 twice, lr 0.1 → 0.9, then 0.9 − 0.2/√8', () => {
    const p = tensor([1], { requiresGrad: true });
    const opt = new optim.AdaGrad([p], { lr: 0.1 });
    p.grad = tensor([2]);
    opt.step();
    expect(p.data[0]).toBeCloseTo(0.9, 6);
    p.grad = tensor([2]);
    opt.step();
    expect(p.data[0]).toBeCloseTo(0.9 - 0.2 / Math.sqrt(8), 6);
  });

  it('lrDecay counts each parameter\'s own steps', () => {
    // b misses steps 1–2, so its first step uses the undecayed rate: |Δ| = lr·|g|/|g| = lr.
    const a = tensor([0], { requiresGrad: true });
    const b = tensor([0], { requiresGrad: true });
    const opt = new optim.AdaGrad([a, b], { lr: 1, lrDecay: 1 });
    for (let t = 0; t < 3; t++) {
      a.grad = tensor([1]);
      b.grad = t === 2 ? tensor([1]) : null;
      opt.step();
    }
    expect(b.data[0]).toBeCloseTo(-1, 6);
    expect(a.data[0]).toBeCloseTo(-(1 + 0.5 / Math.SQRT2 + 1 / 3 / Math.sqrt(3)), 6);
  });
});

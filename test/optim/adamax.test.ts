import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index.ts';
import { expectTracesClose, gradPlan, initValues, runOptimizer, runReference } from './helpers.ts';

interface Ref { lr: number; betas: [number, number]; eps: number; weightDecay: number }

/** Adamax (Kingma & Ba 2015, §7.1; ε added to |g| inside the max as PyTorch does), in float64. */
function reference(init: number[][], plan: (number[] | null)[][], o: Ref): number[][][] {
  const [b1, b2] = o.betas;
  return runReference(init, plan, (n) => ({ m: new Array<number>(n).fill(0), u: new Array<number>(n).fill(0), t: 0 }), (theta, grad, s) => {
    s.t += 1;
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i] + o.weightDecay * theta[i];
      s.m[i] = b1 * s.m[i] + (1 - b1) * g;
      s.u[i] = Math.max(b2 * s.u[i], Math.abs(g) + o.eps);
      theta[i] -= (o.lr / (1 - b1 ** s.t)) * (s.m[i] / s.u[i]);
    }
  });
}

const defaults: Ref = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 };

describe('Adamax against a float64 reference, 48 steps', () => {
  const sizes = [5, 3];
  const cases: [string, Partial<Ref>][] = [
    ['defaults', {}],
    ['lr 0.05, betas (0.7, 0.8): the max forgets fast', { lr: 0.05, betas: [0.7, 0.8] }],
    ['large eps', { lr: 0.05, eps: 0.5 }],
    ['L2 weight decay', { lr: 0.05, weightDecay: 0.3 }],
    ['beta1 0 (sign-like steps of lr·g/max|g|)', { lr: 0.05, betas: [0, 0.9] }],
  ];
  // Each case twice: the fused program (default) and the tensor-op reference (fused: false).
  for (const fused of [true, false]) for (const [name, o] of cases) {
    it(`${name}${fused ? '' : ' (fused: false)'}`, () => {
      const plan = gradPlan(62, 48, sizes, [[0, 1], [30, 1], [9, 0]]);
      const init = initValues(sizes);
      expectTracesClose(runOptimizer((ps) => new optim.Adamax(ps, { ...o, fused }), init, plan), reference(init, plan, { ...defaults, ...o }));
    });
  }

  it('by hand: with a constant gradient every coordinate moves by lr per step', () => {
    const p = tensor([1, -2], { requiresGrad: true });
    const opt = new optim.Adamax([p], { lr: 0.1 });
    for (let t = 1; t <= 5; t++) {
      p.grad = tensor([0.5, -40]);
      opt.step();
      // m/(1 − β₁ᵗ) = g and u = |g| + ε (β₂u < |g| while u is young), so the step is lr·sign(g).
      expect(p.data[0]).toBeCloseTo(1 - 0.1 * t, 5);
      expect(p.data[1]).toBeCloseTo(-2 + 0.1 * t, 5);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index.ts';
import { expectTracesClose, gradPlan, initValues, runOptimizer, runReference } from './helpers.ts';

interface Ref { lr: number; betas: [number, number]; eps: number; weightDecay: number; decoupledWeightDecay: boolean }

/** RAdam (Liu et al. 2020) with PyTorch's threshold ρₜ > 5 and ε outside the root, in float64. */
function reference(init: number[][], plan: (number[] | null)[][], o: Ref): number[][][] {
  const [b1, b2] = o.betas;
  const rhoInf = 2 / (1 - b2) - 1;
  return runReference(init, plan, (n) => ({ m: new Array<number>(n).fill(0), v: new Array<number>(n).fill(0), t: 0 }), (theta, grad, s) => {
    s.t += 1;
    const t = s.t;
    const rho = rhoInf - (2 * t * b2 ** t) / (1 - b2 ** t);
    for (let i = 0; i < theta.length; i++) {
      let g = grad[i];
      if (o.decoupledWeightDecay) theta[i] *= 1 - o.lr * o.weightDecay;
      else g += o.weightDecay * theta[i];
      s.m[i] = b1 * s.m[i] + (1 - b1) * g;
      s.v[i] = b2 * s.v[i] + (1 - b2) * g * g;
      const mHat = s.m[i] / (1 - b1 ** t);
      if (rho > 5) {
        const r = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
        const l = Math.sqrt(1 - b2 ** t) / (Math.sqrt(s.v[i]) + o.eps);
        theta[i] -= o.lr * mHat * r * l;
      } else {
        theta[i] -= o.lr * mHat;
      }
    }
  });
}

const defaults: Ref = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false };

describe('RAdam against a float64 reference, 48 steps', () => {
  const sizes = [5, 3];
  const cases: [string, Partial<Ref>][] = [
    ['defaults (rectified from step 6 on)', {}],
    ['lr 0.05, betas (0.8, 0.9)', { lr: 0.05, betas: [0.8, 0.9] }],
    ['beta2 0.5: ρ∞ = 3, never rectified (momentum SGD throughout)', { lr: 0.05, betas: [0.9, 0.5] }],
    ['large eps', { lr: 0.05, eps: 0.2 }],
    ['L2 weight decay', { lr: 0.05, weightDecay: 0.3 }],
    ['decoupled weight decay', { lr: 0.05, weightDecay: 0.3, decoupledWeightDecay: true }],
  ];
  // Each case twice: the fused program (default) and the tensor-op reference (fused: false).
  for (const fused of [true, false]) for (const [name, o] of cases) {
    it(`${name}${fused ? '' : ' (fused: false)'}`, () => {
      const plan = gradPlan(65, 48, sizes, [[0, 1], [3, 0], [40, 1]]);
      const init = initValues(sizes);
      expectTracesClose(runOptimizer((ps) => new optim.RAdam(ps, { ...o, fused }), init, plan), reference(init, plan, { ...defaults, ...o }));
    });
  }

  it('by hand: the first five steps are momentum SGD on the bias-corrected average', () => {
    const p = tensor([0], { requiresGrad: true });
    const opt = new optim.RAdam([p], { lr: 0.1 });
    for (let t = 1; t <= 5; t++) {
      p.grad = tensor([2]);
      opt.step();
      expect(p.data[0]).toBeCloseTo(-0.2 * t, 5); // m̂ = g = 2 exactly, so each step is lr·2
    }
    p.grad = tensor([2]);
    opt.step(); // t = 6: ρ₆ ≈ 5.99 > 5, the adaptive step starts, with a small rectification r ≈ 0.026
    // With a constant g, m̂ = g and √(1 − β₂ᵗ)/√v = 1/|g|, so the step is lr·r₆·sign(g).
    const rhoInf = 2 / 0.001 - 1;
    const rho6 = rhoInf - (12 * 0.999 ** 6) / (1 - 0.999 ** 6);
    const r6 = Math.sqrt(((rho6 - 4) * (rho6 - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho6));
    expect(p.data[0]).toBeCloseTo(-1 - 0.1 * r6, 6);
  });
});

import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index.ts';
import { expectTracesClose, gradPlan, initValues, runOptimizer, runReference } from './helpers.ts';

interface Ref { lr: number; betas: [number, number]; eps: number; weightDecay: number; momentumDecay: number; decoupledWeightDecay: boolean }

/**
 * NAdam as the PyTorch documentation states it (Dozat 2016 with the momentum schedule
 * μₜ = β₁(1 − ½·0.96^(tψ)); the m-term is divided by 1 − μ₁⋯μₜ₊₁), in float64.
 */
function reference(init: number[][], plan: (number[] | null)[][], o: Ref): number[][][] {
  const [b1, b2] = o.betas;
  const mu = (t: number): number => b1 * (1 - 0.5 * 0.96 ** (t * o.momentumDecay));
  return runReference(init, plan, (n) => ({ m: new Array<number>(n).fill(0), v: new Array<number>(n).fill(0), t: 0, prod: 1 }), (theta, grad, s) => {
    s.t += 1;
    s.prod *= mu(s.t);
    const prodNext = s.prod * mu(s.t + 1);
    for (let i = 0; i < theta.length; i++) {
      let g = grad[i];
      if (o.decoupledWeightDecay) theta[i] *= 1 - o.lr * o.weightDecay;
      else g += o.weightDecay * theta[i];
      s.m[i] = b1 * s.m[i] + (1 - b1) * g;
      s.v[i] = b2 * s.v[i] + (1 - b2) * g * g;
      const denom = Math.sqrt(s.v[i] / (1 - b2 ** s.t)) + o.eps;
      theta[i] -= (o.lr * (1 - mu(s.t)) * g) / ((1 - s.prod) * denom) + (o.lr * mu(s.t + 1) * s.m[i]) / ((1 - prodNext) * denom);
    }
  });
}

const defaults: Ref = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, decoupledWeightDecay: false };

describe('NAdam against a float64 reference, 48 steps', () => {
  const sizes = [5, 3];
  const cases: [string, Partial<Ref>][] = [
    ['defaults', {}],
    ['lr 0.05, betas (0.8, 0.9)', { lr: 0.05, betas: [0.8, 0.9] }],
    ['momentumDecay 0: μ stays β₁/2', { lr: 0.05, momentumDecay: 0 }],
    ['momentumDecay 0.5: μ reaches β₁ within a few steps', { lr: 0.05, momentumDecay: 0.5 }],
    ['large eps', { lr: 0.05, eps: 0.3 }],
    ['L2 weight decay', { lr: 0.05, weightDecay: 0.3 }],
    ['decoupled weight decay', { lr: 0.05, weightDecay: 0.3, decoupledWeightDecay: true }],
  ];
  // Each case twice: the fused program (default) and the tensor-op reference (fused: false).
  for (const fused of [true, false]) for (const [name, o] of cases) {
    it(`${name}${fused ? '' : ' (fused: false)'}`, () => {
      const plan = gradPlan(64, 48, sizes, [[0, 1], [1, 1], [17, 0]]);
      const init = initValues(sizes);
      expectTracesClose(runOptimizer((ps) => new optim.NAdam(ps, { ...o, fused }), init, plan), reference(init, plan, { ...defaults, ...o }));
    });
  }

  it('keeps the running product μ₁⋯μₜ per parameter and saves it', () => {
    const p = tensor([1], { requiresGrad: true });
    const q = tensor([1], { requiresGrad: true });
    const opt = new optim.NAdam([p, q]);
    for (let t = 0; t < 3; t++) {
      p.grad = tensor([1]);
      if (t > 0) q.grad = tensor([1]);
      opt.step();
      p.grad = null;
      q.grad = null;
    }
    const mu = (t: number): number => 0.9 * (1 - 0.5 * 0.96 ** (t * 4e-3));
    const sd = opt.stateDict();
    expect(sd.state[0].scalars).toEqual({ muProduct: mu(1) * mu(2) * mu(3) });
    expect(sd.state[1].scalars).toEqual({ muProduct: mu(1) * mu(2) });
  });
});

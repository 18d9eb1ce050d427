import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index.ts';
import { expectTracesClose, gradPlan, initValues, runOptimizer, runReference } from './helpers.ts';

interface AdamRef { lr: number; betas: [number, number]; eps: number; weightDecay: number; amsgrad: boolean; decoupled: boolean }

/** Adam (Kingma & Ba, both bias corrections, ε outside the root) and AdamW, in float64. */
function adamReference(init: number[][], plan: (number[] | null)[][], o: AdamRef): number[][][] {
  const [b1, b2] = o.betas;
  const zeros = (n: number): number[] => new Array<number>(n).fill(0);
  return runReference(init, plan, (n) => ({ m: zeros(n), v: zeros(n), vMax: zeros(n), t: 0 }), (theta, grad, s) => {
    s.t += 1;
    for (let i = 0; i < theta.length; i++) {
      let g = grad[i];
      if (o.decoupled) theta[i] *= 1 - o.lr * o.weightDecay;
      else g += o.weightDecay * theta[i];
      s.m[i] = b1 * s.m[i] + (1 - b1) * g;
      s.v[i] = b2 * s.v[i] + (1 - b2) * g * g;
      s.vMax[i] = Math.max(s.vMax[i], s.v[i]);
      const mHat = s.m[i] / (1 - b1 ** s.t);
      const vHat = (o.amsgrad ? s.vMax[i] : s.v[i]) / (1 - b2 ** s.t);
      theta[i] -= (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
    }
  });
}

const adamDefaults: AdamRef = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, decoupled: false };

describe('Adam and AdamW against a float64 reference', () => {
  const sizes = [4, 3];
  const cases: [string, Partial<AdamRef>][] = [
    ['defaults', {}],
    ['lr 0.1, betas (0.8, 0.9)', { lr: 0.1, betas: [0.8, 0.9] }],
    ['large eps (added outside the root, after bias correction)', { lr: 0.1, eps: 0.2 }],
    ['L2 weight decay', { lr: 0.05, weightDecay: 0.3 }],
    ['amsgrad', { lr: 0.05, amsgrad: true, betas: [0.5, 0.6] }],
    ['amsgrad + L2 + eps', { lr: 0.05, amsgrad: true, weightDecay: 0.1, eps: 0.01 }],
    ['beta1 0 (RMSprop with bias correction)', { lr: 0.05, betas: [0, 0.9] }],
  ];
  for (const [name, o] of cases) {
    it(`Adam, ${name}: 12 steps`, () => {
      const plan = gradPlan(44, 12, sizes, [[0, 1], [7, 0]]);
      const init = initValues(sizes);
      expectTracesClose(runOptimizer((ps) => new optim.Adam(ps, o), init, plan), adamReference(init, plan, { ...adamDefaults, ...o }));
    });
  }

  const wCases: [string, Partial<AdamRef>][] = [
    ['defaults (weightDecay 0.01)', { weightDecay: 0.01 }],
    ['weightDecay 0.5', { lr: 0.05, weightDecay: 0.5 }],
    ['amsgrad', { lr: 0.05, weightDecay: 0.2, amsgrad: true, betas: [0.7, 0.8] }],
  ];
  for (const [name, o] of wCases) {
    it(`AdamW, ${name}: 12 steps`, () => {
      const plan = gradPlan(45, 12, sizes, [[3, 1]]);
      const init = initValues(sizes);
      const actual = runOptimizer((ps) => (name.startsWith('defaults') ? new optim.AdamW(ps) : new optim.AdamW(ps, o)), init, plan);
      expectTracesClose(actual, adamReference(init, plan, { ...adamDefaults, ...o, decoupled: true }));
    });
  }

  it('by hand: with a constant gradient Adam moves lr per step (bias correction makes m̂ = g, v̂ = g²)', () => {
    const p = tensor([1, -3], { requiresGrad: true });
    const opt = new optim.Adam([p], { lr: 0.1 });
    for (let t = 1; t <= 5; t++) {
      p.grad = tensor([0.5, -20]);
      opt.step();
      expect(p.data[0]).toBeCloseTo(1 - 0.1 * t, 5);
      expect(p.data[1]).toBeCloseTo(-3 + 0.1 * t, 5);
    }
  });

  it('by hand: AdamW shrinks θ by (1 − lr·λ) before the Adam step; Adam adds λθ to the gradient', () => {
    const w = tensor([1], { requiresGrad: true });
    new optim.AdamW([w], { lr: 0.1, weightDecay: 0.1 }).step(); // no grad: nothing happens, not even decay
    expect(w.data[0]).toBe(1);
    const optW = new optim.AdamW([w], { lr: 0.1, weightDecay: 0.1 });
    w.grad = tensor([0.5]);
    optW.step();
    expect(w.data[0]).toBeCloseTo(1 * (1 - 0.01) - 0.1, 6);
    // Adam with L2: g = 0 + 0.1·θ; the first step still moves exactly lr (= sign of the decayed gradient).
    const a = tensor([1], { requiresGrad: true });
    const optA = new optim.Adam([a], { lr: 0.1, weightDecay: 0.1 });
    a.grad = tensor([0]);
    optA.step();
    expect(a.data[0]).toBeCloseTo(0.9, 6);
  });
});

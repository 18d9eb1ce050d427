import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index.ts';
import { expectTracesClose, gradPlan, initValues, runOptimizer, runReference } from './helpers.ts';

interface RmspropRef { lr: number; alpha: number; eps: number; momentum: number; centered: boolean; weightDecay: number }

/** RMSprop as PyTorch documents it (ε added after the square root), in float64. */
function rmspropReference(init: number[][], plan: (number[] | null)[][], o: RmspropRef): number[][][] {
  const zeros = (n: number): number[] => new Array<number>(n).fill(0);
  return runReference(init, plan, (n) => ({ v: zeros(n), gAvg: zeros(n), b: zeros(n) }), (theta, grad, s) => {
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i] + o.weightDecay * theta[i];
      s.v[i] = o.alpha * s.v[i] + (1 - o.alpha) * g * g;
      let vTilde = s.v[i];
      if (o.centered) {
        s.gAvg[i] = o.alpha * s.gAvg[i] + (1 - o.alpha) * g;
        vTilde -= s.gAvg[i] * s.gAvg[i];
      }
      const d = g / (Math.sqrt(vTilde) + o.eps);
      if (o.momentum > 0) {
        s.b[i] = o.momentum * s.b[i] + d;
        theta[i] -= o.lr * s.b[i];
      } else {
        theta[i] -= o.lr * d;
      }
    }
  });
}

const defaults: RmspropRef = { lr: 0.01, alpha: 0.99, eps: 1e-8, momentum: 0, centered: false, weightDecay: 0 };

describe('RMSprop against a float64 reference', () => {
  const sizes = [5, 2];
  const cases: [string, Partial<RmspropRef>][] = [
    ['defaults', {}],
    ['alpha 0.9', { alpha: 0.9, lr: 0.05 }],
    ['large eps (added outside the root)', { eps: 0.3, lr: 0.1 }],
    ['weightDecay', { weightDecay: 0.2, lr: 0.02 }],
    ['momentum', { momentum: 0.9, lr: 0.01 }],
    ['centered', { centered: true, alpha: 0.9, lr: 0.01 }],
    ['centered + momentum + weightDecay', { centered: true, momentum: 0.5, weightDecay: 0.1, alpha: 0.8, lr: 0.01 }],
  ];
  for (const [name, o] of cases) {
    it(`${name}: 10 steps`, () => {
      const plan = gradPlan(33, 10, sizes, [[6, 0]]);
      const init = initValues(sizes);
      const expected = rmspropReference(init, plan, { ...defaults, ...o });
      // Centered RMSprop divides by √(v − ḡ²), which loses relative precision to cancellation.
      expectTracesClose(runOptimizer((ps) => new optim.RMSprop(ps, o), init, plan), expected, o.centered ? 1e-4 : 2e-5);
    });
  }

  it('by hand: θ₀ = 1, g = 1, defaults: v = 0.01, θ₁ = 1 − 0.01·1/0.1 = 0.9', () => {
    const p = tensor([1], { requiresGrad: true });
    const opt = new optim.RMSprop([p]);
    p.grad = tensor([1]);
    opt.step();
    expect(p.data[0]).toBeCloseTo(0.9, 6);
  });
});

import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index.ts';
import { expectTracesClose, gradPlan, initValues, runOptimizer, runReference } from './helpers.ts';

interface Ref { lr: number; rho: number; eps: number; weightDecay: number }

/** Adadelta (Zeiler 2012, with PyTorch's lr and ε inside both roots), in float64. */
function reference(init: number[][], plan: (number[] | null)[][], o: Ref): number[][][] {
  return runReference(init, plan, (n) => ({ v: new Array<number>(n).fill(0), u: new Array<number>(n).fill(0) }), (theta, grad, s) => {
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i] + o.weightDecay * theta[i];
      s.v[i] = o.rho * s.v[i] + (1 - o.rho) * g * g;
      const delta = (Math.sqrt(s.u[i] + o.eps) / Math.sqrt(s.v[i] + o.eps)) * g;
      s.u[i] = o.rho * s.u[i] + (1 - o.rho) * delta * delta;
      theta[i] -= o.lr * delta;
    }
  });
}

const defaults: Ref = { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0 };

describe('Adadelta against a float64 reference, 48 steps', () => {
  const sizes = [5, 3];
  const cases: [string, Partial<Ref>][] = [
    ['defaults', {}],
    ['lr 0.5, rho 0.5', { lr: 0.5, rho: 0.5 }],
    ['large eps (inside both roots)', { eps: 0.01 }],
    ['L2 weight decay', { weightDecay: 0.2, lr: 2 }],
    ['rho 0: no memory', { rho: 0 }],
    ['rho 1: the averages never move, every step is √ε/√ε·g', { rho: 1, lr: 0.1 }],
  ];
  // Each case twice: the fused program (default) and the tensor-op reference (fused: false).
  for (const fused of [true, false]) for (const [name, o] of cases) {
    it(`${name}${fused ? '' : ' (fused: false)'}`, () => {
      const plan = gradPlan(61, 48, sizes, [[0, 1], [20, 0], [21, 0]]);
      const init = initValues(sizes);
      const actual = runOptimizer((ps) => new optim.Adadelta(ps, { ...o, fused }), init, plan);
      expectTracesClose(actual, reference(init, plan, { ...defaults, ...o }));
    });
  }

  it('by hand: the first step is about √ε in size, whatever the gradient', () => {
    const p = tensor([0, 0], { requiresGrad: true });
    const opt = new optim.Adadelta([p]);
    p.grad = tensor([3, -0.01]);
    opt.step();
    // v = 0.1·g², Δ = √ε/√(0.1g² + ε)·g ≈ √ε/√0.1 · sign(g) = 3.16e-3·sign(g) for |g| ≫ √(10ε)
    expect(p.data[0]).toBeCloseTo(-Math.sqrt(1e-6) / Math.sqrt(0.1 * 9 + 1e-6) * 3, 7);
    expect(p.data[1]).toBeCloseTo(Math.sqrt(1e-6) / Math.sqrt(0.1 * 1e-4 + 1e-6) * 0.01, 7);
  });
});

import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index.ts';
import { expectTracesClose, gradPlan, initValues, runOptimizer, runReference } from './helpers.ts';

interface SgdRef { lr: number; momentum?: number; dampening?: number; nesterov?: boolean; weightDecay?: number }

/** PyTorch's SGD as its documentation states it, in float64. */
function sgdReference(init: number[][], plan: (number[] | null)[][], o: SgdRef | SgdRef[]): number[][][] {
  const opts = (p: number): SgdRef => (Array.isArray(o) ? o[p] : o);
  return runReference(init, plan, (n) => ({ b: new Array<number>(n).fill(0), t: 0 }), (theta, grad, s, p) => {
    const { lr, momentum: mu = 0, dampening: tau = 0, nesterov = false, weightDecay: wd = 0 } = opts(p);
    s.t += 1;
    for (let i = 0; i < theta.length; i++) {
      let g = grad[i] + wd * theta[i];
      if (mu !== 0) {
        s.b[i] = s.t > 1 ? mu * s.b[i] + (1 - tau) * g : g;
        g = nesterov ? g + mu * s.b[i] : s.b[i];
      }
      theta[i] -= lr * g;
    }
  });
}

const sizes = [3, 5];

describe('SGD against a float64 reference of PyTorch\'s rule', () => {
  const cases: [string, SgdRef][] = [
    ['plain', { lr: 0.1 }],
    ['weight decay', { lr: 0.05, weightDecay: 0.3 }],
    ['momentum', { lr: 0.05, momentum: 0.9 }],
    ['momentum + dampening', { lr: 0.05, momentum: 0.8, dampening: 0.3 }],
    ['nesterov', { lr: 0.05, momentum: 0.9, nesterov: true }],
    ['nesterov + weight decay', { lr: 0.02, momentum: 0.7, nesterov: true, weightDecay: 0.1 }],
    ['everything but nesterov', { lr: 0.03, momentum: 0.95, dampening: 0.5, weightDecay: 0.05 }],
  ];
  for (const [name, o] of cases) {
    it(`${name}: 8 steps on two parameters, one of which misses a gradient`, () => {
      const plan = gradPlan(7, 8, sizes, [[2, 1], [5, 0]]);
      const init = initValues(sizes);
      expectTracesClose(runOptimizer((ps) => new optim.SGD(ps, o), init, plan), sgdReference(init, plan, o));
    });
  }

  it('the momentum buffer starts as the first gradient (not as (1 − dampening)·g)', () => {
    // θ₀ = 1, g = 1 twice, lr 0.1, μ 0.9, τ 0.5 — by hand: b₁ = 1, θ₁ = 0.9; b₂ = 0.9·1 + 0.5·1 = 1.4, θ₂ = 0.76.
    const p = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 });
    p.grad = tensor([1]);
    opt.step();
    expect(p.data[0]).toBeCloseTo(0.9, 6);
    p.grad = tensor([1]);
    opt.step();
    expect(p.data[0]).toBeCloseTo(0.76, 6);
  });

  it('nesterov by hand: θ₁ = θ₀ − lr·(1 + μ)·g on the first step', () => {
    const p = tensor([2, -1], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.5, nesterov: true });
    p.grad = tensor([1, 4]);
    opt.step();
    expect(Array.from(p.data)).toEqual([Math.fround(2 - 0.15), Math.fround(-1 - 0.6)]);
  });

  it('parameter groups keep their own options', () => {
    const groupOpts: SgdRef[] = [{ lr: 0.1, momentum: 0.9 }, { lr: 0.01, momentum: 0, weightDecay: 0.5 }];
    const plan = gradPlan(11, 6, sizes);
    const init = initValues(sizes);
    const actual = runOptimizer(
      ([a, b]) => new optim.SGD([{ params: [a], momentum: 0.9 }, { params: [b], lr: 0.01, weightDecay: 0.5 }], { lr: 0.1 }),
      init, plan,
    );
    expectTracesClose(actual, sgdReference(init, plan, groupOpts));
  });
});

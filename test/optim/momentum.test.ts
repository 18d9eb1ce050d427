import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index.ts';
import { expectTracesClose, gradPlan, initValues, runOptimizer, runReference } from './helpers.ts';

interface MomentumRef { lr: number; momentum: number; variant: 'classical' | 'ema'; nesterov: boolean }

/** The two textbook momentum forms, v₀ = 0, in float64. */
function momentumReference(init: number[][], plan: (number[] | null)[][], o: MomentumRef): number[][][] {
  const { lr, momentum: mu, variant, nesterov } = o;
  return runReference(init, plan, (n) => new Array<number>(n).fill(0), (theta, g, v) => {
    for (let i = 0; i < theta.length; i++) {
      if (variant === 'classical') {
        v[i] = mu * v[i] + g[i];
        theta[i] -= lr * (nesterov ? g[i] + mu * v[i] : v[i]);
      } else {
        v[i] = mu * v[i] + (1 - mu) * g[i];
        theta[i] -= lr * (nesterov ? mu * v[i] + (1 - mu) * g[i] : v[i]);
      }
    }
  });
}

describe('Momentum against float64 references of both textbook forms', () => {
  const sizes = [4, 2];
  for (const variant of ['classical', 'ema'] as const) {
    for (const nesterov of [false, true]) {
      for (const momentum of [0.9, 0.5]) {
        it(`${variant}${nesterov ? ' + nesterov' : ''}, μ = ${momentum}: 10 steps`, () => {
          const o: MomentumRef = { lr: 0.05, momentum, variant, nesterov };
          const plan = gradPlan(3, 10, sizes, [[4, 0]]);
          const init = initValues(sizes);
          expectTracesClose(runOptimizer((ps) => new optim.Momentum(ps, o), init, plan), momentumReference(init, plan, o));
        });
      }
    }
  }

  it('defaults to classical momentum 0.9', () => {
    const o: MomentumRef = { lr: 0.05, momentum: 0.9, variant: 'classical', nesterov: false };
    const plan = gradPlan(5, 6, sizes);
    const init = initValues(sizes);
    expectTracesClose(runOptimizer((ps) => new optim.Momentum(ps, { lr: 0.05 }), init, plan), momentumReference(init, plan, o));
  });

  it('by hand, θ₀ = 1, g = 1, lr 0.1, μ 0.9: classical 0.9, 0.71; ema 0.99, 0.971', () => {
    for (const [variant, expected] of [['classical', [0.9, 0.71]], ['ema', [0.99, 0.971]]] as const) {
      const p = tensor([1], { requiresGrad: true });
      const opt = new optim.Momentum([p], { lr: 0.1, momentum: 0.9, variant });
      for (const e of expected) {
        p.grad = tensor([1]);
        opt.step();
        expect(p.data[0]).toBeCloseTo(e, 6);
      }
    }
  });

  it('classical momentum takes the same steps as SGD with that momentum', () => {
    const plan = gradPlan(9, 7, sizes);
    const init = initValues(sizes);
    const a = runOptimizer((ps) => new optim.Momentum(ps, { lr: 0.03, momentum: 0.8, nesterov: true }), init, plan);
    const b = runOptimizer((ps) => new optim.SGD(ps, { lr: 0.03, momentum: 0.8, nesterov: true }), init, plan);
    expect(a).toEqual(b);
  });

  it('ema with lr is classical with lr·(1 − μ): v_ema = (1 − μ)·v_classical at every step', () => {
    for (const nesterov of [false, true]) {
      const plan = gradPlan(17, 12, sizes);
      const init = initValues(sizes);
      const ema = runOptimizer((ps) => new optim.Momentum(ps, { lr: 0.2, momentum: 0.75, variant: 'ema', nesterov }), init, plan);
      const classical = runOptimizer((ps) => new optim.Momentum(ps, { lr: 0.05, momentum: 0.75, nesterov }), init, plan);
      expectTracesClose(ema, classical, 1e-5, 1e-6);
    }
  });

  it('momentum 0 is plain gradient descent in both forms', () => {
    for (const variant of ['classical', 'ema'] as const) {
      const p = tensor([1, 2], { requiresGrad: true });
      const opt = new optim.Momentum([p], { lr: 0.5, momentum: 0, variant });
      p.grad = tensor([1, -2]);
      opt.step();
      expect(Array.from(p.data)).toEqual([0.5, 3]);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { optim, tensor, type Tensor } from '../../src/index.ts';

type Make = (params: Tensor[]) => optim.Optimizer<optim.BaseOptions>;

/**
 * The classic worked example: L(θ₁, θ₂) = (θ₁ − 1)² + (θ₂ − 2)², from θ₀ = (0.5, 0.5),
 * lr 0.01 and momentum 0.9 wherever an optimizer has them. Gradients come from backward().
 */
function quadratic(make: Make, steps: number): number[] {
  const theta = tensor([0.5, 0.5], { requiresGrad: true });
  const target = tensor([1, 2]);
  const opt = make([theta]);
  for (let t = 0; t < steps; t++) {
    opt.zeroGrad();
    theta.sub(target).pow(2).sum().backward();
    opt.step();
  }
  return Array.from(theta.data);
}

/** Rosenbrock's valley f = (1 − x)² + 100(y − x²)² from (−1.2, 1), with its analytic gradient. */
function rosenbrock(make: Make, steps: number): number[] {
  const xy = tensor([-1.2, 1], { requiresGrad: true });
  const opt = make([xy]);
  for (let t = 0; t < steps; t++) {
    const [x, y] = xy.data;
    xy.grad = tensor([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]);
    opt.step();
  }
  return Array.from(xy.data);
}

const distance = (p: number[], q: number[]): number => Math.hypot(p[0] - q[0], p[1] - q[1]);

describe('every optimizer converges to (1, 2) on the worked quadratic (lr 0.01, momentum 0.9)', () => {
  const cases: [string, Make, number][] = [
    ['SGD', (ps) => new optim.SGD(ps, { lr: 0.01 }), 1000],
    ['SGD + momentum 0.9', (ps) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9 }), 500],
    ['SGD + Nesterov momentum 0.9', (ps) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9, nesterov: true }), 500],
    ['Momentum classical', (ps) => new optim.Momentum(ps, { lr: 0.01, momentum: 0.9 }), 500],
    ['Momentum ema', (ps) => new optim.Momentum(ps, { lr: 0.01, momentum: 0.9, variant: 'ema' }), 1000],
    ['Momentum ema + Nesterov', (ps) => new optim.Momentum(ps, { lr: 0.01, momentum: 0.9, variant: 'ema', nesterov: true }), 1000],
    // AdaGrad's steps shrink like lr/√t, so at lr 0.01 it needs ~39 000 steps to get within
    // 1e-3; lr 0.5 is the stated exception (see the test below).
    ['AdaGrad (lr 0.5)', (ps) => new optim.AdaGrad(ps, { lr: 0.5 }), 500],
    ['RMSprop', (ps) => new optim.RMSprop(ps, { lr: 0.01 }), 1000],
    ['RMSprop + momentum 0.9', (ps) => new optim.RMSprop(ps, { lr: 0.01, momentum: 0.9 }), 1000],
    ['RMSprop centered', (ps) => new optim.RMSprop(ps, { lr: 0.01, centered: true }), 1000],
    ['Adam', (ps) => new optim.Adam(ps, { lr: 0.01 }), 2000],
    ['Adam + amsgrad', (ps) => new optim.Adam(ps, { lr: 0.01, amsgrad: true }), 2000],
    // Decoupled decay pulls towards 0 by lr·λ·θ per step; Adam's normalised step can balance
    // that with an ever smaller gradient, so AdamW still reaches (1, 2), only more slowly.
    ['AdamW (weightDecay 0.01)', (ps) => new optim.AdamW(ps, { lr: 0.01 }), 5000],
  ];
  for (const [name, make, steps] of cases) {
    it(`${name}: within 1e-3 of (1, 2) after ${steps} steps`, () => {
      expect(distance(quadratic(make, steps), [1, 2])).toBeLessThan(1e-3);
    });
  }

  it('AdaGrad at lr 0.01 is still far from (1, 2) after 1000 steps — why the test above uses lr 0.5', () => {
    const [, theta2] = quadratic((ps) => new optim.AdaGrad(ps, { lr: 0.01 }), 1000);
    expect(theta2).toBeLessThan(1.2);
  });
});

describe('Rosenbrock: optimizers reach the minimum (1, 1) at the bottom of the curved valley', () => {
  const cases: [string, Make, number, number][] = [
    ['SGD lr 1e-3', (ps) => new optim.SGD(ps, { lr: 1e-3 }), 15000, 1e-2],
    ['SGD lr 1e-3 + momentum 0.9', (ps) => new optim.SGD(ps, { lr: 1e-3, momentum: 0.9 }), 3000, 1e-3],
    ['Momentum Nesterov lr 1e-3', (ps) => new optim.Momentum(ps, { lr: 1e-3, nesterov: true }), 3000, 1e-3],
    // ema momentum with lr 1e-2 takes the classical path of lr 1e-3 = lr·(1 − μ).
    ['Momentum ema lr 1e-2', (ps) => new optim.Momentum(ps, { lr: 1e-2, variant: 'ema' }), 3000, 1e-3],
    ['AdaGrad lr 0.5', (ps) => new optim.AdaGrad(ps, { lr: 0.5 }), 10000, 1e-2],
    ['RMSprop lr 1e-3', (ps) => new optim.RMSprop(ps, { lr: 1e-3 }), 10000, 1e-2],
    ['Adam lr 0.02', (ps) => new optim.Adam(ps, { lr: 0.02 }), 5000, 1e-3],
    ['AdamW lr 0.02, weightDecay 0', (ps) => new optim.AdamW(ps, { lr: 0.02, weightDecay: 0 }), 5000, 1e-3],
  ];
  for (const [name, make, steps, tol] of cases) {
    it(`${name}: within ${tol} of (1, 1) after ${steps} steps`, () => {
      expect(distance(rosenbrock(make, steps), [1, 1])).toBeLessThan(tol);
    });
  }
});

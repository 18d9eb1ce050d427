import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index.ts';
import { expectTracesClose, gradPlan, initValues, runOptimizer, runReference } from './helpers.ts';

interface Ref { lr: number; betas: [number, number]; weightDecay: number }

/** Lion, from Algorithm 2 of Chen et al. (2023), in float64. */
function reference(init: number[][], plan: (number[] | null)[][], o: Ref): number[][][] {
  const [b1, b2] = o.betas;
  return runReference(init, plan, (n) => ({ m: new Array<number>(n).fill(0) }), (theta, grad, s) => {
    for (let i = 0; i < theta.length; i++) {
      const c = b1 * s.m[i] + (1 - b1) * grad[i];
      theta[i] -= o.lr * (Math.sign(c) + o.weightDecay * theta[i]);
      s.m[i] = b2 * s.m[i] + (1 - b2) * grad[i];
    }
  });
}

const defaults: Ref = { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0 };

describe('Lion against a float64 reference of the paper\'s algorithm, 48 steps', () => {
  const sizes = [5, 3];
  const cases: [string, Partial<Ref>][] = [
    ['defaults', {}],
    ['lr 0.01, betas (0.5, 0.8)', { lr: 0.01, betas: [0.5, 0.8] }],
    ['decoupled weight decay', { lr: 0.01, weightDecay: 1 }],
    ['beta1 0: the sign of the gradient itself', { lr: 0.01, betas: [0, 0.99] }],
    ['beta2 1: the momentum stays at 0, so after step 1 c = (1 − β₁)g', { lr: 0.01, betas: [0.9, 1] }],
  ];
  // Each case twice: the fused program (default) and the tensor-op reference (fused: false).
  for (const fused of [true, false]) for (const [name, o] of cases) {
    it(`${name}${fused ? '' : ' (fused: false)'}`, () => {
      const plan = gradPlan(63, 48, sizes, [[0, 0], [5, 1], [6, 1]]);
      const init = initValues(sizes);
      expectTracesClose(runOptimizer((ps) => new optim.Lion(ps, { ...o, fused }), init, plan), reference(init, plan, { ...defaults, ...o }), 1e-6, 1e-7);
    });
  }

  it('by hand: every coordinate moves by exactly lr; a zero gradient does not move it', () => {
    const p = tensor([1, 1, 1], { requiresGrad: true });
    const opt = new optim.Lion([p], { lr: 0.25 });
    p.grad = tensor([1e-6, -300, 0]);
    opt.step();
    expect(Array.from(p.data)).toEqual([0.75, 1.25, 1]);
  });
});

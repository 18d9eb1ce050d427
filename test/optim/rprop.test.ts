import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index.ts';
import { expectTracesClose, gradPlan, initValues, runOptimizer, runReference } from './helpers.ts';

interface Ref { lr: number; etas: [number, number]; stepSizes: [number, number] }

/** Rprop as PyTorch states it (Riedmiller & Braun 1993, without weight backtracking), in float64. */
function reference(init: number[][], plan: (number[] | null)[][], o: Ref): number[][][] {
  const [etaMinus, etaPlus] = o.etas;
  const [min, max] = o.stepSizes;
  return runReference(init, plan, (n) => ({ prev: new Array<number>(n).fill(0), eta: new Array<number>(n).fill(Math.fround(o.lr)) }), (theta, grad, s) => {
    for (let i = 0; i < theta.length; i++) {
      let g = grad[i];
      const product = g * s.prev[i];
      if (product > 0) s.eta[i] = Math.min(Math.max(s.eta[i] * etaPlus, min), max);
      else if (product < 0) {
        s.eta[i] = Math.min(Math.max(s.eta[i] * etaMinus, min), max);
        g = 0;
      } else s.eta[i] = Math.min(Math.max(s.eta[i], min), max);
      theta[i] -= s.eta[i] * Math.sign(g);
      s.prev[i] = g;
    }
  });
}

const defaults: Ref = { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50] };

/** Gradients of a quadratic bowl around 3 plus noise, so signs persist for a while and then flip. */
function bowlRun(steps: number, init: number[][], o: Partial<Ref>, fused: boolean): [number[][][], number[][][]] {
  const noise = gradPlan(66, steps, init.map((v) => v.length));
  {
    // The gradient depends on θ, so the float32 optimizer and the float64 reference each get
    // their own; both are rounded to float32 from the same float64 formula.
    const grad = (theta: number[], t: number, p: number): number[] => theta.map((v, i) => Math.fround(2 * (v - 3) + 0.5 * (noise[t][p] as number[])[i]));
    const params = init.map((v) => tensor(v, { requiresGrad: true }));
    const opt = new optim.Rprop(params, { ...o, fused });
    const actual: number[][][] = [];
    for (let t = 0; t < steps; t++) {
      params.forEach((p, i) => { p.grad = tensor(grad(Array.from(p.data), t, i)); });
      opt.step();
      actual.push(params.map((p) => Array.from(p.data)));
    }
    // The reference sees the gradients the optimizer saw (recorded from its own trace).
    const seen = actual.map((_, t) => (t === 0 ? init : actual[t - 1]).map((theta, p) => grad(theta, t, p)));
    return [actual, reference(init, seen, { ...defaults, ...o })];
  }
}

describe('Rprop against a float64 reference, 48 steps', () => {
  const sizes = [5, 3];
  const cases: [string, Partial<Ref>][] = [
    ['defaults', {}],
    ['lr 0.3 (the initial step size)', { lr: 0.3 }],
    ['etas (0.3, 1.5)', { lr: 0.1, etas: [0.3, 1.5] }],
    ['tight stepSizes clamp both ways', { lr: 0.1, stepSizes: [0.02, 0.15] }],
  ];
  // Each case twice: the fused program (default) and the tensor-op reference (fused: false).
  for (const fused of [true, false]) for (const [name, o] of cases) {
    it(`${name}${fused ? '' : ' (fused: false)'}, random gradients`, () => {
      const plan = gradPlan(67, 48, sizes, [[0, 1], [11, 0]]);
      const init = initValues(sizes);
      expectTracesClose(runOptimizer((ps) => new optim.Rprop(ps, { ...o, fused }), init, plan), reference(init, plan, { ...defaults, ...o }), 1e-6, 1e-6);
    });
    it(`${name}${fused ? '' : ' (fused: false)'}, a noisy bowl (signs persist, then flip near the minimum)`, () => {
      const [actual, expected] = bowlRun(48, initValues(sizes), o, fused);
      expectTracesClose(actual, expected, 1e-6, 1e-6);
    });
  }

  it('by hand: steps grow by η₊ while the sign holds; a flip shrinks the step and skips the move', () => {
    const p = tensor([0], { requiresGrad: true });
    const opt = new optim.Rprop([p], { lr: 0.1 });
    const seq: number[] = [];
    for (const g of [1, 1, 1, -1, -1]) {
      p.grad = tensor([g]);
      opt.step();
      seq.push(p.data[0]);
    }
    // steps: 0.1, 0.12, 0.144; then the flip: η → 0.072, no move, g_prev ← 0; then a neutral step of 0.072 upward
    const expected = [-0.1, -0.22, -0.364, -0.364, -0.292];
    seq.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });
});

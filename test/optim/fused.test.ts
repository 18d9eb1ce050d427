/**
 * Every optimizer's fused update program against its tensor-op reference (`fused: false`),
 * over 48 steps, on every backend there is: the cpu backend, the gpu backend in gpu.js's cpu
 * mode (the same generated kernels run as JavaScript) and, where headless-gl opens a context
 * (under xvfb), real GLSL. Parameters and every state buffer are compared after each step.
 *
 * The two forms round differently — the reference stores every intermediate as float32, the
 * cpu program keeps them in float64 until the final store — so they agree to float32
 * rounding accumulated over the steps, not bit for bit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { glAvailable, noticeIfSkipped } from '../backend/gpu/support.ts';
import { gradPlan, initValues } from './helpers.ts';

noticeIfSkipped('optim/fused.test.ts');

type Make = (ps: tg.Tensor[], fused: boolean) => tg.optim.Optimizer<tg.optim.BaseOptions>;

// Options chosen so that every line of every program runs: momentum and Nesterov, AMSGrad,
// centred RMSprop, both weight-decay forms, RAdam on both sides of its rectification
// threshold, Rprop's step sizes hitting both bounds.
const optimizers: [string, Make][] = [
  ['SGD (momentum 0.9, nesterov, weightDecay)', (ps, fused) => new tg.optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01, fused })],
  ['SGD (momentum, dampening)', (ps, fused) => new tg.optim.SGD(ps, { lr: 0.05, momentum: 0.8, dampening: 0.3, fused })],
  ['SGD (plain)', (ps, fused) => new tg.optim.SGD(ps, { lr: 0.05, fused })],
  ['Momentum (ema, nesterov)', (ps, fused) => new tg.optim.Momentum(ps, { lr: 0.05, variant: 'ema', nesterov: true, fused })],
  ['Momentum (classical)', (ps, fused) => new tg.optim.Momentum(ps, { lr: 0.05, fused })],
  ['AdaGrad (lrDecay, weightDecay)', (ps, fused) => new tg.optim.AdaGrad(ps, { lr: 0.1, lrDecay: 0.05, weightDecay: 0.1, initialAccumulatorValue: 0.1, fused })],
  ['RMSprop (centered, momentum, weightDecay)', (ps, fused) => new tg.optim.RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.5, weightDecay: 0.1, fused })],
  ['RMSprop (plain)', (ps, fused) => new tg.optim.RMSprop(ps, { lr: 0.01, fused })],
  ['Adam (amsgrad, weightDecay)', (ps, fused) => new tg.optim.Adam(ps, { lr: 0.02, amsgrad: true, weightDecay: 0.1, betas: [0.8, 0.9], fused })],
  ['AdamW', (ps, fused) => new tg.optim.AdamW(ps, { lr: 0.02, weightDecay: 0.3, fused })],
  ['Adadelta (weightDecay)', (ps, fused) => new tg.optim.Adadelta(ps, { rho: 0.8, weightDecay: 0.1, fused })],
  ['Adamax (weightDecay)', (ps, fused) => new tg.optim.Adamax(ps, { lr: 0.02, weightDecay: 0.1, fused })],
  ['NAdam (L2 weight decay)', (ps, fused) => new tg.optim.NAdam(ps, { lr: 0.02, weightDecay: 0.1, momentumDecay: 0.05, fused })],
  ['NAdam (decoupled weight decay)', (ps, fused) => new tg.optim.NAdam(ps, { lr: 0.02, weightDecay: 0.1, decoupledWeightDecay: true, fused })],
  // β₂ = 0.9: steps 1–5 are plain momentum, the rectified steps start at 6.
  ['RAdam (both sides of the threshold, L2)', (ps, fused) => new tg.optim.RAdam(ps, { lr: 0.02, betas: [0.9, 0.9], weightDecay: 0.1, fused })],
  ['RAdam (decoupled weight decay)', (ps, fused) => new tg.optim.RAdam(ps, { lr: 0.02, weightDecay: 0.1, decoupledWeightDecay: true, fused })],
  ['Rprop (step sizes clamped both ways)', (ps, fused) => new tg.optim.Rprop(ps, { lr: 0.05, etas: [0.4, 1.5], stepSizes: [0.01, 0.12], fused })],
  ['Lion (weightDecay)', (ps, fused) => new tg.optim.Lion(ps, { lr: 0.01, weightDecay: 0.5, fused })],
];

const STEPS = 48;
// A matrix, a vector and a single value; the vector gets no gradient at steps 3 and 4.
const shapes = [[7, 5], [6], [1]];
const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));

interface Trace {
  /** Per step, per parameter: its values. */
  params: number[][][];
  /** After the last step: every buffer of every parameter, by "parameter/buffer". */
  buffers: Map<string, number[]>;
}

function run(make: Make, fused: boolean): Trace {
  const init = initValues(sizes);
  const params = init.map((v, i) => tg.tensor(v, { shape: shapes[i], requiresGrad: true }));
  const opt = make(params, fused);
  const trace: number[][][] = [];
  for (const grads of gradPlan(77, STEPS, sizes, [[3, 1], [4, 1]])) {
    opt.zeroGrad();
    grads.forEach((g, i) => { if (g) params[i].grad = tg.tensor(g, { shape: shapes[i] }); });
    opt.step();
    trace.push(params.map((p) => Array.from(p.data)));
  }
  const buffers = new Map<string, number[]>();
  for (const [index, s] of Object.entries(opt.stateDict().state)) {
    for (const [name, b] of Object.entries(s.buffers)) buffers.set(`${index}/${name}`, Array.from(b.data));
  }
  return { params: trace, buffers };
}

/**
 * |fused − reference| ≤ 1e-5·|reference| + 1e-6·scale, where scale is the largest magnitude
 * in the same parameter or buffer: float32 rounding accumulated over 48 steps (about
 * 10⁻⁶ relative as measured on the cpu, 2·10⁻⁶ at worst; the rest is room for GLSL). Tied to
 * each quantity's own scale, so a buffer of values near 1e-6 (Adadelta's accDelta) is held
 * to its own precision, not to the parameters'.
 */
function expectAllClose(got: number[], want: number[], where: string): void {
  const scale = Math.max(...want.map(Math.abs));
  got.forEach((v, j) => {
    const w = want[j];
    if (!(Math.abs(v - w) <= 1e-5 * Math.abs(w) + 1e-6 * scale)) expect.fail(`${where}, element ${j}: fused ${v}, reference ${w}`);
  });
}

function expectFusedMatchesReference(make: Make): void {
  const fused = run(make, true);
  const reference = run(make, false);
  fused.params.forEach((step, t) => step.forEach((param, i) => expectAllClose(param, reference.params[t][i], `step ${t + 1}, parameter ${i}`)));
  expect([...fused.buffers.keys()]).toEqual([...reference.buffers.keys()]);
  for (const [key, values] of fused.buffers) expectAllClose(values, reference.buffers.get(key)!, `buffer ${key}`);
  // The runs moved the parameters: agreeing by standing still would prove nothing.
  const init = initValues(sizes);
  const moved = Math.max(...fused.params[STEPS - 1].flatMap((param, i) => param.map((v, j) => Math.abs(v - init[i][j]))));
  expect(moved).toBeGreaterThan(0.01);
}

afterEach(() => tg.setBackend('cpu'));

describe('fused update programs match their tensor-op references over 48 steps: cpu backend', () => {
  for (const [name, make] of optimizers) it(name, () => expectFusedMatchesReference(make));
});

describe('fused update programs match their tensor-op references over 48 steps: gpu backend, gpu.js cpu mode', () => {
  for (const [name, make] of optimizers) {
    it(name, () => {
      tg.setBackend('gpu', { mode: 'cpu' });
      expectFusedMatchesReference(make);
    });
  }
});

describe.skipIf(!glAvailable)('fused update programs match their tensor-op references over 48 steps: gpu backend, headlessgl (GLSL)', () => {
  for (const [name, make] of optimizers) {
    it(name, () => {
      tg.setBackend('gpu', { mode: 'headlessgl' });
      expectFusedMatchesReference(make);
    });
  }
});

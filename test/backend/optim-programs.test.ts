/**
 * Each optimizer's fused update program against its `fused: false` reference written in
 * tensor ops, on every backend: 48 steps, every option combination that changes the program,
 * a parameter that misses a gradient on one step, and a shrinking gradient (so AMSGrad's
 * running max matters). Parameters and every state buffer are compared after each step. On
 * the gpu, the fused run is also held to the cpu's.
 */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { BACKENDS, forEachBackend, useBackend } from '../helpers/backends.ts';
import { expectNear } from '../helpers/close.ts';
import { random } from '../helpers/random.ts';

const { optim } = tg;
type Opt = { step(): void; zeroGrad(): void; stateDict(): tg.optim.OptimizerStateDict };
type Make = (params: tg.Tensor[], fused: boolean) => Opt;

const CONFIGS: [string, Make][] = [
  ['SGD plain', (p, fused) => new optim.SGD(p, { lr: 0.1, fused })],
  ['SGD weightDecay', (p, fused) => new optim.SGD(p, { lr: 0.1, weightDecay: 0.05, fused })],
  ['SGD momentum', (p, fused) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, fused })],
  ['SGD momentum, dampening, weightDecay', (p, fused) => new optim.SGD(p, { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01, fused })],
  ['SGD nesterov, weightDecay', (p, fused) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.001, fused })],
  ['Momentum classical', (p, fused) => new optim.Momentum(p, { lr: 0.05, fused })],
  ['Momentum ema', (p, fused) => new optim.Momentum(p, { lr: 0.05, momentum: 0.8, variant: 'ema', fused })],
  ['Momentum classical nesterov', (p, fused) => new optim.Momentum(p, { lr: 0.05, nesterov: true, fused })],
  ['Momentum ema nesterov', (p, fused) => new optim.Momentum(p, { lr: 0.05, variant: 'ema', nesterov: true, fused })],
  ['Momentum 0', (p, fused) => new optim.Momentum(p, { lr: 0.05, momentum: 0, fused })],
  ['AdaGrad', (p, fused) => new optim.AdaGrad(p, { lr: 0.1, fused })],
  ['AdaGrad lrDecay, initialAccumulatorValue, weightDecay', (p, fused) => new optim.AdaGrad(p, { lr: 0.1, lrDecay: 0.1, initialAccumulatorValue: 0.5, weightDecay: 0.01, fused })],
  ['RMSprop', (p, fused) => new optim.RMSprop(p, { lr: 0.01, fused })],
  ['RMSprop centered', (p, fused) => new optim.RMSprop(p, { lr: 0.01, centered: true, fused })],
  ['RMSprop momentum, weightDecay', (p, fused) => new optim.RMSprop(p, { lr: 0.01, momentum: 0.9, weightDecay: 0.01, fused })],
  ['RMSprop centered, momentum', (p, fused) => new optim.RMSprop(p, { lr: 0.01, alpha: 0.9, centered: true, momentum: 0.5, fused })],
  ['Adam', (p, fused) => new optim.Adam(p, { lr: 0.01, fused })],
  ['Adam amsgrad, weightDecay', (p, fused) => new optim.Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.05, fused })],
  ['AdamW', (p, fused) => new optim.AdamW(p, { lr: 0.01, fused })],
  ['AdamW amsgrad, betas', (p, fused) => new optim.AdamW(p, { lr: 0.01, amsgrad: true, betas: [0.8, 0.9], weightDecay: 0.1, fused })],
  ['Adadelta', (p, fused) => new optim.Adadelta(p, { fused })],
  ['Adadelta lr, rho, weightDecay', (p, fused) => new optim.Adadelta(p, { lr: 0.5, rho: 0.8, weightDecay: 0.1, fused })],
  ['Adamax', (p, fused) => new optim.Adamax(p, { lr: 0.02, fused })],
  ['Adamax weightDecay', (p, fused) => new optim.Adamax(p, { lr: 0.02, weightDecay: 0.1, fused })],
  ['NAdam', (p, fused) => new optim.NAdam(p, { lr: 0.02, fused })],
  ['NAdam weightDecay, momentumDecay', (p, fused) => new optim.NAdam(p, { lr: 0.02, weightDecay: 0.1, momentumDecay: 0.05, fused })],
  ['NAdam decoupledWeightDecay', (p, fused) => new optim.NAdam(p, { lr: 0.02, weightDecay: 0.1, decoupledWeightDecay: true, fused })],
  // β₂ = 0.999: rectified from step 6 on; β₂ = 0.9 likewise, with a faster-growing r.
  ['RAdam', (p, fused) => new optim.RAdam(p, { lr: 0.02, fused })],
  ['RAdam betas, weightDecay', (p, fused) => new optim.RAdam(p, { lr: 0.02, betas: [0.9, 0.9], weightDecay: 0.1, fused })],
  ['RAdam decoupledWeightDecay', (p, fused) => new optim.RAdam(p, { lr: 0.02, weightDecay: 0.1, decoupledWeightDecay: true, fused })],
  ['Rprop', (p, fused) => new optim.Rprop(p, { lr: 0.05, fused })],
  ['Rprop etas, stepSizes clamped both ways', (p, fused) => new optim.Rprop(p, { lr: 0.05, etas: [0.4, 1.5], stepSizes: [0.01, 0.12], fused })],
  ['Lion', (p, fused) => new optim.Lion(p, { lr: 0.01, fused })],
  ['Lion betas, weightDecay', (p, fused) => new optim.Lion(p, { lr: 0.01, betas: [0.8, 0.95], weightDecay: 0.5, fused })],
];

const SHAPES = [[5, 3], [7]];
const STEPS = 48;

/** Parameter values and state buffers after each step. */
interface Trace { params: number[][][]; buffers: Record<string, number[]>[] }

function train(make: Make, fused: boolean): Trace {
  const params = SHAPES.map((s, i) => tg.tensor(random(s[0] * (s[1] ?? 1), 10 + i, -1, 1), { shape: s, requiresGrad: true }));
  const opt = make(params, fused);
  const trace: Trace = { params: [], buffers: [] };
  for (let step = 0; step < STEPS; step++) {
    opt.zeroGrad();
    params.forEach((p, i) => {
      // Parameter 1 misses step 1; the last step's gradient is small, so v shrinks.
      if (i === 1 && step === 1) return;
      const g = random(p.size, 100 * step + i, -1, 1).map((v) => (step === STEPS - 1 ? 0.1 * v : v));
      p.grad = tg.tensor(g, { shape: [...p.shape] });
    });
    opt.step();
    trace.params.push(params.map((p) => Array.from(p.data)));
    const flat: Record<string, number[]> = {};
    for (const [k, s] of Object.entries(opt.stateDict().state)) {
      for (const [name, b] of Object.entries(s.buffers)) flat[`param ${k} ${name}`] = Array.from(b.data);
    }
    trace.buffers.push(flat);
  }
  return trace;
}

/**
 * The two forms round differently (one rounding per program line vs one per op); a few ulp,
 * grown by the divisions by √v over the steps: 10⁻⁶ relative after 48 steps as measured on
 * the cpu, 2·10⁻⁶ at worst, the rest of 1e-5 is room for GLSL. The absolute part follows each
 * quantity's own scale, so a buffer of values near 1e-6 (Adadelta's accDelta) is held to its
 * own precision, not to the parameters'.
 */
function expectClose(got: number[], want: number[], label: string): void {
  const scale = Math.max(...want.map(Math.abs));
  expectNear(got, want, label, { rtol: 1e-5, atol: 1e-6 * scale });
}

function expectSameTrace(got: Trace, want: Trace, label: string): void {
  for (let s = 0; s < STEPS; s++) {
    got.params[s].forEach((p, i) => expectClose(p, want.params[s][i], `${label}: step ${s + 1} param ${i}`));
    expect(Object.keys(got.buffers[s]).sort(), `${label}: step ${s + 1} buffers`).toEqual(Object.keys(want.buffers[s]).sort());
    for (const [name, b] of Object.entries(want.buffers[s])) expectClose(got.buffers[s][name], b, `${label}: step ${s + 1} ${name}`);
  }
}

forEachBackend('optim-programs.test.ts', (backend) => {
  describe('fused update programs against their tensor-op references', () => {
    for (const [name, make] of CONFIGS) {
      it(name, () => {
        const fused = train(make, true);
        expectSameTrace(fused, train(make, false), `${name} fused vs reference`);
        // The steps did something: parameters moved on every step.
        for (let s = 1; s < STEPS; s++) expect(fused.params[s][0]).not.toEqual(fused.params[s - 1][0]);
        if (backend.name === 'gpu') {
          useBackend(BACKENDS[0]);
          const onCpu = train(make, true);
          useBackend(backend);
          expectSameTrace(fused, onCpu, `${name} gpu vs cpu`);
        }
      });
    }
  });
});

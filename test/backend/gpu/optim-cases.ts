/**
 * Parity cases for the fused optimizer kernels: three consecutive steps of every optimizer
 * configuration on both backends, the gpu side feeding its own outputs (device data) back
 * in, compared after each step for the parameter and every state buffer.
 */
import { it } from 'vitest';
import type { Backend } from '../../../src/backend/backend.ts';
import type { AdamStepOptions, RmspropStepOptions, SgdStepOptions } from '../../../src/backend/optim-kernels.ts';
import type { Storage } from '../../../src/tensor/storage.ts';
import { cpu, expectClose, random } from './support.ts';

const TOL = { rtol: 1e-5, atol: 1e-6 };
/**
 * RMSprop's step g/√v is about ±10 on the first steps ((1 − α) = 0.01), and the momentum
 * buffer is a difference of such terms: compare it to 1e-6 of those terms, not of the result.
 */
const TOL_RMS = { rtol: 1e-5, atol: 1e-5 };

/** Registers the optimizer-kernel parity tests for the backend `gpu()` returns. */
export function optimCases(gpu: () => Backend, large: boolean): void {
  const n = large ? 20_011 : 29;
  const grads = [1, 2, 3].map((s) => random(n, 700 + s));
  const start = random(n, 710);

  it('sgdStep: plain, momentum (first step and after), dampening, Nesterov, weight decay', () => {
    const configs: Omit<SgdStepOptions, 'firstStep'>[] = [
      { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 },
      { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.01 },
      { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0.01 },
      { lr: 0.05, momentum: 0.9, dampening: 0.3, nesterov: false, weightDecay: 0 },
      { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.001 },
    ];
    for (const cfg of configs) {
      let gp: Storage = start, gb: Storage | null = cfg.momentum ? new Float32Array(n) : null;
      const cp = start.slice(), cb = cfg.momentum ? new Float32Array(n) : null;
      grads.forEach((g, step) => {
        const o = { ...cfg, firstStep: step === 0 };
        const got = gpu().sgdStep(gp, g, gb, o);
        const want = cpu.sgdStep(cp, g, cb, o);
        const label = `sgd ${JSON.stringify(o)}`;
        expectClose(got.param, want.param, `${label} param`, TOL);
        if (cb) expectClose(got.momentumBuffer!, want.momentumBuffer!, `${label} buffer`, TOL);
        gp = got.param;
        gb = got.momentumBuffer;
      });
    }
  });

  it('adagradStep matches', () => {
    const o = { lr: 0.1, weightDecay: 0.01, eps: 1e-10 };
    let gp: Storage = start, gs: Storage = new Float32Array(n).fill(0.1);
    const cp = start.slice(), cs = new Float32Array(n).fill(0.1);
    for (const g of grads) {
      const got = gpu().adagradStep(gp, g, gs, o), want = cpu.adagradStep(cp, g, cs, o);
      expectClose(got.param, want.param, 'adagrad param', TOL);
      expectClose(got.sum, want.sum, 'adagrad sum', TOL);
      gp = got.param;
      gs = got.sum;
    }
  });

  it('rmspropStep matches, centered or not, with and without momentum', () => {
    for (const centered of [false, true]) {
      for (const momentum of [0, 0.9]) {
        const o: RmspropStepOptions = { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0.01, momentum, centered };
        let gp: Storage = start, gv: Storage = new Float32Array(n);
        let ga: Storage | null = centered ? new Float32Array(n) : null, gb: Storage | null = momentum ? new Float32Array(n) : null;
        const cp = start.slice(), cv = new Float32Array(n);
        const ca = centered ? new Float32Array(n) : null, cb = momentum ? new Float32Array(n) : null;
        for (const g of grads) {
          const got = gpu().rmspropStep(gp, g, gv, ga, gb, o), want = cpu.rmspropStep(cp, g, cv, ca, cb, o);
          const label = `rmsprop centered=${centered} momentum=${momentum}`;
          expectClose(got.param, want.param, `${label} param`, TOL_RMS);
          expectClose(got.squareAvg, want.squareAvg, `${label} squareAvg`, TOL);
          if (ca) expectClose(got.gradAvg!, want.gradAvg!, `${label} gradAvg`, TOL);
          if (cb) expectClose(got.momentumBuffer!, want.momentumBuffer!, `${label} momentumBuffer`, TOL_RMS);
          gp = got.param; gv = got.squareAvg; ga = got.gradAvg; gb = got.momentumBuffer;
        }
      }
    }
  });

  it('adamStep matches for Adam and AdamW, with and without AMSGrad', () => {
    for (const decoupled of [false, true]) {
      for (const amsgrad of [false, true]) {
        let gp: Storage = start, gm: Storage = new Float32Array(n), gv: Storage = new Float32Array(n);
        let gx: Storage | null = amsgrad ? new Float32Array(n) : null;
        const cp = start.slice(), cm = new Float32Array(n), cv = new Float32Array(n), cx = amsgrad ? new Float32Array(n) : null;
        grads.forEach((g, i) => {
          const t = i + 1;
          const o: AdamStepOptions = {
            lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, decoupled, amsgrad,
            biasCorrection1: 1 - 0.9 ** t, biasCorrection2: 1 - 0.999 ** t,
          };
          // A smaller gradient on the last step makes v shrink, so AMSGrad's max matters.
          const gs = t === 3 ? g.map((v) => v * 0.1) : g;
          const got = gpu().adamStep(gp, gs, gm, gv, gx, o), want = cpu.adamStep(cp, gs, cm, cv, cx, o);
          const label = `adam decoupled=${decoupled} amsgrad=${amsgrad} step ${t}`;
          expectClose(got.param, want.param, `${label} param`, TOL);
          expectClose(got.expAvg, want.expAvg, `${label} expAvg`, TOL);
          expectClose(got.expAvgSq, want.expAvgSq, `${label} expAvgSq`, TOL);
          if (cx) expectClose(got.maxExpAvgSq!, want.maxExpAvgSq!, `${label} maxExpAvgSq`, TOL);
          gp = got.param; gm = got.expAvg; gv = got.expAvgSq; gx = got.maxExpAvgSq;
        });
      }
    }
  });
}

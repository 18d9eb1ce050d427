/**
 * The newer optimizers on the gpu backend (gpu.js's cpu mode always; real GLSL through
 * headless-gl when it works here): the same steps give the cpu backend's parameters within
 * float32 tolerance, and LBFGS's rollback survives device storages being freed with their
 * last tensor. (fused.test.ts holds each fused program to its reference on every backend.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { glAvailable, noticeIfSkipped } from '../backend/gpu/support.ts';
import { gradPlan, initValues } from './helpers.ts';

noticeIfSkipped('optim/backends.test.ts');

type Make = (ps: tg.Tensor[]) => tg.optim.Optimizer<tg.optim.BaseOptions>;
const optimizers: [string, Make][] = [
  ['Adadelta', (ps) => new tg.optim.Adadelta(ps, { weightDecay: 0.1 })],
  ['Adamax', (ps) => new tg.optim.Adamax(ps, { lr: 0.05 })],
  ['NAdam', (ps) => new tg.optim.NAdam(ps, { lr: 0.05, weightDecay: 0.1, decoupledWeightDecay: true })],
  ['RAdam', (ps) => new tg.optim.RAdam(ps, { lr: 0.05, betas: [0.9, 0.9] })],
  ['Rprop', (ps) => new tg.optim.Rprop(ps, { lr: 0.05 })],
  ['Lion', (ps) => new tg.optim.Lion(ps, { lr: 0.01, weightDecay: 0.5 })],
];

const sizes = [37, 5];

function run(make: Make, backend: 'cpu' | 'gpu', mode?: string): number[][] {
  tg.setBackend(backend, mode ? { mode } : undefined);
  const params = initValues(sizes).map((v) => tg.tensor(v, { requiresGrad: true }));
  const opt = make(params);
  for (const grads of gradPlan(31, 10, sizes, [[2, 1]])) {
    opt.zeroGrad();
    grads.forEach((g, i) => { if (g) params[i].grad = tg.tensor(g); });
    opt.step();
  }
  return params.map((p) => Array.from(p.data));
}

function expectSame(make: Make, mode: string): void {
  const want = run(make, 'cpu');
  const got = run(make, 'gpu', mode);
  got.forEach((p, i) => p.forEach((v, j) => {
    const e = want[i][j];
    if (!(Math.abs(v - e) <= 1e-5 * Math.max(1, Math.abs(e)))) expect.fail(`parameter ${i} element ${j}: gpu ${v}, cpu ${e}`);
  }));
}

/** Two L-BFGS steps with the line search on a small quadratic written with tensor ops. */
function runLbfgs(backend: 'cpu' | 'gpu', mode?: string): number[] {
  tg.setBackend(backend, mode ? { mode } : undefined);
  const x = tg.tensor([0.5, -1, 2], { requiresGrad: true });
  const target = tg.tensor([1, 2, -0.5]);
  const weights = tg.tensor([1, 4, 9]);
  const opt = new tg.optim.LBFGS([x], { maxIter: 5, lineSearchFn: 'strong_wolfe' });
  const closure = () => {
    opt.zeroGrad();
    const d = x.sub(target);
    const loss = d.mul(d).mul(weights).sum();
    loss.backward();
    return loss;
  };
  opt.step(closure);
  opt.step(closure);
  return Array.from(x.data);
}

function expectSameLbfgs(mode: string): void {
  const want = runLbfgs('cpu');
  runLbfgs('gpu', mode).forEach((v, i) => expect(Math.abs(v - want[i]), `x[${i}]: gpu ${v}, cpu ${want[i]}`).toBeLessThanOrEqual(1e-5));
  want.forEach((v, i) => expect(v).toBeCloseTo([1, 2, -0.5][i], 4));
}

/**
 * A step whose closure fails after the parameters moved puts them back. On the gpu a storage
 * is freed with its last tensor, so this holds only if LBFGS kept the old storages alive.
 */
function expectLbfgsRollback(mode: string): void {
  tg.setBackend('gpu', { mode });
  for (const lineSearchFn of [null, 'strong_wolfe'] as const) {
    const x = tg.tensor([0.5, -1, 2], { requiresGrad: true });
    const target = tg.tensor([1, 2, -0.5]);
    const weights = tg.tensor([1, 40, 900]);
    // Two iterations a step on an ill-conditioned bowl: far from solved after the first step.
    const opt = new tg.optim.LBFGS([x], { maxIter: 2, lineSearchFn });
    let calls = 0;
    let failAt = Infinity;
    const closure = () => {
      if (++calls === failAt) throw new Error('the closure failed');
      opt.zeroGrad();
      const d = x.sub(target);
      const loss = d.mul(d).mul(weights).sum();
      loss.backward();
      return loss;
    };
    opt.step(closure);
    // Reading x.data brought its values to the host; put them back in a device storage that
    // x alone references, as after an update.
    const after1 = Array.from(x.data);
    const onDevice = tg.tensor(after1).add(0);
    x.storage = onDevice.storage;
    onDevice.dispose();
    calls = 0;
    failAt = 2; // the second evaluation: after the parameters moved
    expect(() => opt.step(closure)).toThrow('the closure failed');
    expect(Array.from(x.data), `lineSearchFn ${lineSearchFn}`).toEqual(after1);
  }
}

afterEach(() => tg.setBackend('cpu'));

describe('the newer optimizers on the gpu backend: gpu.js cpu mode', () => {
  for (const [name, make] of optimizers) it(name, () => expectSame(make, 'cpu'));
  it('LBFGS', () => expectSameLbfgs('cpu'));
  it('LBFGS: a failed step puts back the parameters it moved', () => expectLbfgsRollback('cpu'));
});

describe.skipIf(!glAvailable)('the newer optimizers on the gpu backend: headlessgl (Mesa GLSL)', () => {
  for (const [name, make] of optimizers) it(name, () => expectSame(make, 'headlessgl'));
  it('LBFGS', () => expectSameLbfgs('headlessgl'));
  it('LBFGS: a failed step puts back the parameters it moved', () => expectLbfgsRollback('headlessgl'));
});

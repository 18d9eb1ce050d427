import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index.ts';

const sgd = (...lrs: number[]): optim.SGD =>
  new optim.SGD(lrs.map((lr) => ({ params: [tensor([0], { requiresGrad: true })], lr })), { lr: lrs[0] });

/** Steps the scheduler n times and returns getLastLr() after each step. */
function run(s: { step(): void; getLastLr(): number[] }, n: number): number[][] {
  return Array.from({ length: n }, () => {
    s.step();
    return s.getLastLr();
  });
}

function expectRelClose(actual: number[][], expected: number[][], rtol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, t) => row.forEach((v, g) => {
    const e = expected[t][g];
    if (!(Math.abs(v - e) <= rtol * Math.abs(e) + 1e-15)) throw new Error(`epoch ${t + 1}, group ${g}: got ${v}, expected ${e}`);
  }));
}

describe('StepLR, ExponentialLR, CosineAnnealingLR follow their closed forms', () => {
  it('creating a scheduler is epoch 0 and leaves the learning rates alone', () => {
    const opt = sgd(0.1, 0.02);
    const s = new optim.CosineAnnealingLR(opt, { tMax: 5 });
    expect(s.lastEpoch).toBe(0);
    expect(s.getLastLr()).toEqual([0.1, 0.02]);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.02]);
  });

  it('StepLR: lr = base · γ^⌊t / stepSize⌋, per group', () => {
    const opt = sgd(0.1, 0.02);
    const s = new optim.StepLR(opt, { stepSize: 3, gamma: 0.5 });
    const expected = Array.from({ length: 10 }, (_, i) => [0.1, 0.02].map((b) => b * 0.5 ** Math.floor((i + 1) / 3)));
    expectRelClose(run(s, 10), expected);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual(s.getLastLr());
    expect(s.lastEpoch).toBe(10);
  });

  it('StepLR: gamma defaults to 0.1', () => {
    const s = new optim.StepLR(sgd(1), { stepSize: 2 });
    expectRelClose(run(s, 4), [[1], [0.1], [0.1], [0.01]]);
  });

  it('ExponentialLR: lr = base · γᵗ', () => {
    const s = new optim.ExponentialLR(sgd(0.1), { gamma: 0.9 });
    expectRelClose(run(s, 20), Array.from({ length: 20 }, (_, i) => [0.1 * 0.9 ** (i + 1)]), 1e-13);
  });

  it('CosineAnnealingLR by hand, tMax 2: 0.5, 0, then back up 0.5, 1', () => {
    const s = new optim.CosineAnnealingLR(sgd(1), { tMax: 2 });
    expectRelClose(run(s, 4), [[0.5], [0], [0.5], [1]], 1e-12);
  });

  it('CosineAnnealingLR: lr = ηmin + (base − ηmin)(1 + cos(πt/tMax))/2, past tMax too', () => {
    const etaMin = 0.001;
    const s = new optim.CosineAnnealingLR(sgd(0.1, 0.05), { tMax: 10, etaMin });
    const closed = (base: number, t: number): number => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / 10))) / 2;
    expectRelClose(run(s, 35), Array.from({ length: 35 }, (_, i) => [closed(0.1, i + 1), closed(0.05, i + 1)]), 1e-9);
  });

  it('schedules are chainable: a rate changed by hand is the base of the next step', () => {
    const opt = sgd(0.1);
    const s = new optim.ExponentialLR(opt, { gamma: 0.5 });
    s.step();
    opt.paramGroups[0].lr = 1;
    s.step();
    expect(s.getLastLr()).toEqual([0.5]);
  });

  it('stateDict / loadStateDict resume the schedule (with the optimizer\'s own state)', () => {
    const opt = sgd(0.1);
    const s = new optim.CosineAnnealingLR(opt, { tMax: 7, etaMin: 0.01 });
    run(s, 3);
    const saved = { opt: opt.stateDict(), sched: JSON.parse(JSON.stringify(s.stateDict())) };
    const rest = run(s, 8);
    const opt2 = sgd(0.1);
    const s2 = new optim.CosineAnnealingLR(opt2, { tMax: 7, etaMin: 0.01 });
    opt2.loadStateDict(saved.opt);
    s2.loadStateDict(saved.sched);
    expect(s2.lastEpoch).toBe(3);
    expect(run(s2, 8)).toEqual(rest);
    expect(() => s2.loadStateDict({ lastEpoch: 1, baseLrs: [0.1, 0.2], lastLr: [0.1] })).toThrow(RangeError);
    expect(s2.lastEpoch).toBe(11);
  });
});

describe('ReduceLROnPlateau', () => {
  const track = (s: optim.ReduceLROnPlateau, metrics: number[]): number[] => metrics.map((m) => {
    s.step(m);
    return s.getLastLr()[0];
  });

  it('cuts by factor after more than `patience` epochs without improvement (by hand)', () => {
    const s = new optim.ReduceLROnPlateau(sgd(1), { patience: 2, factor: 0.5 });
    expect(track(s, [10, 9, 9, 9, 9, 8, 8, 8, 8])).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]);
  });

  it('an improvement smaller than the relative threshold does not count', () => {
    const s = new optim.ReduceLROnPlateau(sgd(1), { patience: 0, factor: 0.5, threshold: 0.1 });
    // 9.5 > 10·(1 − 0.1) = 9: not better; 8.9 < 9: better.
    expect(track(s, [10, 9.5, 8.9])).toEqual([1, 0.5, 0.5]);
  });

  it('cooldown: bad epochs right after a cut are not counted', () => {
    const s = new optim.ReduceLROnPlateau(sgd(1), { patience: 0, factor: 0.5, cooldown: 2 });
    expect(track(s, [5, 5, 5, 5, 5, 5, 5, 5])).toEqual([1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]);
  });

  it('minLr bounds the cut; cuts smaller than eps are skipped', () => {
    const s = new optim.ReduceLROnPlateau(sgd(1), { patience: 0, factor: 0.1, minLr: 0.05 });
    expect(track(s, [1, 1, 1, 1])).toEqual([1, 0.1, 0.05, 0.05]);
  });

  it("mode 'max' with an absolute threshold", () => {
    const s = new optim.ReduceLROnPlateau(sgd(1), { mode: 'max', thresholdMode: 'abs', threshold: 0.05, patience: 0, factor: 0.5 });
    // 0.55 is not > 0.5 + 0.05; 0.61 is > 0.5 + 0.05.
    expect(track(s, [0.5, 0.55, 0.61, 0.6])).toEqual([1, 0.5, 0.5, 0.25]);
  });

  it('per-group minLr, and stateDict resumes the count of bad epochs', () => {
    const opt = sgd(1, 0.1);
    const s = new optim.ReduceLROnPlateau(opt, { patience: 1, factor: 0.5, minLr: [0, 0.08] });
    s.step(3);
    s.step(3);
    const saved = s.stateDict();
    s.step(3);
    expect(s.getLastLr()).toEqual([0.5, 0.08]);
    const s2 = new optim.ReduceLROnPlateau(sgd(1, 0.1), { patience: 1, factor: 0.5, minLr: [0, 0.08] });
    s2.loadStateDict(saved);
    s2.step(3);
    expect(s2.getLastLr()).toEqual([0.5, 0.08]);
  });
});

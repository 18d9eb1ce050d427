import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../src/index.ts';
import { expectRangeError } from './helpers.ts';

// MultiStepLR, LinearLR, OneCycleLR, CosineAnnealingWarmRestarts, LambdaLR and SequentialLR,
// each against its formula from the PyTorch documentation (or the paper), computed here in
// float64 from the epoch number alone.

const param = () => tensor([0], { requiresGrad: true });
const sgd = (...lrs: number[]): optim.SGD => new optim.SGD(lrs.map((lr) => ({ params: [param()], lr })), { lr: lrs[0], momentum: 0.9 });
const lrsOf = (o: { paramGroups: readonly { lr: number }[] }): number[] => o.paramGroups.map((g) => g.lr);

/** The rates at epochs 0..n: after construction, then after each step. */
function trace(opt: { paramGroups: readonly { lr: number }[] }, s: { step(): void }, n: number): number[][] {
  const out = [lrsOf(opt)];
  for (let i = 0; i < n; i++) {
    s.step();
    out.push(lrsOf(opt));
  }
  return out;
}

function expectRatesClose(actual: number[][], expected: (epoch: number, group: number) => number, rtol = 1e-12): void {
  actual.forEach((row, t) => row.forEach((v, g) => {
    const e = expected(t, g);
    if (!(Math.abs(v - e) <= rtol * Math.abs(e) + 1e-16)) throw new Error(`epoch ${t}, group ${g}: got ${v}, formula ${e}`);
  }));
}

describe('epoch schedulers against their formulas over 45+ epochs', () => {
  it('MultiStepLR: base · γ^(milestones ≤ t); a milestone listed twice counts twice', () => {
    const opt = sgd(0.1, 0.03);
    const s = new optim.MultiStepLR(opt, { milestones: [30, 5, 12, 12], gamma: 0.5 });
    const ms = [5, 12, 12, 30];
    expectRatesClose(trace(opt, s, 45), (t, g) => [0.1, 0.03][g] * 0.5 ** ms.filter((m) => m <= t).length);
    expect(new optim.MultiStepLR(sgd(1), { milestones: [2] }).gamma).toBe(0.1);
  });

  for (const [start, end, n] of [[1 / 3, 1, 5], [0.01, 1, 20], [1, 0.2, 10], [0.5, 0, 7]]) {
    it(`LinearLR from ${start.toPrecision(2)} to ${end} over ${n} epochs: base·(s + (e − s)·min(t, n)/n), from epoch 0 on`, () => {
      const opt = sgd(0.1, 0.5);
      const s = start === 1 / 3 ? new optim.LinearLR(opt) : new optim.LinearLR(opt, { startFactor: start, endFactor: end, totalIters: n });
      expectRatesClose(trace(opt, s, 45), (t, g) => [0.1, 0.5][g] * (start + ((end - start) * Math.min(t, n)) / n), 1e-12);
    });
  }

  for (const [t0, tMult, etaMin] of [[10, 1, 0], [3, 2, 0.001], [4, 3, 0.01]]) {
    it(`CosineAnnealingWarmRestarts t0 ${t0}, tMult ${tMult}, etaMin ${etaMin}: SGDR's cosine within each cycle`, () => {
      const opt = sgd(0.1, 0.05);
      const s = new optim.CosineAnnealingWarmRestarts(opt, { t0, tMult, etaMin });
      // Cycle i has length t0·tMultⁱ; T_cur counts the epochs since the cycle began.
      const position = (t: number): [number, number] => {
        let len = t0, begin = 0;
        while (t >= begin + len) { begin += len; len *= tMult; }
        return [t - begin, len];
      };
      expectRatesClose(trace(opt, s, 60), (t, g) => {
        const [tCur, tI] = position(t);
        return etaMin + (([0.1, 0.05][g] - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
      });
    });
  }

  it('LambdaLR: base · λ(t), one function per group, λ(0) applied at construction', () => {
    const opt = sgd(0.1, 0.2);
    const s = new optim.LambdaLR(opt, { lrLambda: [(e) => 1 / (1 + e), (e) => 0.95 ** e * (e % 2 ? 1 : 0.5)] });
    expectRatesClose(trace(opt, s, 45), (t, g) => (g === 0 ? 0.1 / (1 + t) : 0.2 * 0.95 ** t * (t % 2 ? 1 : 0.5)));
    const shared = sgd(1, 2);
    new optim.LambdaLR(shared, { lrLambda: () => 0.25 });
    expect(lrsOf(shared)).toEqual([0.25, 0.5]);
  });

  it('a second scheduler on the same optimizer starts from the rates before the first one (PyTorch\'s initial_lr)', () => {
    const opt = sgd(1);
    new optim.LinearLR(opt, { startFactor: 0.1 });
    expect(lrsOf(opt)).toEqual([0.1]);
    expect(new optim.ExponentialLR(opt, { gamma: 0.5 }).baseLrs).toEqual([1]);
  });
});

/** OneCycleLR's schedule written out from the paper / PyTorch docs, for step t of T. */
function oneCycle(t: number, o: { T: number; max: number; pct: number; div: number; finalDiv: number; cos: boolean; three: boolean; base: number; mmax: number }): [number, number] {
  const initial = o.max / o.div, final = initial / o.finalDiv;
  const interp = (a: number, b: number, p: number): number => (o.cos ? b + ((a - b) * (1 + Math.cos(Math.PI * p))) / 2 : a + (b - a) * p);
  const up = o.pct * o.T - 1;
  const phases: [number, number, number, number, number][] = o.three // [end, lr from, lr to, momentum from, momentum to]
    ? [[up, initial, o.max, o.mmax, o.base], [2 * o.pct * o.T - 2, o.max, initial, o.base, o.mmax], [o.T - 1, initial, final, o.mmax, o.mmax]]
    : [[up, initial, o.max, o.mmax, o.base], [o.T - 1, o.max, final, o.base, o.mmax]];
  let begin = 0;
  for (const [end, l0, l1, m0, m1] of phases) {
    if (t <= end || end === o.T - 1) {
      const p = Math.min(1, (t - begin) / (end - begin));
      return [interp(l0, l1, p), interp(m0, m1, p)];
    }
    begin = end;
  }
  throw new Error('unreachable');
}

describe('OneCycleLR against its formula, once per step over the whole cycle', () => {
  const defaults = { max: 0.5, pct: 0.3, div: 25, finalDiv: 1e4, cos: true, three: false, base: 0.85, mmax: 0.95 };
  const cases: [string, optim.OneCycleLROptions, Partial<typeof defaults> & { T: number }][] = [
    ['defaults, 100 steps', { maxLr: 0.5, totalSteps: 100 }, { T: 100 }],
    ['epochs × stepsPerEpoch, linear, pctStart 0.25', { maxLr: 0.5, epochs: 6, stepsPerEpoch: 9, annealStrategy: 'linear', pctStart: 0.25 }, { T: 54, cos: false, pct: 0.25 }],
    ['three phases, divFactor 10, finalDivFactor 100', { maxLr: 0.5, totalSteps: 61, threePhase: true, divFactor: 10, finalDivFactor: 100 }, { T: 61, three: true, div: 10, finalDiv: 100 }],
    ['momentum bounds 0.8 → 0.99', { maxLr: 0.5, totalSteps: 50, baseMomentum: 0.8, maxMomentum: 0.99 }, { T: 50, base: 0.8, mmax: 0.99 }],
  ];
  for (const [name, options, o] of cases) {
    it(`${name}: lr and SGD's momentum`, () => {
      const opt = sgd(0.1);
      const s = new optim.OneCycleLR(opt, options);
      const ref = { ...defaults, ...o };
      for (let t = 0; t <= ref.T; t++) {
        if (t > 0) s.step();
        const [lr, m] = oneCycle(t, ref);
        expect(opt.paramGroups[0].lr).toBeCloseTo(lr, 12);
        expect(opt.paramGroups[0].momentum).toBeCloseTo(m, 12);
      }
      expectRangeError(() => s.step(), 'OneCycleLR', `totalSteps ${ref.T}`);
      expect(s.lastEpoch).toBe(ref.T);
    });
  }

  it('cycles β₁ of Adam-like optimizers (β₂ untouched), per-group maxLr, or no momentum at all', () => {
    const adam = new optim.Adam([{ params: [param()] }, { params: [param()] }], { betas: [0.9, 0.98] });
    const s = new optim.OneCycleLR(adam, { maxLr: [0.01, 0.1], totalSteps: 40 });
    for (let t = 0; t <= 40; t++) {
      if (t > 0) s.step();
      adam.paramGroups.forEach((g, i) => {
        const [lr, m] = oneCycle(t, { ...defaults, T: 40, max: [0.01, 0.1][i] });
        expect(g.lr).toBeCloseTo(lr, 13);
        expect(g.betas[0]).toBeCloseTo(m, 12);
        expect(g.betas[1]).toBe(0.98);
      });
    }
    const rprop = new optim.Rprop([param()]);
    expectRangeError(() => new optim.OneCycleLR(rprop, { maxLr: 1, totalSteps: 10 }), 'cycleMomentum needs an optimizer with momentum or betas');
    new optim.OneCycleLR(rprop, { maxLr: 1, totalSteps: 10, cycleMomentum: false });
    expect(rprop.paramGroups[0].lr).toBeCloseTo(0.04, 15);
  });
});

describe('SequentialLR', () => {
  it('warm-up then cosine then exponential: each scheduler restarts from the base rates at its milestone', () => {
    const opt = sgd(0.1, 0.02);
    const warm = new optim.LinearLR(opt, { startFactor: 0.1, totalIters: 4 });
    const cos = new optim.CosineAnnealingLR(opt, { tMax: 10, etaMin: 0.001 });
    const exp = new optim.ExponentialLR(opt, { gamma: 0.9 });
    const s = new optim.SequentialLR(opt, { schedulers: [warm, cos, exp], milestones: [5, 15] });
    const base = [0.1, 0.02];
    expectRatesClose(trace(opt, s, 45), (t, g) => {
      if (t < 5) return base[g] * (0.1 + (0.9 * Math.min(t, 4)) / 4);
      if (t < 15) return 0.001 + ((base[g] - 0.001) * (1 + Math.cos((Math.PI * (t - 5)) / 10))) / 2;
      return base[g] * 0.9 ** (t - 15);
    }, 1e-9);
    expect(s.getLastLr()).toEqual(lrsOf(opt));
  });

  it('refuses mismatched milestones, another optimizer\'s scheduler, and nesting', () => {
    const opt = sgd(0.1);
    const a = new optim.LinearLR(opt);
    const b = new optim.ExponentialLR(opt, { gamma: 0.9 });
    expectRangeError(() => new optim.SequentialLR(opt, { schedulers: [a, b], milestones: [] }), 'SequentialLR', 'needs 1 milestone(s)');
    expectRangeError(() => new optim.SequentialLR(opt, { schedulers: [a, b, a], milestones: [5, 3] }), 'milestones must increase');
    expectRangeError(() => new optim.SequentialLR(opt, { schedulers: [a, new optim.StepLR(sgd(1), { stepSize: 2 })], milestones: [3] }), 'schedulers[1] belongs to another optimizer');
    expect(() => new optim.SequentialLR(opt, { schedulers: [a, new optim.ReduceLROnPlateau(opt) as never], milestones: [3] })).toThrow(/schedulers\[1\] is a ReduceLROnPlateau/);
  });
});

describe('every scheduler: stateDict / loadStateDict resume bit for bit', () => {
  type Sched = { step(): void; stateDict(): unknown; loadStateDict(sd: never): void };
  const builds: [string, (o: optim.SGD) => Sched][] = [
    ['MultiStepLR', (o) => new optim.MultiStepLR(o, { milestones: [3, 8, 8], gamma: 0.3 })],
    ['LinearLR', (o) => new optim.LinearLR(o, { startFactor: 0.05, totalIters: 9 })],
    ['OneCycleLR', (o) => new optim.OneCycleLR(o, { maxLr: 0.4, totalSteps: 30, threePhase: true })],
    ['CosineAnnealingWarmRestarts', (o) => new optim.CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 3, etaMin: 0.001 })],
    ['LambdaLR', (o) => new optim.LambdaLR(o, { lrLambda: (e) => Math.exp(-0.1 * e) })],
    ['SequentialLR', (o) => new optim.SequentialLR(o, {
      schedulers: [new optim.LinearLR(o, { totalIters: 3 }), new optim.CosineAnnealingWarmRestarts(o, { t0: 4, tMult: 2 })], milestones: [4],
    })],
  ];
  for (const [name, build] of builds) {
    it(name, () => {
      const opt = sgd(0.1, 0.3);
      const s = build(opt);
      for (let i = 0; i < 7; i++) s.step();
      const saved = { opt: opt.stateDict(), sched: JSON.parse(JSON.stringify(s.stateDict())) };
      // Rates and momentum (which OneCycleLR cycles) after each further step.
      const follow = (o: optim.SGD, sch: Sched): number[][] => Array.from({ length: 20 }, () => {
        sch.step();
        return [...lrsOf(o), o.paramGroups[0].momentum];
      });
      const rest = follow(opt, s);
      const opt2 = sgd(0.1, 0.3);
      const s2 = build(opt2);
      opt2.loadStateDict(saved.opt);
      s2.loadStateDict(saved.sched as never);
      expect(follow(opt2, s2)).toEqual(rest);
    });
  }

  it('LambdaLR\'s state holds the epoch and rates, not the function', () => {
    const s = new optim.LambdaLR(sgd(1), { lrLambda: (e) => 1 / (e + 1) });
    s.step();
    expect(s.stateDict()).toEqual({ lastEpoch: 1, baseLrs: [1], lastLr: [0.5] });
  });

  it('a state that does not fit is refused and changes nothing', () => {
    const opt = sgd(0.1);
    const cawr = new optim.CosineAnnealingWarmRestarts(opt, { t0: 2, tMult: 2 });
    cawr.step();
    const before = cawr.stateDict();
    expectRangeError(() => cawr.loadStateDict({ ...before, tI: 3, tCur: 0 } as never), 'tI must be a cycle length');
    expectRangeError(() => cawr.loadStateDict({ ...before, tI: 4, tCur: 4 } as never), 'tCur must be less than tI 4');
    expectRangeError(() => cawr.loadStateDict({ ...before, lastLr: [NaN] }), 'lastLr');
    expect(cawr.stateDict()).toEqual(before);

    const seq = new optim.SequentialLR(opt, { schedulers: [new optim.LinearLR(opt), cawr], milestones: [2] });
    seq.step();
    const seqBefore = seq.stateDict();
    const bad = structuredClone(seqBefore);
    bad.schedulers[1].lastEpoch = -1;
    expectRangeError(() => seq.loadStateDict(bad), 'CosineAnnealingWarmRestarts.loadStateDict', 'lastEpoch');
    expect(seq.stateDict()).toEqual(seqBefore);
  });
});

describe('bad scheduler options are refused before the rates change', () => {
  const cases: [string, (o: optim.SGD) => unknown, string[]][] = [
    ['MultiStepLR milestones', (o) => new optim.MultiStepLR(o, { milestones: [3, 0] }), ['MultiStepLR', 'milestones[1]', '0']],
    ['MultiStepLR milestones type', (o) => new optim.MultiStepLR(o, { milestones: 3 as never }), ['milestones must be an array']],
    ['MultiStepLR gamma', (o) => new optim.MultiStepLR(o, { milestones: [3], gamma: -1 }), ['gamma', '-1']],
    ['LinearLR startFactor 0', (o) => new optim.LinearLR(o, { startFactor: 0 }), ['LinearLR', 'startFactor must be in (0, 1]', '0']],
    ['LinearLR endFactor 1.5', (o) => new optim.LinearLR(o, { endFactor: 1.5 }), ['endFactor', '1.5']],
    ['LinearLR totalIters', (o) => new optim.LinearLR(o, { totalIters: 0 }), ['totalIters', '0']],
    ['CosineAnnealingWarmRestarts t0', (o) => new optim.CosineAnnealingWarmRestarts(o, { t0: 0 }), ['t0', '0']],
    ['CosineAnnealingWarmRestarts tMult', (o) => new optim.CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 1.5 }), ['tMult', '1.5']],
    ['CosineAnnealingWarmRestarts etaMin', (o) => new optim.CosineAnnealingWarmRestarts(o, { t0: 2, etaMin: -1 }), ['etaMin', '-1']],
    ['OneCycleLR maxLr', (o) => new optim.OneCycleLR(o, { maxLr: 0, totalSteps: 10 }), ['OneCycleLR', 'maxLr', '0']],
    ['OneCycleLR steps', (o) => new optim.OneCycleLR(o, { maxLr: 1 }), ['needs totalSteps, or epochs and stepsPerEpoch']],
    ['OneCycleLR pctStart', (o) => new optim.OneCycleLR(o, { maxLr: 1, totalSteps: 10, pctStart: 1.2 }), ['pctStart', '1.2']],
    ['OneCycleLR empty phase', (o) => new optim.OneCycleLR(o, { maxLr: 1, totalSteps: 10, pctStart: 0.1 }), ['leaves phase 1 of 2 with no steps']],
    ['OneCycleLR annealStrategy', (o) => new optim.OneCycleLR(o, { maxLr: 1, totalSteps: 10, annealStrategy: 'exp' as never }), ['annealStrategy', "'exp'"]],
    ['OneCycleLR per-group count', (o) => new optim.OneCycleLR(o, { maxLr: [1, 2], totalSteps: 10 }), ['maxLr must be one number or one per parameter group (1)']],
    ['LambdaLR returning NaN at epoch 0', (o) => new optim.LambdaLR(o, { lrLambda: () => NaN }), ['LambdaLR', 'lrLambda(0) returned NaN']],
  ];
  for (const [name, make, fragments] of cases) {
    it(name, () => {
      const opt = sgd(0.1);
      const before = structuredClone(opt.paramGroups.map(({ params: _, ...o }) => o));
      expectRangeError(() => make(opt), ...fragments);
      expect(opt.paramGroups.map(({ params: _, ...o }) => o)).toEqual(before);
    });
  }

  it('LambdaLR: a function that fails at a later epoch leaves that step undone', () => {
    const opt = sgd(0.1);
    const s = new optim.LambdaLR(opt, { lrLambda: (e) => (e < 2 ? 1 : -1) });
    s.step();
    expectRangeError(() => s.step(), 'LambdaLR', 'learning rate -0.1 at epoch 2');
    expect(s.lastEpoch).toBe(1);
    expect(lrsOf(opt)).toEqual([0.1]);
    expect(() => new optim.LambdaLR(opt, { lrLambda: 'x' as never })).toThrow(TypeError);
  });
});

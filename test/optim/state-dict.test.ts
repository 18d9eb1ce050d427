import { describe, expect, it } from 'vitest';
import { ShapeError, Tensor, optim, tensor } from '../../src/index.ts';
import { gradPlan, initValues, type GradPlan } from './helpers.ts';

type Make = (params: Iterable<Tensor> | optim.ParamGroupInput<never>[], fused?: boolean) => optim.Optimizer<optim.BaseOptions>;

const configs: [string, Make][] = [
  ['SGD (momentum, nesterov, weightDecay)', (ps, fused) => new optim.SGD(ps as Tensor[], { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01, fused })],
  ['SGD (momentum, dampening)', (ps, fused) => new optim.SGD(ps as Tensor[], { lr: 0.05, momentum: 0.9, dampening: 0.4, fused })],
  ['Momentum (ema, nesterov)', (ps, fused) => new optim.Momentum(ps as Tensor[], { lr: 0.05, variant: 'ema', nesterov: true, fused })],
  ['AdaGrad (lrDecay)', (ps, fused) => new optim.AdaGrad(ps as Tensor[], { lr: 0.1, lrDecay: 0.1, initialAccumulatorValue: 0.1, fused })],
  ['RMSprop (centered, momentum)', (ps, fused) => new optim.RMSprop(ps as Tensor[], { centered: true, momentum: 0.5, fused })],
  ['Adam (amsgrad, weightDecay)', (ps, fused) => new optim.Adam(ps as Tensor[], { lr: 0.01, amsgrad: true, weightDecay: 0.1, fused })],
  ['AdamW', (ps, fused) => new optim.AdamW(ps as Tensor[], { lr: 0.01, fused })],
  ['Adadelta (weightDecay)', (ps, fused) => new optim.Adadelta(ps as Tensor[], { rho: 0.8, weightDecay: 0.1, fused })],
  ['Adamax (weightDecay)', (ps, fused) => new optim.Adamax(ps as Tensor[], { lr: 0.01, weightDecay: 0.1, fused })],
  ['NAdam (decoupled weight decay; keeps μ₁⋯μₜ)', (ps, fused) => new optim.NAdam(ps as Tensor[], { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true, fused })],
  ['RAdam (past the rectification threshold)', (ps, fused) => new optim.RAdam(ps as Tensor[], { lr: 0.01, betas: [0.9, 0.9], fused })],
  ['Rprop', (ps, fused) => new optim.Rprop(ps as Tensor[], { lr: 0.05, stepSizes: [1e-3, 0.2], fused })],
  ['Lion (weightDecay)', (ps, fused) => new optim.Lion(ps as Tensor[], { lr: 0.01, weightDecay: 0.5, fused })],
];

const sizes = [6, 3];

function feed(params: Tensor[], opt: optim.Optimizer<optim.BaseOptions>, plan: GradPlan, from: number, to: number): void {
  for (let t = from; t < to; t++) {
    opt.zeroGrad();
    plan[t].forEach((g, i) => {
      if (g) params[i].grad = tensor(g);
    });
    opt.step();
  }
}

const make = (vals: number[][]): Tensor[] => vals.map((v) => tensor(v, { requiresGrad: true }));
const snapshot = (ps: Tensor[]): number[][] => ps.map((p) => Array.from(p.data));

/** A save to disk and back: plain arrays only, then fresh tensors. */
function roundTrip(sd: optim.OptimizerStateDict): optim.OptimizerStateDict {
  const plain = JSON.parse(JSON.stringify({
    paramGroups: sd.paramGroups,
    state: Object.fromEntries(Object.entries(sd.state).map(([k, s]) => [k, {
      step: s.step, scalars: s.scalars, buffers: Object.fromEntries(Object.entries(s.buffers).map(([n, t]) => [n, { shape: t.shape, data: Array.from(t.data) }])),
    }])),
  })) as { paramGroups: optim.OptimizerStateDict['paramGroups']; state: Record<string, { step: number; scalars?: Record<string, number>; buffers: Record<string, { shape: number[]; data: number[] }> }> };
  return {
    paramGroups: plain.paramGroups,
    state: Object.fromEntries(Object.entries(plain.state).map(([k, s]) => [k, {
      step: s.step, ...(s.scalars ? { scalars: s.scalars } : {}),
      buffers: Object.fromEntries(Object.entries(s.buffers).map(([n, b]) => [n, tensor(new Float32Array(b.data), { shape: b.shape })])),
    }])),
  };
}

describe('stateDict / loadStateDict: a resumed run continues exactly as the uninterrupted one', () => {
  for (const fused of [true, false]) for (const [name, makeOpt] of configs) {
    it(`${name}${fused ? '' : ' (fused: false)'}`, () => {
      // Parameter 1 gets no gradient at steps 0–1, so it has fewer steps than parameter 0.
      const plan = gradPlan(99, 12, sizes, [[0, 1], [1, 1], [6, 0]]);
      const init = initValues(sizes);
      const full = make(init);
      const fullOpt = makeOpt(full, fused);
      feed(full, fullOpt, plan, 0, 5);
      const saved = fullOpt.stateDict();
      const savedParams = snapshot(full);
      feed(full, fullOpt, plan, 5, 12); // keeps stepping: the saved dict must not change with it

      const resumed = make(savedParams);
      const resumedOpt = makeOpt(resumed, fused);
      resumedOpt.loadStateDict(roundTrip(saved));
      feed(resumed, resumedOpt, plan, 5, 12);
      expect(snapshot(resumed)).toEqual(snapshot(full));
    });
  }

  it('restores group options, e.g. a learning rate a scheduler lowered', () => {
    const [a, b] = make([[1], [2]]);
    const opt = new optim.SGD([{ params: [a] }, { params: [b], momentum: 0.5 }], { lr: 0.1 });
    new optim.StepLR(opt, { stepSize: 1, gamma: 0.5 }).step();
    const sd = opt.stateDict();
    expect(sd.paramGroups.map((g) => [g.lr, g.momentum, g.params])).toEqual([[0.05, 0, [0]], [0.05, 0.5, [1]]]);
    const [c, d] = make([[1], [2]]);
    const other = new optim.SGD([{ params: [c] }, { params: [d] }], { lr: 0.1 });
    other.loadStateDict(sd);
    expect(other.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([[0.05, 0], [0.05, 0.5]]);
    expect(other.paramGroups[1].params[0]).toBe(d);
  });
});

/** The dict with one value of parameter 0's buffer replaced. */
function withValue(sd: optim.OptimizerStateDict, buffer: string, index: number, value: number): optim.OptimizerStateDict {
  const data = sd.state[0].buffers[buffer].data.slice();
  data[index] = value;
  return { ...sd, state: { ...sd.state, 0: { ...sd.state[0], buffers: { ...sd.state[0].buffers, [buffer]: tensor(data) } } } };
}

describe('loadStateDict rejects a dict that does not fit and leaves the optimizer as it was', () => {
  const plan = gradPlan(5, 8, sizes);
  const setup = (): { ps: Tensor[]; opt: optim.Adam; sd: optim.OptimizerStateDict } => {
    const ps = make(initValues(sizes));
    const opt = new optim.Adam(ps, { lr: 0.01, amsgrad: true });
    feed(ps, opt, plan, 0, 3);
    return { ps, opt, sd: opt.stateDict() };
  };
  const reference = ((): number[][] => {
    const { ps, opt } = setup();
    feed(ps, opt, plan, 3, 8);
    return snapshot(ps);
  })();

  const bad: [string, (sd: optim.OptimizerStateDict) => unknown, ErrorConstructor | typeof ShapeError, string][] = [
    ['another optimizer\'s dict', () => {
      const ps = make(initValues(sizes));
      const sgd = new optim.SGD(ps, { lr: 0.1, momentum: 0.9 });
      feed(ps, sgd, plan, 0, 1);
      return sgd.stateDict();
    }, RangeError, "lacks option 'betas'"],
    ['a different number of groups', (sd) => ({ ...sd, paramGroups: [...sd.paramGroups, sd.paramGroups[0]] }), RangeError, '2 parameter groups'],
    ['a group with fewer parameters', (sd) => ({ ...sd, paramGroups: [{ ...sd.paramGroups[0], params: [0] }] }), RangeError, 'group 0 holds 1'],
    ['an invalid option', (sd) => ({ ...sd, paramGroups: [{ ...sd.paramGroups[0], betas: [0.9, 1.2] }] }), RangeError, 'betas[1]'],
    ['a buffer of the wrong size', (sd) => ({ ...sd, state: { ...sd.state, 1: { ...sd.state[1], buffers: { ...sd.state[1].buffers, expAvg: tensor([1, 2]) } } } }), ShapeError, "buffer 'expAvg' of parameter 1"],
    ['an unknown buffer', (sd) => ({ ...sd, state: { ...sd.state, 0: { ...sd.state[0], buffers: { ...sd.state[0].buffers, velocity: tensor(new Float32Array(6)) } } } }), RangeError, "unknown buffer 'velocity'"],
    ['a missing buffer', (sd) => {
      const { maxExpAvgSq: _, ...rest } = sd.state[1].buffers;
      return { ...sd, state: { ...sd.state, 1: { ...sd.state[1], buffers: rest } } };
    }, RangeError, "lacks buffer 'maxExpAvgSq'"],
    ['state for a parameter no group lists', (sd) => ({ ...sd, state: { ...sd.state, 7: sd.state[0] } }), RangeError, 'parameter 7'],
    ['a negative step count', (sd) => ({ ...sd, state: { ...sd.state, 0: { ...sd.state[0], step: -1 } } }), RangeError, 'step -1'],
    ['NaN in a buffer', (sd) => withValue(sd, 'expAvg', 4, NaN), RangeError, "buffer 'expAvg' of parameter 0 holds NaN at index 4"],
    ['+Infinity in a buffer', (sd) => withValue(sd, 'expAvg', 0, Infinity), RangeError, 'holds Infinity at index 0'],
    ['−Infinity in a second moment', (sd) => withValue(sd, 'maxExpAvgSq', 2, -Infinity), RangeError, 'holds -Infinity at index 2'],
    ['a negative second moment', (sd) => withValue(sd, 'expAvgSq', 1, -0.5), RangeError, "buffer 'expAvgSq' of parameter 0 holds -0.5 at index 1; it can never be negative"],
  ];
  for (const [name, corrupt, ErrorType, fragment] of bad) {
    it(name, () => {
      const { ps, opt, sd } = setup();
      const lrBefore = opt.paramGroups[0].lr;
      const broken = corrupt(sd) as optim.OptimizerStateDict;
      expect(() => opt.loadStateDict(broken)).toThrow(ErrorType);
      expect(() => opt.loadStateDict(broken)).toThrow(fragment);
      expect(opt.paramGroups[0].lr).toBe(lrBefore);
      feed(ps, opt, plan, 3, 8);
      expect(snapshot(ps)).toEqual(reference);
    });
  }
});

describe('loadStateDict: each optimizer refuses negative values where its buffers cannot have them', () => {
  const cases: [string, Make, string][] = [
    ['AdaGrad', (ps) => new optim.AdaGrad(ps as Tensor[]), 'sum'],
    ['RMSprop', (ps) => new optim.RMSprop(ps as Tensor[], { centered: true }), 'squareAvg'],
    ['Adadelta', (ps) => new optim.Adadelta(ps as Tensor[]), 'accDelta'],
    ['Adamax', (ps) => new optim.Adamax(ps as Tensor[]), 'expInf'],
    ['NAdam', (ps) => new optim.NAdam(ps as Tensor[]), 'expAvgSq'],
    ['RAdam', (ps) => new optim.RAdam(ps as Tensor[]), 'expAvgSq'],
    ['Rprop', (ps) => new optim.Rprop(ps as Tensor[]), 'stepSize'],
  ];
  for (const [name, makeOpt, buffer] of cases) {
    it(`${name}: '${buffer}'`, () => {
      const ps = make(initValues(sizes));
      const opt = makeOpt(ps);
      feed(ps, opt, gradPlan(8, 2, sizes), 0, 2);
      const before = JSON.stringify(roundTripPlain(opt.stateDict()));
      expect(() => opt.loadStateDict(withValue(opt.stateDict(), buffer, 3, -1e-3))).toThrow(`buffer '${buffer}' of parameter 0 holds -0.0010000000474974513 at index 3; it can never be negative`);
      expect(JSON.stringify(roundTripPlain(opt.stateDict()))).toBe(before);
    });
  }

  it('NAdam: a missing or out-of-range running product μ₁⋯μₜ is refused', () => {
    const ps = make(initValues(sizes));
    const opt = new optim.NAdam(ps);
    feed(ps, opt, gradPlan(8, 2, sizes), 0, 2);
    const sd = opt.stateDict();
    const { scalars: _, ...noScalars } = sd.state[0];
    expect(() => opt.loadStateDict({ ...sd, state: { ...sd.state, 0: noScalars } })).toThrow("parameter 0 lacks scalar 'muProduct'");
    expect(() => opt.loadStateDict({ ...sd, state: { ...sd.state, 0: { ...sd.state[0], scalars: { muProduct: 1.5 } } } })).toThrow("scalar 'muProduct' of parameter 0 must be a number in [0, 1], got 1.5");
    expect(() => opt.loadStateDict({ ...sd, state: { ...sd.state, 0: { ...sd.state[0], scalars: { muProduct: 0.5, other: 1 } } } })).toThrow("unknown scalar 'other'");
  });
});

/** Plain data of a state dict, for comparing two of them. */
function roundTripPlain(sd: optim.OptimizerStateDict): unknown {
  return JSON.parse(JSON.stringify(sd, (_, v) => (v instanceof Tensor ? Array.from(v.data) : v)));
}

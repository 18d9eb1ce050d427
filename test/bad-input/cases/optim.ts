/** Bad input to tg.optim (the optim helper's area): construction, step, state dicts, schedulers. */
import * as tg from '../../../src/index.ts';
import { lit, shown, type Case, type Setup } from '../harness.ts';

const { optim } = tg;
const area = 'optim' as const;

/** The standard optimizer's state dict with one buffer value replaced. */
function withBuffer(s: Setup, name: string, value: number): tg.optim.OptimizerStateDict {
  const sd = s.optimizer.stateDict();
  const t = sd.state[0]!.buffers[name]!;
  const data = t.data.slice();
  data[0] = value;
  sd.state[0]!.buffers[name] = new tg.Tensor(data, t.shape);
  return sd;
}

export const optimCases: Case[] = [
  // construction
  { area, call: 'new optim.SGD(model, { lr: 0.1 })', act: (s) => new optim.SGD(s.model as never, { lr: 0.1 }), refuse: { fn: 'SGD', shows: ['parameters()'] } },
  { area, call: 'new optim.Adam(model)', act: (s) => new optim.Adam(s.model as never), refuse: { fn: 'Adam', shows: ['parameters()'] } },
  { area, call: 'new optim.SGD([], { lr: 0.1 })', act: () => new optim.SGD([], { lr: 0.1 }), refuse: { fn: 'SGD', shows: ['empty'] } },
  { area, call: 'new optim.SGD(null, { lr: 0.1 })', act: () => new optim.SGD(null as never, { lr: 0.1 }), refuse: { fn: 'SGD', shows: ['null'] } },
  { area, call: 'new optim.SGD([1, 2], { lr: 0.1 })', act: () => new optim.SGD([1, 2] as never, { lr: 0.1 }), refuse: { fn: 'SGD', shows: ['number'] } },
  ...[-1, NaN, Infinity, '0.1', null].map((lr): Case => ({ area, call: `new optim.SGD(params, { lr: ${lit(lr)} })`, act: (s) => new optim.SGD(s.model.parameters(), { lr: lr as never }), refuse: { fn: 'SGD', shows: ['lr', shown(lr)] } })),
  { area, call: 'new optim.SGD(params, { lr: 0.1, momentum: -0.5 })', act: (s) => new optim.SGD(s.model.parameters(), { lr: 0.1, momentum: -0.5 }), refuse: { fn: 'SGD', shows: ['momentum', '-0.5'] } },
  { area, call: 'new optim.SGD(params, { lr: 0.1, lrr: 0.1 })', act: (s) => new optim.SGD(s.model.parameters(), { lr: 0.1, lrr: 0.1 } as never), refuse: { fn: 'SGD', shows: ['lrr'] } },
  ...[[1, 0.9], [0.9, -0.1], 0.9, ['a', 'b']].map((betas): Case => ({ area, call: `new optim.Adam(params, { betas: ${lit(betas)} })`, act: (s) => new optim.Adam(s.model.parameters(), { betas: betas as never }), refuse: { fn: 'Adam', shows: ['betas'] }})),
  { area, call: 'new optim.Adam(params, { eps: -1 })', act: (s) => new optim.Adam(s.model.parameters(), { eps: -1 }), refuse: { fn: 'Adam', shows: ['eps', '-1'] } },
  { area, call: 'new optim.Adam(params, { weightDecay: NaN })', act: (s) => new optim.Adam(s.model.parameters(), { weightDecay: NaN }), refuse: { fn: 'Adam', shows: ['weightDecay', 'NaN'] } },
  { area, call: 'new optim.RMSprop(params, { alpha: 2 })', act: (s) => new optim.RMSprop(s.model.parameters(), { alpha: 2 }), refuse: { fn: 'RMSprop', shows: ['alpha', '2'] } },
  // step
  {
    area, call: 'opt.step() with a gradient of the wrong shape',
    act: (s) => { const [p] = s.model.parameters(); p!.grad = tg.zeros([3]); s.model.parameters()[1]!.grad = tg.ones(s.model.parameters()[1]!.shape); s.optimizer.step(); },
    refuse: { fn: 'Adam.step', shows: ['[3]', '[8,4]'], type: tg.ShapeError },
  },
  {
    area, call: "opt.step() with p.grad = 'x' on the last parameter",
    act: (s) => { const ps = s.model.parameters(); ps.forEach((p) => { p.grad = tg.ones(p.shape); }); ps[ps.length - 1]!.grad = 'x' as never; s.optimizer.step(); },
    refuse: { fn: 'Adam.step', shows: ['grad'] },
  },
  {
    area, call: 'opt.step() with a NaN in a gradient',
    act: (s) => { const ps = s.model.parameters(); ps.forEach((p) => { p.grad = tg.ones(p.shape); }); ps[1]!.grad = tg.full(ps[1]!.shape, NaN); s.optimizer.step(); },
    refuse: { fn: 'Adam.step', shows: ['NaN'] }, check: () => { /* a NaN step is PyTorch's behaviour too; either is acceptable */ },
  },
  // state dicts
  ...[null, {}, { state: {}, paramGroups: 'x' }].map((v): Case => ({ area, call: `opt.loadStateDict(${lit(v)})`, act: (s) => s.optimizer.loadStateDict(v as never), refuse: { fn: 'Adam.loadStateDict' } })),
  { area, call: 'opt.loadStateDict(sgd.stateDict())', act: (s) => s.optimizer.loadStateDict(new optim.SGD(s.model.parameters(), { lr: 0.1, momentum: 0.9 }).stateDict()), refuse: { fn: 'Adam.loadStateDict', shows: [['momentum', 'betas']] } },
  ...([['expAvg', NaN], ['expAvg', Infinity], ['expAvgSq', -1], ['expAvgSq', NaN]] as const).map(([name, v]): Case => ({
    area, call: `opt.loadStateDict(state with ${name}[0] = ${v})`, act: (s) => s.optimizer.loadStateDict(withBuffer(s, name, v)),
    refuse: { fn: 'Adam.loadStateDict', shows: [name, String(v)] },
  })),
  {
    area, call: 'opt.loadStateDict(state with step: -1)',
    act: (s) => { const sd = s.optimizer.stateDict(); sd.state[0]!.step = -1; s.optimizer.loadStateDict(sd); },
    refuse: { fn: 'Adam.loadStateDict', shows: ['step', '-1'] },
  },
  {
    area, call: 'opt.loadStateDict(state with lr: NaN)',
    act: (s) => { const sd = s.optimizer.stateDict(); sd.paramGroups[0]!.lr = NaN; s.optimizer.loadStateDict(sd); },
    refuse: { fn: 'Adam.loadStateDict', shows: ['lr', 'NaN'] },
  },
  // schedulers
  ...[0, -1, 1.5].map((n): Case => ({ area, call: `new optim.StepLR(opt, { stepSize: ${n} })`, act: (s) => new optim.StepLR(s.optimizer, { stepSize: n }), refuse: { fn: 'StepLR', shows: ['stepSize', String(n)] } })),
  { area, call: 'new optim.StepLR(null, { stepSize: 2 })', act: () => new optim.StepLR(null as never, { stepSize: 2 }), refuse: { fn: 'StepLR', shows: ['optimizer'] } },
  { area, call: 'new optim.StepLR(model, { stepSize: 2 })', act: (s) => new optim.StepLR(s.model as never, { stepSize: 2 }), refuse: { fn: 'StepLR', shows: ['optimizer'] } },
  { area, call: 'new optim.ExponentialLR(opt, { gamma: -1 })', act: (s) => new optim.ExponentialLR(s.optimizer, { gamma: -1 }), refuse: { fn: 'ExponentialLR', shows: ['gamma', '-1'] } },
  { area, call: 'new optim.CosineAnnealingLR(opt, { tMax: 0 })', act: (s) => new optim.CosineAnnealingLR(s.optimizer, { tMax: 0 }), refuse: { fn: 'CosineAnnealingLR', shows: ['tMax', '0'] } },
  { area, call: 'new optim.ReduceLROnPlateau(opt, { factor: 2 })', act: (s) => new optim.ReduceLROnPlateau(s.optimizer, { factor: 2 }), refuse: { fn: 'ReduceLROnPlateau', shows: ['factor', '2'] } },
  { area, call: "plateau.step('low')", act: (s) => new optim.ReduceLROnPlateau(s.optimizer).step('low' as never), refuse: { fn: 'ReduceLROnPlateau', shows: [shown('low')] } },
  ...[null, { lastEpoch: -1, baseLrs: [0.01], lastLr: [0.01] }, { lastEpoch: 1, baseLrs: [NaN], lastLr: [0.01] }, { lastEpoch: 1, baseLrs: [0.01, 0.02], lastLr: [0.01] }].map((v): Case => ({
    area, call: `scheduler.loadStateDict(${lit(v)})`, act: (s) => s.scheduler.loadStateDict(v as never), refuse: { fn: 'StepLR.loadStateDict' },
  })),
];

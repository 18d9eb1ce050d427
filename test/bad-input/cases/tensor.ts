/** Bad input to tensor creation, the generator, and tensor methods (the lead's core area). */
import * as tg from '../../../src/index.ts';
import { lit, shown, type Case } from '../harness.ts';

const area = 'tensor' as const;
const core = (item: string) => ({ owner: 'core' as const, item });

/** The values of a result, for checks. */
const values = (r: unknown) => Array.from((r as tg.Tensor).data);
const expectValues = (want: number[]) => (r: unknown) => {
  const got = values(r);
  if (got.length !== want.length || got.some((v, i) => !Object.is(v, Math.fround(want[i]!)))) throw new Error(`got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
};

export const tensorCases: Case[] = [
  // tensor()
  ...['abc', {}, null, undefined, Symbol.iterator].map((v): Case => ({ area, call: `tg.tensor(${lit(v)})`, act: () => tg.tensor(v as never), refuse: { fn: 'tensor', shows: [shown(v)] }})),
  { area, call: 'tg.tensor(true) (valid: a bool scalar, dtype being in the pinned API)', act: () => tg.tensor(true as never), check: (r) => { const t = r as tg.Tensor; if (t.shape.length !== 0 || t.item() !== 1) throw new Error(`shape [${t.shape}], values ${JSON.stringify(Array.from(t.data))}`); }},
  { area, call: "tg.tensor(existingTensor)", act: () => tg.tensor(tg.tensor([1, 2, 3]) as never), refuse: { fn: 'tensor', shows: ['Tensor'] }, check: expectValues([1, 2, 3])},
  { area, call: "tg.tensor([1, '2', 3])", act: () => tg.tensor([1, '2', 3] as never), refuse: { fn: 'tensor', shows: [shown('2')] }},
  { area, call: 'tg.tensor([[1, 2], [3]])', act: () => tg.tensor([[1, 2], [3]]), refuse: { fn: 'tensor', shows: [['ragged', 'length']] } },
  { area, call: 'tg.tensor([1, [2, 3]])', act: () => tg.tensor([1, [2, 3]]), refuse: { fn: 'tensor', shows: [['ragged', 'is an array']] } },
  { area, call: 'tg.tensor([1, 2], { shape: [3] })', act: () => tg.tensor([1, 2], { shape: [3] }), refuse: { fn: 'tensor', shows: ['[3]'], type: tg.ShapeError } },
  { area, call: 'tg.tensor([1, 2], { shape: [-2] })', act: () => tg.tensor([1, 2], { shape: [-2] }), refuse: { fn: 'tensor', shows: ['[-2]'], type: tg.ShapeError } },
  { area, call: "tg.tensor([1, 2], { shape: '2' })", act: () => tg.tensor([1, 2], { shape: '2' as never }), refuse: { fn: 'tensor', shows: ['shape'] }},
  { area, call: 'tg.tensor([NaN, Infinity]) (valid)', act: () => tg.tensor([NaN, Infinity]), check: expectValues([NaN, Infinity]) },
  { area, call: 'tg.tensor([]) (valid: empty)', act: () => tg.tensor([]), check: (r) => { if ((r as tg.Tensor).shape.join() !== '0') throw new Error('shape [0] expected'); } },
  // creation helpers
  { area, call: 'tg.randn(3, 4)', act: () => tg.randn(3 as never, 4 as never), refuse: { fn: 'randn', shows: ['3'] }},
  ...(['zeros', 'ones', 'rand'] as const).map((fn): Case => ({ area, call: `tg.${fn}(3)`, act: () => tg[fn](3 as never), refuse: { fn, shows: ['3'] }})),
  ...[[2.5], [-1], [NaN], ['3']].map((shape): Case => ({ area, call: `tg.zeros(${lit(shape)})`, act: () => tg.zeros(shape as never), refuse: { fn: 'zeros', shows: [[lit(shape), lit(shape).replace(/"/g, ''), lit(shape).replace(/"/g, "'")]], type: tg.ShapeError }, })),
  { area, call: 'tg.zeros([1e6, 1e6])', act: () => tg.zeros([1e6, 1e6]), refuse: { fn: 'zeros', shows: [['[1000000,1000000]', '1000000000000']] }},
  { area, call: 'tg.zeros([0, 5]) (valid: empty)', act: () => tg.zeros([0, 5]), check: (r) => { if ((r as tg.Tensor).size !== 0) throw new Error('size 0 expected'); } },
  { area, call: "tg.full([2], 'x')", act: () => tg.full([2], 'x' as never), refuse: { fn: 'full', shows: [shown('x')] }},
  { area, call: 'tg.full([2], NaN) (valid)', act: () => tg.full([2], NaN), check: expectValues([NaN, NaN]) },
  { area, call: "tg.arange('5', '10')", act: () => tg.arange('5' as never, '10' as never), refuse: { fn: 'arange', shows: [shown('5')] }},
  { area, call: 'tg.arange(0, 10, 0)', act: () => tg.arange(0, 10, 0), refuse: { fn: 'arange', shows: ['step', '0'] } },
  { area, call: 'tg.arange(NaN)', act: () => tg.arange(NaN), refuse: { fn: 'arange', shows: ['NaN'] }},
  { area, call: 'tg.arange(0, Infinity)', act: () => tg.arange(0, Infinity), refuse: { fn: 'arange', shows: ['Infinity'] }},
  { area, call: 'tg.arange(1e12)', act: () => tg.arange(1e12), refuse: { fn: 'arange', shows: ['1000000000000'] }},
  // the generator
  ...['7', NaN, Infinity, null].map((v): Case => ({ area, call: `tg.manualSeed(${lit(v)})`, act: () => tg.manualSeed(v as never), refuse: { fn: 'manualSeed', shows: [shown(v)] } })),
  ...[
    { state: [0, 0, 0, 0], spareNormal: null },
    { state: [1, 2, 3], spareNormal: null },
    { state: [1, 2, 3, 2 ** 32], spareNormal: null },
    { state: [1, 2, 3, 0.5], spareNormal: null },
    { state: [1, 2, 3, 4], spareNormal: NaN },
    { state: [1, 2, 3, 4], spareNormal: 'x' },
    null,
  ].map((v): Case => ({ area, call: `tg.setRngState(${lit(v)})`, act: () => tg.setRngState(v as never), refuse: { fn: 'setRngState' } })),
  {
    area, call: 'tg.setRngState({ state: [0, 0, 0, 0], spareNormal: null }); tg.randn([2])',
    act: () => { tg.setRngState({ state: [0, 0, 0, 0], spareNormal: null }); return tg.randn([2]); },
    refuse: { fn: 'setRngState', shows: ['all zeros'] },
  },
  // methods
  { area, call: 't.reshape([5]) on [2,3]', act: () => tg.zeros([2, 3]).reshape([5]), refuse: { fn: 'reshape', shows: ['[2,3]', '[5]'], type: tg.ShapeError } },
  { area, call: "t.reshape('6')", act: () => tg.zeros([2, 3]).reshape('6' as never), refuse: { fn: 'reshape', shows: [shown('6')] }},
  { area, call: 't.item() on [2]', act: () => tg.zeros([2]).item(), refuse: { fn: 'item', shows: ['[2]'], type: tg.ShapeError } },
  { area, call: 't.backward() without requiresGrad', act: () => tg.zeros([1]).backward(), refuse: { fn: 'backward', type: tg.AutogradError } },
  { area, call: 't.backward() on [3]', act: () => tg.zeros([3], { requiresGrad: true }).mul(2).backward(), refuse: { fn: 'backward', shows: ['[3]'], type: tg.AutogradError } },
  { area, call: 't.backward(gradOutput [2]) on [3]', act: () => tg.zeros([3], { requiresGrad: true }).mul(2).backward(tg.zeros([2])), refuse: { fn: 'backward', shows: ['[2]', '[3]'], type: tg.ShapeError } },
  { area, call: "t.backward('1')", act: () => tg.zeros([1], { requiresGrad: true }).mul(2).backward('1' as never), refuse: { fn: 'backward', shows: [['gradOutput', 'gradient'], shown('1')] }},
  {
    area, call: 'loss.backward() twice',
    act: () => { const x = tg.tensor([1, 2], { requiresGrad: true }); const l = x.mul(x).sum(); l.backward(); l.backward(); return x.grad; },
    refuse: { fn: 'backward', shows: ['retainGraph'] },
  },
];

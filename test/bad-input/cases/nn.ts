/** Bad input to tg.nn (the lead's core area): layer arguments, inputs, state dicts, losses. */
import * as tg from '../../../src/index.ts';
import { lit, shown, type Case } from '../harness.ts';

const { nn } = tg;
const area = 'nn' as const;
const core = (item: string) => ({ owner: 'core' as const, item });

export const nnCases: Case[] = [
  // layer arguments
  ...[0, -3, 2.5, '4', NaN, null].map((v): Case => ({ area, call: `new nn.Dense(${lit(v)}, 3)`, act: () => new nn.Dense(v as never, 3), refuse: { fn: 'Dense', shows: ['inFeatures', shown(v)] }})),
  { area, call: 'new nn.Dense(1e6, 1e6)', act: () => new nn.Dense(1e6, 1e6), refuse: { fn: 'Dense', shows: [['1000000', '1e6', '1e+6']] }, pending: core('13: new Dense(1e6, 1e6) → "Invalid typed array length"') },
  { area, call: "new nn.Dense(4, 3, { bias: 'no' })", act: () => new nn.Dense(4, 3, { bias: 'no' as never }), refuse: { fn: 'Dense', shows: ['bias'] }, pending: core('13: a non-boolean bias option is taken as true') },
  ...[[0, 4, 3], [3, 4, 0], [3, 4, 2.5]].map(([i, o, k]): Case => ({ area, call: `new nn.Conv2D(${i}, ${o}, ${k})`, act: () => new nn.Conv2D(i!, o!, k!), refuse: { fn: 'Conv2D' } })),
  { area, call: 'new nn.Conv2D(3, 4, 3, { stride: 0 })', act: () => new nn.Conv2D(3, 4, 3, { stride: 0 }), refuse: { fn: 'Conv2D', shows: ['stride', '0'] } },
  { area, call: 'new nn.Conv2D(3, 4, 3, { padding: -1 })', act: () => new nn.Conv2D(3, 4, 3, { padding: -1 }), refuse: { fn: 'Conv2D', shows: ['padding', '-1'] } },
  ...[0, -1, 1.5].map((k): Case => ({ area, call: `new nn.MaxPool2D(${k})`, act: () => new nn.MaxPool2D(k), refuse: { fn: 'MaxPool2D', shows: [String(k)] } })),
  ...[-0.1, 1.5, 'x', NaN].map((p): Case => ({ area, call: `new nn.Dropout(${lit(p)})`, act: () => new nn.Dropout(p as never), refuse: { fn: 'Dropout', shows: [shown(p)] }})),
  { area, call: 'new nn.Sequential(dense, nn.ReLU)', input: () => new nn.Dense(4, 3), act: (_, dense) => new nn.Sequential(dense, nn.ReLU as never), refuse: { fn: 'Sequential', shows: ['1'] } },
  { area, call: 'new nn.Sequential(dense, (x) => x)', input: () => new nn.Dense(4, 3), act: (_, dense) => new nn.Sequential(dense, ((x: tg.Tensor) => x) as never), refuse: { fn: 'Sequential', shows: ['1'] } },
  { area, call: "new nn.Softmax('last')", act: () => new nn.Softmax('last' as never).forward(tg.zeros([2, 3])), refuse: { fn: ['softmax', 'Softmax'], shows: [shown('last')] }},
  // inputs
  { area, call: 'model.forward([[1, 2, 3, 4]])', act: (s) => s.model.forward([[1, 2, 3, 4]] as never), refuse: { fn: 'Dense', shows: ['Tensor', 'array'] }, pending: core("13: Dense.forward(array) → \"Cannot read properties of undefined (reading 'NaN')\"") },
  { area, call: 'model.forward(x [2,5]) (wrong features)', act: (s) => s.model.forward(tg.zeros([2, 5])), refuse: { fn: 'Dense', shows: ['[2,5]', ['0 (Dense)', 'model.0', '.0 ']] }, pending: core("13: errors inside a Sequential say 'linear', not which layer") },
  { area, call: 'model.forward(scalar)', act: (s) => s.model.forward(tg.tensor(1)), refuse: { fn: ['Dense', 'linear'], shows: ['[]'], type: tg.ShapeError } },
  { area, call: 'model.forward(undefined)', act: (s) => s.model.forward(undefined as never), refuse: { fn: 'Dense', shows: ['undefined'] }, pending: core('13: forward(undefined)') },
  { area, call: 'new nn.Conv2D(3, 4, 3).forward(x [3,8,8])', input: () => new nn.Conv2D(3, 4, 3), act: (_, conv) => conv.forward(tg.zeros([3, 8, 8])), refuse: { fn: ['Conv2D', 'conv2d'], shows: ['[3,8,8]'], type: tg.ShapeError } },
  { area, call: 'new nn.Conv2D(3, 4, 3).forward(x [1,2,8,8])', input: () => new nn.Conv2D(3, 4, 3), act: (_, conv) => conv.forward(tg.zeros([1, 2, 8, 8])), refuse: { fn: ['Conv2D', 'conv2d'], shows: ['[1,2,8,8]'], type: tg.ShapeError } },
  { area, call: 'new nn.MaxPool2D(2).forward(x [4,4])', act: () => new nn.MaxPool2D(2).forward(tg.zeros([4, 4])), refuse: { fn: ['MaxPool2D', 'maxPool2d'], shows: ['[4,4]'], type: tg.ShapeError } },
  { area, call: 'new nn.Flatten().forward(scalar)', act: () => new nn.Flatten().forward(tg.tensor(1)), refuse: { fn: ['Flatten', 'flatten'], shows: [['[]', '0 dimension']] } },
  // state dicts
  ...[null, 'weights', 42].map((v): Case => ({ area, call: `model.loadStateDict(${lit(v)})`, act: (s) => s.model.loadStateDict(v as never), refuse: { fn: 'loadStateDict', shows: ['object'] } })),
  { area, call: 'model.loadStateDict({})', act: (s) => s.model.loadStateDict({}), refuse: { fn: 'loadStateDict', shows: ['missing', '0.weight'], type: nn.StateDictError } },
  { area, call: 'model.loadStateDict({ ...sd, extra })', act: (s) => s.model.loadStateDict({ ...s.model.stateDict(), extra: tg.zeros([1]) }), refuse: { fn: 'loadStateDict', shows: ['unexpected', 'extra'], type: nn.StateDictError } },
  { area, call: "model.loadStateDict({ ...sd, '2.bias': zeros([4]) })", act: (s) => s.model.loadStateDict({ ...s.model.stateDict(), '2.bias': tg.zeros([4]) }), refuse: { fn: 'loadStateDict', shows: ['2.bias', '[4]', '[3]'], type: nn.StateDictError } },
  { area, call: "model.loadStateDict({ ...sd, '0.bias': [0, 0, 0, 0, 0, 0, 0, 0] })", act: (s) => s.model.loadStateDict({ ...s.model.stateDict(), '0.bias': new Array(8).fill(0) as never }), refuse: { fn: 'loadStateDict', shows: ['0.bias', 'not a Tensor'], type: nn.StateDictError } },
  // losses
  { area, call: "new nn.CrossEntropyLoss().forward(logits, labels [5])", act: () => new nn.CrossEntropyLoss().forward(tg.zeros([2, 3]), Int32Array.of(5, 0)), refuse: { fn: 'crossEntropy', shows: ['5'] } },
  { area, call: 'new nn.MSELoss().forward(pred [2,3], target [2])', act: () => new nn.MSELoss().forward(tg.zeros([2, 3]), tg.zeros([2])), refuse: { fn: 'mseLoss', shows: ['[2,3]', '[2]'], type: tg.ShapeError } },
  { area, call: 'new nn.BCELoss().forward(p of 1.5, t)', act: () => new nn.BCELoss().forward(tg.tensor([1.5]), tg.tensor([1])), refuse: { fn: 'binaryCrossEntropy', shows: ['1.5'] } },
  // utils
  { area, call: 'nn.utils.clipGradNorm(params, -1)', act: (s) => nn.utils.clipGradNorm(s.model.parameters(), -1), refuse: { fn: 'clipGradNorm', shows: ['-1'] } },
  { area, call: "nn.utils.clipGradNorm(params, 'x')", act: (s) => nn.utils.clipGradNorm(s.model.parameters(), 'x' as never), refuse: { fn: 'clipGradNorm', shows: [shown('x')] } },
  { area, call: 'nn.utils.clipGradValue(params, NaN)', act: (s) => (nn.utils as unknown as { clipGradValue(p: unknown, v: number): void }).clipGradValue(s.model.parameters(), NaN), refuse: { fn: 'clipGradValue', shows: ['NaN'] } },
];

/** Bad input to tg.nn (the lead's core area): layer arguments, inputs, state dicts, losses. */
import * as tg from '../../../src/index.ts';
import { lit, shown, type Case } from '../harness.ts';

const { nn } = tg;
const area = 'nn' as const;
const core = (item: string) => ({ owner: 'core' as const, item });

export const nnCases: Case[] = [
  // layer arguments
  ...[0, -3, 2.5, '4', NaN, null].map((v): Case => ({ area, call: `new nn.Dense(${lit(v)}, 3)`, act: () => new nn.Dense(v as never, 3), refuse: { fn: 'Dense', shows: ['inFeatures', shown(v)] }})),
  { area, call: 'new nn.Dense(1e6, 1e6)', act: () => new nn.Dense(1e6, 1e6), refuse: { fn: 'Dense', shows: [['1000000', '1e6', '1e+6']] } },
  { area, call: "new nn.Dense(4, 3, { bias: 'no' })", act: () => new nn.Dense(4, 3, { bias: 'no' as never }), refuse: { fn: 'Dense', shows: ['bias', shown('no')] } },
  ...[[0, 4, 3], [3, 4, 0], [3, 4, 2.5]].map(([i, o, k]): Case => ({ area, call: `new nn.Conv2D(${i}, ${o}, ${k})`, act: () => new nn.Conv2D(i!, o!, k!), refuse: { fn: 'Conv2D' } })),
  { area, call: 'new nn.Conv2D(3, 4, 3, { stride: 0 })', act: () => new nn.Conv2D(3, 4, 3, { stride: 0 }), refuse: { fn: 'Conv2D', shows: ['stride', '0'] } },
  { area, call: 'new nn.Conv2D(3, 4, 3, { padding: -1 })', act: () => new nn.Conv2D(3, 4, 3, { padding: -1 }), refuse: { fn: 'Conv2D', shows: ['padding', '-1'] } },
  ...[0, -1, 1.5].map((k): Case => ({ area, call: `new nn.MaxPool2D(${k})`, act: () => new nn.MaxPool2D(k), refuse: { fn: 'MaxPool2D', shows: [String(k)] } })),
  ...[-0.1, 1.5, 'x', NaN].map((p): Case => ({ area, call: `new nn.Dropout(${lit(p)})`, act: () => new nn.Dropout(p as never), refuse: { fn: 'Dropout', shows: [shown(p)] }})),
  { area, call: 'new nn.Sequential(dense, nn.ReLU)', input: () => new nn.Dense(4, 3), act: (_, dense) => new nn.Sequential(dense, nn.ReLU as never), refuse: { fn: 'Sequential', shows: ['1'] } },
  { area, call: 'new nn.Sequential(dense, (x) => x)', input: () => new nn.Dense(4, 3), act: (_, dense) => new nn.Sequential(dense, ((x: tg.Tensor) => x) as never), refuse: { fn: 'Sequential', shows: ['1'] } },
  { area, call: "new nn.Softmax('last')", act: () => new nn.Softmax('last' as never).forward(tg.zeros([2, 3])), refuse: { fn: ['softmax', 'Softmax'], shows: [shown('last')] }},
  // inputs
  { area, call: 'model.forward([[1, 2, 3, 4]])', act: (s) => s.model.forward([[1, 2, 3, 4]] as never), refuse: { fn: 'Dense', shows: ['Tensor', 'array'] } },
  { area, call: 'model.forward(x [2,5]) (wrong features)', act: (s) => s.model.forward(tg.zeros([2, 5])), refuse: { fn: 'Dense', shows: ['[2,5]', ['0 (Dense)', 'model.0', '.0 ']] } },
  { area, call: 'model.forward(scalar)', act: (s) => s.model.forward(tg.tensor(1)), refuse: { fn: ['Dense', 'linear'], shows: ['[]'], type: tg.ShapeError } },
  { area, call: 'model.forward(undefined)', act: (s) => s.model.forward(undefined as never), refuse: { fn: 'Dense', shows: ['undefined'] } },
  { area, call: 'new nn.Conv2D(3, 4, 3).forward(x [3,8,8])', input: () => new nn.Conv2D(3, 4, 3), act: (_, conv) => conv.forward(tg.zeros([3, 8, 8])), refuse: { fn: ['Conv2D', 'conv2d'], shows: ['[3,8,8]'], type: tg.ShapeError } },
  { area, call: 'new nn.Conv2D(3, 4, 3).forward(x [1,2,8,8])', input: () => new nn.Conv2D(3, 4, 3), act: (_, conv) => conv.forward(tg.zeros([1, 2, 8, 8])), refuse: { fn: ['Conv2D', 'conv2d'], shows: ['[1,2,8,8]'], type: tg.ShapeError } },
  { area, call: 'new nn.MaxPool2D(2).forward(x [4,4])', act: () => new nn.MaxPool2D(2).forward(tg.zeros([4, 4])), refuse: { fn: ['MaxPool2D', 'maxPool2d'], shows: ['[4,4]'], type: tg.ShapeError } },
  { area, call: 'new nn.Flatten().forward(scalar)', act: () => new nn.Flatten().forward(tg.tensor(1)), refuse: { fn: ['Flatten', 'flatten'], shows: [['[]', '0 dimension']] } },
  // the layers of issue 14: options, inputs and indices
  { area, call: 'new nn.Conv2D(3, 4, 3, { bais: false })', act: () => new nn.Conv2D(3, 4, 3, { bais: false } as never), refuse: { fn: 'Conv2D', shows: ['bais', 'bias'] } },
  { area, call: 'new nn.LSTM(3, 4, { batch_first: true })', act: () => new nn.LSTM(3, 4, { batch_first: true } as never), refuse: { fn: 'LSTM', shows: ['batch_first', 'batchFirst'] } },
  { area, call: 'new nn.GRU(3, 4, { numLayers: 0 })', act: () => new nn.GRU(3, 4, { numLayers: 0 }), refuse: { fn: 'GRU', shows: ['numLayers', '0'] } },
  { area, call: 'new nn.BatchNorm2D(4, { momentum: 2 })', act: () => new nn.BatchNorm2D(4, { momentum: 2 }), refuse: { fn: 'BatchNorm2D', shows: ['momentum', '2'] } },
  { area, call: 'new nn.GroupNorm(3, 4)', act: () => new nn.GroupNorm(3, 4), refuse: { fn: 'GroupNorm', shows: ['3', '4'] } },
  { area, call: 'new nn.LayerNorm([])', act: () => new nn.LayerNorm([]), refuse: { fn: 'LayerNorm', shows: ['[]'] } },
  { area, call: 'new nn.Embedding(5, 3, { paddingIdx: 5 })', act: () => new nn.Embedding(5, 3, { paddingIdx: 5 }), refuse: { fn: 'Embedding', shows: ['paddingIdx', '5'] } },
  { area, call: 'new nn.ConvTranspose2D(3, 4, 3, { stride: 2, outputPadding: 3 })', act: () => new nn.ConvTranspose2D(3, 4, 3, { stride: 2, outputPadding: 3 }), refuse: { fn: 'ConvTranspose2D', shows: ['outputPadding', '3'] } },
  { area, call: 'new nn.Upsample({ scaleFactor: 0 })', act: () => new nn.Upsample({ scaleFactor: 0 }), refuse: { fn: 'Upsample', shows: ['scaleFactor', '0'] } },
  { area, call: 'new nn.MultiheadAttention(10, 3)', act: () => new nn.MultiheadAttention(10, 3), refuse: { fn: 'MultiheadAttention', shows: ['10', '3'] } },
  { area, call: 'new nn.TransformerEncoderLayer(8, 3, 16)', act: () => new nn.TransformerEncoderLayer(8, 3, 16), refuse: { fn: 'TransformerEncoderLayer', shows: ['8', '3'] } },
  { area, call: "new nn.TransformerEncoderLayer(8, 2, 16, { activation: 'tanh' })", act: () => new nn.TransformerEncoderLayer(8, 2, 16, { activation: 'tanh' as never }), refuse: { fn: 'TransformerEncoderLayer', shows: ['activation', shown('tanh')] } },
  { area, call: 'new nn.TransformerEncoderLayer(8, 2, 16, { dropout: 1.5 })', act: () => new nn.TransformerEncoderLayer(8, 2, 16, { dropout: 1.5 }), refuse: { fn: 'TransformerEncoderLayer', shows: ['1.5'] } },
  { area, call: 'new nn.Embedding(5, 3).forward(indices [0, 5])', input: () => new nn.Embedding(5, 3), act: (_, emb) => emb.forward(tg.tensor([0, 5], { dtype: 'int32' })), refuse: { fn: ['Embedding', 'embedding'], shows: ['5'], type: RangeError } },
  { area, call: 'new nn.Embedding(5, 3).forward(indices [-1])', input: () => new nn.Embedding(5, 3), act: (_, emb) => emb.forward(tg.tensor([-1], { dtype: 'int32' })), refuse: { fn: ['Embedding', 'embedding'], shows: ['-1'], type: RangeError } },
  { area, call: 'new nn.Embedding(5, 3).forward(float32 indices)', input: () => new nn.Embedding(5, 3), act: (_, emb) => emb.forward(tg.tensor([0, 1])), refuse: { fn: ['Embedding', 'embedding'], shows: ['float32'] } },
  { area, call: 'new nn.BatchNorm2D(4).forward(x [2,3,5,5])', input: () => new nn.BatchNorm2D(4), act: (_, bn) => bn.forward(tg.zeros([2, 3, 5, 5])), refuse: { fn: 'BatchNorm2D', shows: ['[2,3,5,5]'], type: tg.ShapeError } },
  { area, call: 'new nn.BatchNorm1D(4).forward(x [1,4]) (training)', input: () => new nn.BatchNorm1D(4), act: (_, bn) => bn.forward(tg.zeros([1, 4])), refuse: { fn: ['BatchNorm1D', 'batchNorm'], shows: ['[1,4]'], type: tg.ShapeError } },
  { area, call: 'new nn.LayerNorm(4).forward(x [2,3])', input: () => new nn.LayerNorm(4), act: (_, ln) => ln.forward(tg.zeros([2, 3])), refuse: { fn: ['LayerNorm', 'layerNorm'], shows: ['[2,3]'], type: tg.ShapeError } },
  { area, call: 'new nn.AvgPool2D(3).forward(x [1,1,2,2])', act: () => new nn.AvgPool2D(3).forward(tg.zeros([1, 1, 2, 2])), refuse: { fn: ['AvgPool2D', 'avgPool2d'], shows: ['[1,1,2,2]'], type: tg.ShapeError } },
  { area, call: 'new nn.Conv1D(3, 4, 3).forward(x [1,2,5])', input: () => new nn.Conv1D(3, 4, 3), act: (_, conv) => conv.forward(tg.zeros([1, 2, 5])), refuse: { fn: ['Conv1D', 'conv1d'], shows: ['[1,2,5]'], type: tg.ShapeError } },
  { area, call: 'new nn.LSTM(3, 4).forward(x [5,2,2])', input: () => new nn.LSTM(3, 4), act: (_, lstm) => lstm.forward(tg.zeros([5, 2, 2])), refuse: { fn: 'LSTM', shows: ['[5,2,2]'], type: tg.ShapeError } },
  { area, call: 'new nn.LSTM(3, 4).forward(x, [h0 [1,2,5], c0])', input: () => new nn.LSTM(3, 4), act: (_, lstm) => lstm.forward(tg.zeros([5, 2, 3]), [tg.zeros([1, 2, 5]), tg.zeros([1, 2, 4])]), refuse: { fn: 'LSTM', shows: ['h0', '[1,2,5]'], type: tg.ShapeError } },
  { area, call: 'new nn.LSTM(3, 4).forward(x, h0) (not [h0, c0])', input: () => new nn.LSTM(3, 4), act: (_, lstm) => lstm.forward(tg.zeros([5, 2, 3]), tg.zeros([1, 2, 4]) as never), refuse: { fn: 'LSTM', shows: ['[h0, c0]'] } },
  { area, call: 'mha.forward(q, k, v, { keyPaddingMask [5,2] })', input: () => new nn.MultiheadAttention(8, 2), act: (_, mha) => mha.forward(tg.zeros([5, 2, 8]), tg.zeros([5, 2, 8]), tg.zeros([5, 2, 8]), { keyPaddingMask: tg.zeros([5, 2], { dtype: 'bool' }) }), refuse: { fn: 'MultiheadAttention', shows: ['keyPaddingMask', '[5,2]'], type: tg.ShapeError } },
  { area, call: 'mha.forward(q, k, v, { causal: true })', input: () => new nn.MultiheadAttention(8, 2), act: (_, mha) => mha.forward(tg.zeros([5, 2, 8]), tg.zeros([5, 2, 8]), tg.zeros([5, 2, 8]), { causal: true } as never), refuse: { fn: 'MultiheadAttention', shows: ['causal', 'attnMask'] } },
  { area, call: 'encoder.forward(x [3,2,6]) (a TransformerEncoderLayer in a Sequential)', input: () => new nn.Sequential(new nn.TransformerEncoderLayer(8, 2, 16)), act: (_, enc) => enc.forward(tg.zeros([3, 2, 6])), refuse: { fn: 'MultiheadAttention', shows: ['[3,2,6]', 'model.0.self_attn'], type: tg.ShapeError } },
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
  { area, call: 'nn.functional.nllLoss(logp, labels [0, 3])', act: () => nn.functional.nllLoss(tg.zeros([2, 3]), tg.tensor([0, 3], { dtype: 'int32' })), refuse: { fn: 'nllLoss', shows: ['3'], type: RangeError } },
  { area, call: 'nn.functional.nllLoss(logp, labels, { labelSmoothing: 0.1 })', act: () => nn.functional.nllLoss(tg.zeros([2, 3]), tg.tensor([0, 1], { dtype: 'int32' }), { labelSmoothing: 0.1 } as never), refuse: { fn: 'nllLoss', shows: ['labelSmoothing'] } },
  { area, call: 'new nn.CrossEntropyLoss({ ignoreIndex: 1 }).forward(logits, labels [1, 7])', act: () => new nn.CrossEntropyLoss({ ignoreIndex: 1 }).forward(tg.zeros([2, 3]), tg.tensor([1, 7], { dtype: 'int32' })), refuse: { fn: 'crossEntropy', shows: ['7'], type: RangeError } },
  { area, call: 'new nn.CrossEntropyLoss({ labelSmoothing: 2 })', act: () => new nn.CrossEntropyLoss({ labelSmoothing: 2 }), refuse: { fn: 'CrossEntropyLoss', shows: ['labelSmoothing', '2'] } },
  { area, call: 'new nn.CrossEntropyLoss({ weight: zeros([4]) }).forward(logits [2,3], labels)', act: () => new nn.CrossEntropyLoss({ weight: tg.zeros([4]) }).forward(tg.zeros([2, 3]), tg.tensor([0, 1], { dtype: 'int32' })), refuse: { fn: ['CrossEntropyLoss', 'crossEntropy'], shows: ['weight', '[4]'], type: tg.ShapeError } },
  { area, call: 'new nn.HuberLoss().forward(pred [2,3], target [2,4])', act: () => new nn.HuberLoss().forward(tg.zeros([2, 3]), tg.zeros([2, 4])), refuse: { fn: 'huberLoss', shows: ['[2,3]', '[2,4]'], type: tg.ShapeError } },
  { area, call: 'new nn.BCEWithLogitsLoss({ posWeight: [2] })', act: () => new nn.BCEWithLogitsLoss({ posWeight: [2] as never }), refuse: { fn: 'BCEWithLogitsLoss', shows: ['posWeight'] } },
  // utils
  { area, call: 'nn.utils.clipGradNorm(params, -1)', act: (s) => nn.utils.clipGradNorm(s.model.parameters(), -1), refuse: { fn: 'clipGradNorm', shows: ['-1'] } },
  { area, call: "nn.utils.clipGradNorm(params, 'x')", act: (s) => nn.utils.clipGradNorm(s.model.parameters(), 'x' as never), refuse: { fn: 'clipGradNorm', shows: [shown('x')] } },
  { area, call: 'nn.utils.clipGradValue(params, NaN)', act: (s) => (nn.utils as unknown as { clipGradValue(p: unknown, v: number): void }).clipGradValue(s.model.parameters(), NaN), refuse: { fn: 'clipGradValue', shows: ['NaN'] } },
];

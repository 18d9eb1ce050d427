/** Bad input to the ops (the lead's core area): operands, axes, shapes, labels, NaN semantics. */
import * as tg from '../../../src/index.ts';
import { lit, shown, type Case } from '../harness.ts';

const { ops } = tg;
const area = 'ops' as const;
const core = (item: string) => ({ owner: 'core' as const, item });

const x23 = () => tg.tensor([[1, 2, 3], [4, 5, 6]]);
const logits = () => tg.tensor([[1, 2, 3], [1, 0, 0]]);

/** A check that a one-element result is NaN (PyTorch propagates NaN through everything here). */
const isNaNResult = (r: unknown) => {
  const v = (r as tg.Tensor).data;
  if (!Array.from(v).every(Number.isNaN)) throw new Error(`got ${JSON.stringify(Array.from(v))}, want NaN`);
};

export const opsCases: Case[] = [
  // operands
  ...['1', null, undefined, [1, 2], {}].map((v): Case => ({ area, call: `ops.add(t, ${lit(v)})`, act: () => ops.add(x23(), v as never), refuse: { fn: 'add', shows: [shown(v)] }})),
  ...['2', null].map((v): Case => ({ area, call: `ops.mul(t, ${lit(v)})`, act: () => ops.mul(x23(), v as never), refuse: { fn: 'mul', shows: [shown(v)] }})),
  { area, call: 'ops.add([2,3], [3,2])', act: () => ops.add(x23(), tg.zeros([3, 2])), refuse: { fn: 'add', shows: ['[2,3]', '[3,2]'], type: tg.ShapeError } },
  { area, call: 'ops.matmul([2,3], [2,3])', act: () => ops.matmul(x23(), x23()), refuse: { fn: 'matmul', shows: ['[2,3]'], type: tg.ShapeError } },
  { area, call: 'ops.matmul(t, [[1],[2],[3]])', act: () => ops.matmul(x23(), [[1], [2], [3]] as never), refuse: { fn: 'matmul', shows: ['array'] }},
  { area, call: 'ops.matmul(scalar, t)', act: () => ops.matmul(tg.tensor(2), x23()), refuse: { fn: 'matmul', shows: ['[]'], type: tg.ShapeError } },
  // axes
  ...[2, -3, 1.5, '0'].map((axis): Case => ({ area, call: `ops.sum(t, ${lit(axis)})`, act: () => ops.sum(x23(), axis as never), refuse: { fn: 'sum', shows: [shown(axis)] }})),
  ...[2, -3].map((axis): Case => ({ area, call: `ops.softmax(t, ${axis})`, act: () => ops.softmax(x23(), axis), refuse: { fn: 'softmax', shows: [String(axis)] } })),
  { area, call: 'ops.sum(t, [0, 0])', act: () => ops.sum(x23(), [0, 0]), refuse: { fn: 'sum', shows: ['repeated'] } },
  { area, call: 't.transpose(0, 5)', act: () => x23().transpose(0, 5), refuse: { fn: 'transpose', shows: ['5'] } },
  { area, call: 't.flatten(3)', act: () => x23().flatten(3), refuse: { fn: 'flatten', shows: ['3'] } },
  // conv and pooling
  { area, call: 'ops.conv2d(x [1,3,8,8], w [4,2,3,3])', act: () => ops.conv2d(tg.zeros([1, 3, 8, 8]), tg.zeros([4, 2, 3, 3])), refuse: { fn: 'conv2d', shows: ['[4,2,3,3]'], type: tg.ShapeError } },
  { area, call: 'ops.conv2d(x [3,8,8], w [4,3,3,3])', act: () => ops.conv2d(tg.zeros([3, 8, 8]), tg.zeros([4, 3, 3, 3])), refuse: { fn: 'conv2d', shows: ['[3,8,8]'], type: tg.ShapeError } },
  { area, call: 'ops.conv2d(x [1,1,2,2], w [1,1,3,3])', act: () => ops.conv2d(tg.zeros([1, 1, 2, 2]), tg.zeros([1, 1, 3, 3])), refuse: { fn: 'conv2d', shows: ['[1,1,2,2]'] } },
  { area, call: 'ops.conv2d(x, w, null, { stride: 0 })', act: () => ops.conv2d(tg.zeros([1, 1, 4, 4]), tg.zeros([1, 1, 3, 3]), null, { stride: 0 }), refuse: { fn: 'conv2d', shows: ['stride', '0'] } },
  { area, call: 'ops.maxPool2d(x [1,1,4,4], 0)', act: () => ops.maxPool2d(tg.zeros([1, 1, 4, 4]), 0), refuse: { fn: 'maxPool2d', shows: ['0'] } },
  { area, call: 'ops.maxPool2d(x [4,4], 2)', act: () => ops.maxPool2d(tg.zeros([4, 4]), 2), refuse: { fn: 'maxPool2d', shows: ['[4,4]'], type: tg.ShapeError } },
  { area, call: 'ops.dropout(t, 1.5)', act: () => ops.dropout(x23(), 1.5, true), refuse: { fn: 'dropout', shows: ['1.5'] } },
  // losses and labels
  ...[[0, 3], [-1, 0], [0.5, 1], [NaN, 0]].map((labels): Case => ({ area, call: `ops.crossEntropy(logits [2,3], ${lit(labels)})`, act: () => ops.crossEntropy(logits(), labels), refuse: { fn: 'crossEntropy', shows: [String(labels.find((l) => !(Number.isInteger(l) && l >= 0 && l < 3)))] } })),
  { area, call: 'ops.crossEntropy(logits [2,3], [0])', act: () => ops.crossEntropy(logits(), [0]), refuse: { fn: 'crossEntropy', shows: ['1 labels', '2'], type: tg.ShapeError } },
  { area, call: "ops.crossEntropy(logits, 'ab')", act: () => ops.crossEntropy(logits(), 'ab' as never), refuse: { fn: 'crossEntropy', shows: ['labels'] } },
  { area, call: 'ops.crossEntropy(logits [3], [0])', act: () => ops.crossEntropy(tg.tensor([1, 2, 3]), [0]), refuse: { fn: 'crossEntropy', shows: ['[3]'] } },
  { area, call: 'ops.mseLoss([2,3], [3,2])', act: () => ops.mseLoss(x23(), tg.zeros([3, 2])), refuse: { fn: 'mseLoss', shows: ['[2,3]', '[3,2]'], type: tg.ShapeError } },
  { area, call: 'ops.mseLoss(t, [[1,2,3],[4,5,6]])', act: () => ops.mseLoss(x23(), [[1, 2, 3], [4, 5, 6]] as never), refuse: { fn: 'mseLoss', shows: ['target'] } },
  { area, call: 'ops.binaryCrossEntropy(p, t of another shape)', act: () => ops.binaryCrossEntropy(tg.tensor([0.5, 0.5]), tg.tensor([1])), refuse: { fn: 'binaryCrossEntropy', shows: ['[2]', '[1]'], type: tg.ShapeError } },
  // NaN semantics (PyTorch propagates NaN)
  { area, call: 'ops.relu(tensor([NaN])) (valid: NaN out)', act: () => ops.relu(tg.tensor([NaN])), check: isNaNResult},
  { area, call: 'ops.max(tensor([1, NaN])) (valid: NaN out)', act: () => ops.max(tg.tensor([1, NaN])), check: isNaNResult },
  { area, call: 'tensor([NaN]).clamp(0, 1) (valid: NaN out)', act: () => (tg.tensor([NaN]) as unknown as { clamp(a: number, b: number): tg.Tensor }).clamp(0, 1), check: isNaNResult},
  { area, call: 'ops.crossEntropy(logits with a NaN, labels) (valid: NaN out)', act: () => ops.crossEntropy(tg.tensor([[NaN, 0, 0]]), [0]), check: isNaNResult },
  { area, call: 'ops.relu(tensor([-Infinity, Infinity])) (valid)', act: () => ops.relu(tg.tensor([-Infinity, Infinity])), check: (r) => { const v = Array.from((r as tg.Tensor).data); if (v[0] !== 0 || v[1] !== Infinity) throw new Error(JSON.stringify(v)); } },
  { area, call: 'ops.sum(zeros([0, 3])) (valid: 0)', act: () => ops.sum(tg.zeros([0, 3])), check: (r) => { if ((r as tg.Tensor).item() !== 0) throw new Error('0 expected'); } },
  { area, call: 'ops.mean(zeros([0])) (NaN, as PyTorch, or a clear refusal)', act: () => ops.mean(tg.zeros([0])), refuse: { fn: 'mean', shows: ['[0]'] }, check: isNaNResult },
];

/**
 * Every converter, one op (or a few) at a time: the graph exported from a real traced call,
 * run by onnxruntime, must give what tsgrad's op gives — on the example input, and on other
 * inputs of its shape, so a value frozen in from the example would show. The last test
 * checks that every entry of the converter table was exercised here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/index.ts';
import * as o from '../../src/ops/index.ts';
import { trace, type TraceEvent } from '../../src/ops/trace.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { manualSeed } from '../../src/tensor/random.ts';
import { rand, randn, tensor } from '../../src/tensor/creation.ts';
import { exportModel } from '../../src/onnx/export.ts';
import { CONVERTERS } from '../../src/onnx/converters/index.ts';
import { FnModule, expectRunsLikeModel, worstErrors } from './helpers/export.ts';

manualSeed(7);
const x34 = randn([3, 4]);
const y34 = randn([3, 4]);
const x234 = randn([2, 3, 4]);
const img = randn([2, 3, 6, 6]);
const positive = tensor([[0.5, 1, 2, 3], [4, 0.1, 0.7, 9]]);
const int = (values: number[], shape: number[]) => tensor(values, { shape, dtype: 'int32' });
const ints34 = int([3, -2, 0, 7, 1, 1, -5, 2, 9, 4, 0, -1], [3, 4]);
// Weights made once, outside the forward: the graph holds them as constants.
const w45 = randn([4, 5]);
const w54 = randn([5, 4]);
const b5 = randn([5]);
const convW = randn([4, 3, 3, 3]);
const convB = randn([4]);
const conv1W = randn([6, 4, 3]);
const convTW = randn([3, 2, 3, 3]);
const table = randn([5, 3]);
const c3 = () => randn([3]);
const [bnMean, bnVar, bnW, bnB] = [c3(), o.add(o.abs(c3()), 0.5), c3(), c3()];
const ln34 = [randn([3, 4]), randn([3, 4])];
const gn6 = [randn([6]), randn([6])];
const [w35, b6, b2, w4, b4, mask56] = [randn([3, 5]), randn([6]), randn([2]), randn([4]), randn([4]), randn([5, 6])];

interface Case {
  name: string;
  inputs: Tensor[];
  fn: (...xs: Tensor[]) => Tensor | Tensor[];
  opset?: number;
}

const cases: Case[] = [
  // elementwise
  { name: 'add sub mul div (tensors, broadcast)', inputs: [x34, randn([4])], fn: (a, b) => o.div(o.mul(o.sub(o.add(a, b), b), b), o.add(o.abs(b), 1)) },
  { name: 'numbers on either side: 1 − x, 2 / x, 0.5·x, x + 2, x², 2^x', inputs: [positive],
    fn: (a) => o.add(o.add(o.sub(1, a), o.div(2, a)), o.add(o.mul(0.5, o.add(a, 2)), o.add(o.pow(a, 2), o.pow(2, o.mul(a, 0.3))))) },
  { name: 'int32 promotes: int + 0.5, int · float tensor, int / int, int · 3 stays int', inputs: [ints34, x34],
    fn: (i, f) => [o.add(i, 0.5), o.mul(i, f), o.div(i, o.add(o.abs(i), 1)), o.mul(i, 3)] },
  { name: 'neg exp log sqrt abs log1p sign', inputs: [positive], fn: (a) => o.add(o.add(o.add(o.neg(o.exp(o.neg(a))), o.log(a)), o.add(o.sqrt(o.abs(a)), o.log1p(a))), o.sign(o.sub(a, 1))) },
  { name: 'clone, and detach (a view made outside the ops: the same graph value)', inputs: [x34], fn: (a) => o.mul(o.clone(a), o.add(o.relu(a).detach(), a.detach())) },
  { name: 'sin cos erf', inputs: [x34], fn: (a) => o.add(o.add(o.sin(a), o.cos(a)), o.erf(a)) },
  { name: 'clamp both bounds, only min, only max', inputs: [x34], fn: (a) => o.add(o.add(o.clamp(a, -0.5, 0.5), o.clamp(a, null, 0.2)), o.clamp(a, -0.1)) },
  { name: 'minimum maximum (tensors and numbers)', inputs: [x34, y34], fn: (a, b) => o.add(o.add(o.minimum(a, b), o.maximum(a, b)), o.maximum(a, 0.25)) },
  { name: 'comparisons give bools: gt ge lt le eq ne, logicalNot', inputs: [x34, y34],
    fn: (a, b) => [o.gt(a, b), o.ge(a, 0), o.lt(a, b), o.le(o.abs(a), 0.5), o.eq(o.sign(a), o.sign(b)), o.ne(ints34, 1), o.logicalNot(o.gt(a, 0))] },
  { name: 'where (tensor and number branches) and maskedFill', inputs: [x34, y34],
    fn: (a, b) => o.add(o.add(o.where(o.gt(a, 0), a, b), o.where(o.lt(b, 0), -1, b)), o.add(o.where(o.gt(a, b), 2, 0), o.maskedFill(b, o.gt(b, 0.3), -2))) },
  { name: 'cast float → int32 (toward zero) → bool, and back', inputs: [o.mul(x34, 3)],
    fn: (a) => [o.cast(a, 'int32'), o.cast(o.cast(a, 'int32'), 'bool'), o.add(o.cast(o.cast(a, 'int32'), 'float32'), o.cast(o.gt(a, 0), 'float32'))] },
  // activations
  { name: 'relu sigmoid tanh', inputs: [x34], fn: (a) => o.add(o.add(o.relu(a), o.sigmoid(a)), o.tanh(a)) },
  { name: 'softmax and logSoftmax on an inner and the last axis', inputs: [x234], fn: (a) => o.add(o.softmax(a, 1), o.logSoftmax(a, -1)) },
  { name: 'leakyRelu elu silu', inputs: [x34], fn: (a) => o.add(o.add(o.leakyRelu(a, 0.2), o.elu(a, 0.7)), o.silu(a)) },
  { name: 'softplus (β 1 and 2) logSigmoid', inputs: [o.mul(x34, 5)], fn: (a) => o.add(o.add(o.softplus(a), o.softplus(a, 2)), o.logSigmoid(a)) },
  { name: 'gelu exact, composed (opset 17)', inputs: [o.mul(x34, 3)], fn: (a) => o.gelu(a) },
  { name: 'gelu tanh, composed (opset 17)', inputs: [o.mul(x34, 3)], fn: (a) => o.gelu(a, { approximate: 'tanh' }) },
  { name: 'gelu as Gelu (opset 20)', inputs: [o.mul(x34, 3)], fn: (a) => o.add(o.gelu(a), o.gelu(a, { approximate: 'tanh' })), opset: 20 },
  // reductions
  { name: 'sum and mean over axes, keepDim', inputs: [x234], fn: (a) => o.add(o.sum(a, [0, 2], true), o.mean(a, 1, true)) },
  { name: 'sum and mean of everything, sum of bools', inputs: [x234], fn: (a) => [o.add(o.sum(a), o.mean(a)), o.sum(o.gt(a, 0), 1)] },
  { name: 'mean with axes as an attribute (opset 13)', inputs: [x234], fn: (a) => o.mean(a, -1), opset: 13 },
  { name: 'max min along an axis and over everything, logsumexp', inputs: [x234], fn: (a) => [o.add(o.add(o.max(a, 1), o.min(a, 1, false)), o.logsumexp(a, 1)), o.max(a), o.min(a, 2, true)] },
  { name: 'var and std, unbiased and biased', inputs: [x234], fn: (a) => o.add(o.add(o.var(a, -1), o.std(a, -1)), o.var(a, [0, 2], false, false)) },
  { name: 'argmax argmin along an axis, and argmax of everything', inputs: [x234], fn: (a) => [o.argmax(a, 2), o.argmin(a, 1, true), o.argmax(a), o.argmin(a, 0)] },
  // shape and indexing
  { name: 'reshape flatten squeeze unsqueeze transpose', inputs: [x234], fn: (a) => o.transpose(o.unsqueeze(o.squeeze(o.reshape(o.flatten(a, 1), [4, 3, 1, 2]), 2), 0), 1, 3) },
  { name: 'permute', inputs: [x234], fn: (a) => o.permute(a, 2, 0, 1) },
  { name: 'expand', inputs: [randn([3, 1])], fn: (a) => o.expand(a, [2, 3, 4]) },
  { name: 'repeat with a new leading dim', inputs: [x34], fn: (a) => o.repeat(a, 2, 1, 3) },
  { name: 'cat (int32 with float32) and stack', inputs: [x34, y34], fn: (a, b) => o.add(o.cat([a, ints34, b], 0), o.reshape(o.stack([a, b, a], 1), [9, 4])) },
  { name: 'split into sizes, chunk (uneven) into several outputs', inputs: [randn([2, 7])], fn: (a) => [...o.split(a, [2, 5], 1), ...o.chunk(a, 3, 1)] },
  { name: 'unbind', inputs: [x234], fn: (a) => o.unbind(a, 1) },
  { name: 'narrow select', inputs: [x234], fn: (a) => o.add(o.narrow(a, 2, 1, 2), o.reshape(o.select(a, 2, -1), [2, 3, 1])) },
  { name: 'indexSelect and gather with int32 indices', inputs: [x34],
    fn: (a) => o.add(o.indexSelect(a, 1, int([3, 0, 0, 2], [4])), o.gather(a, 1, int([0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 1, 1], [3, 4]))) },
  // layers' ops
  { name: 'matmul: batched, 3-D by 2-D, vector by matrix, vector by vector', inputs: [x234, w45, randn([2, 4, 3])],
    fn: (a, w, b) => [o.add(o.matmul(a, w), o.matmul(o.transpose(o.matmul(a, b), 1, 2), w35)), o.matmul(o.select(o.select(a, 0, 0), 0, 1), w), o.matmul(o.select(w, 1, 0), o.select(w, 1, 2))] },
  { name: 'linear on 1-D, 2-D (Gemm) and 3-D (MatMul) inputs, with and without bias', inputs: [x234],
    fn: (a) => [o.linear(a, w54, b5), o.linear(o.reshape(a, [6, 4]), w54), o.linear(o.select(o.select(a, 0, 1), 0, 2), w54, b5)] },
  { name: 'conv2d with stride and padding, maxPool2d with stride', inputs: [img], fn: (a) => o.maxPool2d(o.conv2d(a, convW, convB, { stride: 1, padding: 1 }), 3, 2) },
  { name: 'conv2d stride 2, no bias', inputs: [img], fn: (a) => o.conv2d(a, convW, null, { stride: 2 }) },
  { name: 'conv1d with stride and padding', inputs: [randn([2, 4, 9])], fn: (a) => o.conv1d(a, conv1W, b6, { stride: 2, padding: 2 }) },
  { name: 'convTranspose2d with stride, padding and output padding', inputs: [randn([2, 3, 4, 4])], fn: (a) => o.convTranspose2d(a, convTW, b2, { stride: 2, padding: 1, outputPadding: 1 }) },
  { name: 'avgPool2d: padding counted, overlapping, non-overlapping', inputs: [img], fn: (a) => [o.avgPool2d(a, 3, 3, 1), o.avgPool2d(a, 3, 1), o.avgPool2d(a, 2)] },
  { name: 'adaptiveAvgPool2d: even windows, global, uneven windows (composed)', inputs: [img], fn: (a) => [o.adaptiveAvgPool2d(a, 2), o.adaptiveAvgPool2d(a, 1), o.adaptiveAvgPool2d(a, [4, 5])] },
  { name: 'interpolate: nearest ×2, bilinear ×2, alignCorners ×3, nearest to a fractional size (composed)', inputs: [randn([1, 2, 3, 4])],
    fn: (a) => [o.interpolate(a, { scaleFactor: 2 }), o.interpolate(a, { scaleFactor: 2, mode: 'bilinear' }), o.interpolate(a, { scaleFactor: 3, mode: 'bilinear', alignCorners: true }), o.interpolate(a, { size: [5, 7] }), o.interpolate(a, { size: [4, 6], mode: 'bilinear' })] },
  { name: 'interpolate on [N, C, L]', inputs: [randn([2, 3, 5])], fn: (a) => o.interpolate(a, { scaleFactor: 2 }) },
  { name: 'embedding (int32 indices of any shape)', inputs: [int([1, 0, 4, 4, 2, 3], [2, 3])], fn: (i) => o.embedding(i, table) },
  { name: 'dropout off (training false) leaves no op', inputs: [x34], fn: (a) => o.relu(o.dropout(a, 0.5, false)) },
  // norms
  { name: 'batchNorm with running statistics (BatchNormalization), with and without affine', inputs: [img],
    fn: (a) => [o.batchNorm(a, bnMean, bnVar, bnW, bnB), o.batchNorm(a, bnMean, bnVar, null, null, { eps: 1e-3 }), o.batchNorm(o.reshape(a, [2, 3, 36]), bnMean, bnVar, bnW, bnB)] },
  { name: 'batchNorm with only a bias, and with batch statistics (both composed)', inputs: [img],
    fn: (a) => [o.batchNorm(a, bnMean, bnVar, null, bnB), o.batchNorm(a, null, null, bnW, bnB)] },
  { name: 'layerNorm over two dims, without affine, with a weight only', inputs: [x234],
    fn: (a) => [o.layerNorm(a, [3, 4], ln34[0], ln34[1]), o.layerNorm(a, 4), o.layerNorm(a, 4, w4, null, { eps: 1e-3 })] },
  { name: 'layerNorm before opset 17 (composed)', inputs: [x234], fn: (a) => o.layerNorm(a, [4], w4, b4), opset: 16 },
  { name: 'groupNorm, with and without affine', inputs: [randn([2, 6, 3, 3])], fn: (a) => [o.groupNorm(a, 3, gn6[0], gn6[1]), o.groupNorm(a, 2)] },
  { name: 'attention with a bool causal mask and with a float mask (composed)', inputs: [randn([2, 5, 4]), randn([2, 6, 4]), randn([2, 6, 3])],
    fn: (q, k, v) => [...o.attention(q, k, v, { attnMask: o.causalMask(5, 6) }), o.attention(q, k, v, { attnMask: mask56, scale: 0.3 })[0]] },
];

/** The op names a case's forward records at the level the exporter converts them (an op's children only where it has no converter). */
function convertedOps(events: readonly TraceEvent[], into: Set<string>): void {
  for (const e of events) {
    into.add(e.op);
    if (!Object.prototype.hasOwnProperty.call(CONVERTERS, e.op)) convertedOps(e.children, into);
  }
}

const exercised = new Set<string>();

describe('onnx converters: onnxruntime agrees with the op', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const model = new FnModule(c.fn);
      const bytes = exportModel(model, c.inputs, { opset: c.opset });
      convertedOps(trace(() => c.fn(...c.inputs)).events, exercised);
      const others = c.inputs.map((t) => (t.dtype === 'float32' ? o.mul(t, o.add(rand([...t.shape]), 0.5)) : t));
      await expectRunsLikeModel(bytes, model, [c.inputs, others], c.name);
    });
  }

  it('every converter in the table was exercised by a case above', () => {
    // dropout is recorded only when it drops, and then refused: errors.test.ts checks that.
    expect(Object.keys(CONVERTERS).filter((op) => !exercised.has(op) && op !== 'dropout')).toEqual([]);
  });

  afterAll(() => {
    const rows = [...worstErrors].map(([name, e]) => `  ${e.toExponential(2)}  ${name}`);
    console.log(`largest relative error per case:\n${rows.join('\n')}`);
  });
});

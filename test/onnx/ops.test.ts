/**
 * Every converter, one op at a time: the exported graph, run by onnxruntime, must give what
 * the op gives (tsgrad's result, or a float64 reference for ops the core does not have yet).
 */
import { describe, it } from 'vitest';
import { Tensor } from '../../src/tensor/tensor.ts';
import { manualSeed } from '../../src/tensor/random.ts';
import { rand, randn, tensor } from '../../src/tensor/creation.ts';
import { dtypeOf } from '../../src/onnx/tensor-info.ts';
import { r, withDtype } from './helpers/ops.ts';
import { FnModule, exportStandIn, expectRunsLikeModel } from './helpers/export.ts';

manualSeed(7);
const x34 = randn([3, 4]);
const x234 = randn([2, 3, 4]);
const img = randn([2, 3, 6, 6]);
const positive = tensor([[0.5, 1, 2, 3], [4, 0.1, 0.7, 9]]);
const ints = (values: number[], shape: number[]) => withDtype(new Tensor(Float32Array.from(values), shape), 'int32');

interface Case {
  name: string;
  inputs: Tensor[];
  fn: (...xs: Tensor[]) => Tensor | Tensor[];
  opset?: number;
}

const cases: Case[] = [
  // elementwise
  { name: 'add sub mul div (tensors, broadcast)', inputs: [x34, randn([4])], fn: (a, b) => r.div(r.mul(r.sub(r.add(a, b), b), b), r.add(r.abs(b), 1)) },
  { name: 'number operands and pow', inputs: [positive], fn: (a) => r.pow(r.mul(r.add(r.sub(r.div(a, 2), 1), 3), 2), 2) },
  { name: 'neg exp log sqrt abs', inputs: [positive], fn: (a) => r.add(r.add(r.neg(r.exp(r.neg(a))), r.log(a)), r.sqrt(r.abs(a))) },
  { name: 'sin cos erf', inputs: [x34], fn: (a) => r.add(r.add(r.sin(a), r.cos(a)), r.erf(a)) },
  { name: 'clamp both bounds and one', inputs: [x34], fn: (a) => r.add(r.clamp(a, -0.5, 0.5), r.clamp(a, undefined, 0.2)) },
  { name: 'minimum maximum', inputs: [x34, randn([3, 4])], fn: (a, b) => r.add(r.minimum(a, b), r.maximum(a, b)) },
  { name: 'gt → where and maskedFill', inputs: [x34, randn([3, 4])], fn: (a, b) => r.add(r.where(r.gt(a, 0), a, b), r.maskedFill(b, r.gt(b, 0.3), -2)) },
  // activations
  { name: 'relu sigmoid tanh', inputs: [x34], fn: (a) => r.add(r.add(r.relu(a), r.sigmoid(a)), r.tanh(a)) },
  { name: 'softmax and logSoftmax on an inner axis', inputs: [x234], fn: (a) => r.add(r.softmax(a, 1), r.logSoftmax(a, -1)) },
  { name: 'leakyRelu elu silu', inputs: [x34], fn: (a) => r.add(r.add(r.leakyRelu(a, 0.2), r.elu(a, 0.7)), r.silu(a)) },
  { name: 'softplus logSigmoid', inputs: [r.mul(x34, 5)], fn: (a) => r.add(r.softplus(a), r.logSigmoid(a)) },
  { name: 'gelu exact, composed (opset 17)', inputs: [r.mul(x34, 3)], fn: (a) => r.gelu(a) },
  { name: 'gelu tanh, composed (opset 17)', inputs: [r.mul(x34, 3)], fn: (a) => r.gelu(a, 'tanh') },
  { name: 'gelu as Gelu (opset 20)', inputs: [r.mul(x34, 3)], fn: (a) => r.gelu(a), opset: 20 },
  // reductions
  { name: 'sum and mean over axes, keepDim', inputs: [x234], fn: (a) => r.add(r.sum(a, [0, 2], true), r.mean(a, 1, true)) },
  { name: 'sum and mean of everything', inputs: [x234], fn: (a) => r.add(r.sum(a), r.mean(a)) },
  { name: 'mean with axes as attribute (opset 13)', inputs: [x234], fn: (a) => r.mean(a, -1), opset: 13 },
  { name: 'max min logsumexp', inputs: [x234], fn: (a) => r.add(r.add(r.max(a, 1), r.min(a, 1)), r.logsumexp(a, 1)) },
  { name: 'var and std (unbiased)', inputs: [x234], fn: (a) => r.add(r.var(a, -1), r.std(a, -1)) },
  { name: 'argmax argmin', inputs: [x234], fn: (a) => r.add(r.argmax(a, 2), r.argmin(a, 2)) },
  // shape and indexing
  { name: 'reshape flatten transpose', inputs: [x234], fn: (a) => r.transpose(r.reshape(r.flatten(a, 1), [4, 3, 2]), 0, 2) },
  { name: 'permute', inputs: [x234], fn: (a) => r.permute(a, 2, 0, 1) },
  { name: 'expand', inputs: [randn([3, 1])], fn: (a) => r.expand(a, [2, 3, 4]) },
  { name: 'repeat with a new leading dim', inputs: [x34], fn: (a) => r.repeat(a, 2, 1, 3) },
  { name: 'cat and stack', inputs: [x34, randn([3, 4])], fn: (a, b) => r.add(r.cat([a, b], 0), r.reshape(r.stack([a, b], 1), [6, 4])) },
  { name: 'chunk (uneven) into several outputs', inputs: [randn([2, 7])], fn: (a) => r.chunk(a, 3, 1) },
  { name: 'narrow select', inputs: [x234], fn: (a) => r.add(r.narrow(a, 2, 1, 2), r.reshape(r.select(a, 2, -1), [2, 3, 1])) },
  { name: 'indexSelect and gather with int32 indices', inputs: [x34], fn: (a) => r.add(r.indexSelect(a, 1, ints([3, 0, 0, 2], [4])), r.gather(a, 1, ints([0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 1, 1], [3, 4]))) },
  // layers
  { name: 'matmul: batched, 3-D by 2-D, vector', inputs: [x234, randn([4, 5]), randn([2, 4, 3])], fn: (a, w, b) => r.add(r.matmul(a, w), r.matmul(r.transpose(r.matmul(a, b), 1, 2), randn([3, 5]))) },
  { name: 'linear on 2-D (Gemm) and 3-D (MatMul) inputs', inputs: [x234, randn([5, 4]), randn([5])], fn: (a, w, b) => r.add(r.linear(a, w, b), r.reshape(r.linear(r.reshape(a, [6, 4]), w, null), [2, 3, 5])) },
  { name: 'conv2d with stride and padding, maxPool2d', inputs: [img, randn([4, 3, 3, 3]), randn([4])], fn: (a, w, b) => r.maxPool2d(r.conv2d(a, w, b, 2, 1), 2) },
  { name: 'conv1d with dilation and groups', inputs: [randn([2, 4, 9]), randn([6, 2, 3]), randn([6])], fn: (a, w, b) => r.conv1d(a, w, b, { stride: 2, padding: 2, dilation: 2, groups: 2 }) },
  { name: 'convTranspose2d with output padding', inputs: [randn([2, 3, 4, 4]), randn([3, 2, 3, 3]), randn([2])], fn: (a, w, b) => r.convTranspose2d(a, w, b, { stride: 2, padding: 1, outputPadding: 1 }) },
  { name: 'avgPool2d counts padding, adaptiveAvgPool2d', inputs: [img], fn: (a) => r.add(r.avgPool2d(a, 3, 3, 1), r.adaptiveAvgPool2d(a, 2)) },
  { name: 'adaptiveAvgPool2d to 1 (global)', inputs: [img], fn: (a) => r.adaptiveAvgPool2d(a, 1) },
  { name: 'upsample nearest and bilinear', inputs: [randn([1, 2, 3, 4])], fn: (a) => r.add(r.upsample(a, 2, 'nearest'), r.upsample(a, 2, 'bilinear')) },
  { name: 'dropout in eval is the identity', inputs: [x34], fn: (a) => r.relu(r.dropout(a, 0.5, false)) },
  { name: 'embedding', inputs: [ints([1, 0, 4, 4, 2, 3], [2, 3])], fn: (i) => r.embedding(i, randn([5, 3])) },
  // norms
  { name: 'batchNorm with running statistics', inputs: [img], fn: (a) => r.batchNorm(a, randn([3]), r.add(r.abs(randn([3])), 0.5), randn([3]), randn([3])) },
  { name: 'layerNorm over two dims', inputs: [x234], fn: (a) => r.layerNorm(a, [3, 4], randn([3, 4]), randn([3, 4])) },
  { name: 'layerNorm without affine', inputs: [x234], fn: (a) => r.layerNorm(a, [4], null, null) },
  { name: 'groupNorm', inputs: [randn([2, 6, 3, 3])], fn: (a) => r.groupNorm(a, 3, randn([6]), randn([6])) },
];

describe('onnx converters: onnxruntime agrees with the op', () => {
  for (const c of cases) {
    it(c.name, async () => {
      // Weights drawn with randn inside fn become constants: the same seed makes the check draw the same ones.
      const model = new FnModule(c.fn);
      manualSeed(11);
      const bytes = exportStandIn(model, c.inputs, { opset: c.opset });
      // Checked on the example and on other inputs of its shape: a value baked in from the example would show.
      const others = c.inputs.map((t) => (dtypeOf(t) === 'float32' ? r.mul(t, r.add(rand([...t.shape]), 0.5)) : t));
      manualSeed(11);
      await expectRunsLikeModel(bytes, model, [c.inputs]);
      manualSeed(11);
      await expectRunsLikeModel(bytes, model, [others]);
    });
  }
});

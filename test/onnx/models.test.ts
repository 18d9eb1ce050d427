/**
 * Whole models built from tsgrad's layers, exported and run by onnxruntime, compared with
 * the model's own forward: an MLP, the MNIST CNN of the train CLI, a ResNet block with
 * BatchNorm2D, a small ResNet, an LSTM and a GRU, a transformer encoder layer, masked
 * self-attention, the remaining spatial layers, and a user-defined Module — each at a fixed
 * batch, and with a dynamic batch run at batch sizes 1 and 7 after being traced at 3.
 */
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/index.ts';
import * as nn from '../../src/nn/index.ts';
import * as o from '../../src/ops/index.ts';
import { manualSeed } from '../../src/tensor/random.ts';
import { rand, randn } from '../../src/tensor/creation.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { exportModel } from '../../src/onnx/export.ts';
import type { ExportOptions } from '../../src/onnx/options.ts';
import { expectRunsLikeModel, worstErrors } from './helpers/export.ts';
import { decodeModel } from './helpers/decode.ts';
import { GatedTextHead, MaskedSelfAttention, Recurrent, TinyResNet, mlp, mnistCnn, resnetBlock, spatialZoo } from './helpers/models.ts';

/** Token ids in [0, 20) with some padding (0) at the end of each row; every row keeps at least one token. */
function tokens(n: number, t = 5): Tensor {
  const ids = new Int32Array(n * t);
  for (let i = 0; i < n; i++) {
    const len = 1 + ((i * 3) % t);
    for (let j = 0; j < t; j++) ids[i * t + j] = j < len ? 1 + Math.floor(rand([1]).item() * 19) : 0;
  }
  return new Tensor(ids, [n, t], { dtype: 'int32' });
}

/** A bool key padding mask [N, S]: the last (i mod 3) keys of row i are padding. */
function paddingMask(n: number, s = 6): Tensor {
  const m = new Uint8Array(n * s);
  for (let i = 0; i < n; i++) for (let j = s - (i % 3); j < s; j++) m[i * s + j] = 1;
  return new Tensor(m, [n, s], { dtype: 'bool' });
}

interface ModelCase {
  name: string;
  make: () => nn.Module;
  /** The forward's inputs at batch size n. */
  inputs: (n: number) => Tensor[];
  /** Which dimension of each input is the batch (for dynamicBatch). */
  batchDim?: ExportOptions['batchDim'];
  /** Graph input shapes expected at a dynamic batch, 'batch' where it is. */
  dynamicShapes: (string | number)[][];
}

const cases: ModelCase[] = [
  { name: 'MLP (Dense, ReLU, Dropout)', make: mlp, inputs: (n) => [randn([n, 4])], dynamicShapes: [['batch', 4]] },
  { name: 'MNIST CNN of the train CLI (Conv2D, MaxPool2D, Flatten, Dense, Dropout)', make: mnistCnn, inputs: (n) => [randn([n, 1, 28, 28])], dynamicShapes: [['batch', 1, 28, 28]] },
  { name: 'ResNet block with BatchNorm2D', make: resnetBlock, inputs: (n) => [randn([n, 4, 5, 5])], dynamicShapes: [['batch', 4, 5, 5]] },
  {
    name: 'small ResNet (strided conv, 1×1 shortcut, AdaptiveAvgPool2D)',
    make: () => { const m = new TinyResNet(); m.train(); m.forward(randn([6, 3, 8, 8])); return m; },
    inputs: (n) => [randn([n, 3, 8, 8])], dynamicShapes: [['batch', 3, 8, 8]],
  },
  { name: 'LSTM, 2 layers, sequence-first', make: () => new Recurrent(new nn.LSTM(3, 5, { numLayers: 2 })), inputs: (n) => [randn([4, n, 3])], batchDim: 1, dynamicShapes: [[4, 'batch', 3]] },
  { name: 'GRU, batch-first', make: () => new Recurrent(new nn.GRU(3, 4, { batchFirst: true })), inputs: (n) => [randn([n, 4, 3])], dynamicShapes: [['batch', 4, 3]] },
  { name: 'TransformerEncoderLayer (post-norm, ReLU, dropout 0.1), sequence-first', make: () => new nn.TransformerEncoderLayer(8, 2, 16), inputs: (n) => [randn([5, n, 8])], batchDim: 1, dynamicShapes: [[5, 'batch', 8]] },
  { name: 'TransformerEncoderLayer (pre-norm, GELU), batch-first', make: () => new nn.TransformerEncoderLayer(8, 4, 16, { normFirst: true, activation: 'gelu', batchFirst: true }), inputs: (n) => [randn([n, 5, 8])], dynamicShapes: [['batch', 5, 8]] },
  { name: 'MultiheadAttention with a key padding mask input, returning weights', make: () => new MaskedSelfAttention(), inputs: (n) => [randn([n, 6, 8]), paddingMask(n)], dynamicShapes: [['batch', 6, 8], ['batch', 6]] },
  { name: 'spatial layers (Conv1D, ConvTranspose2D, AvgPool2D, Upsample, GroupNorm, BatchNorm1D, ELU)', make: spatialZoo, inputs: (n) => [randn([n, 2, 8, 8])], dynamicShapes: [['batch', 2, 8, 8]] },
  { name: 'custom Module subclass (Embedding, LayerNorm, ops written in forward)', make: () => new GatedTextHead(), inputs: (n) => [tokens(n)], dynamicShapes: [['batch', 5]] },
];

describe('onnx export of whole models', () => {
  for (const c of cases) {
    it(`${c.name}: fixed batch`, async () => {
      manualSeed(1);
      const model = c.make();
      const x = c.inputs(3);
      const bytes = exportModel(model, x);
      expect(decodeModel(bytes).graph.inputs.map((i) => i.dims)).toEqual(x.map((t) => [...t.shape]));
      await expectRunsLikeModel(bytes, model, [x, c.inputs(3)], c.name);
    });

    it(`${c.name}: dynamic batch runs at batch sizes 1 and 7`, async () => {
      manualSeed(2);
      const model = c.make();
      const bytes = exportModel(model, c.inputs(3), { dynamicBatch: true, batchDim: c.batchDim });
      expect(decodeModel(bytes).graph.inputs.map((i) => i.dims)).toEqual(c.dynamicShapes);
      await expectRunsLikeModel(bytes, model, [c.inputs(1), c.inputs(7)], c.name);
    });
  }

  afterAll(() => {
    const rows = [...worstErrors].map(([name, e]) => `  ${e.toExponential(2)}  ${name}`);
    console.log(`largest relative error per model (fixed and dynamic batch):\n${rows.join('\n')}`);
  });
});

describe('what the exported graph is made of', () => {
  it('names initializers after the stateDict keys, buffers included, and nodes after their modules', () => {
    manualSeed(3);
    const model = resnetBlock();
    model.eval();
    const decoded = decodeModel(exportModel(model, randn([2, 4, 5, 5])));
    const names = decoded.graph.initializers.map((t) => t.name).sort();
    expect(names).toEqual(['bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'bn1.weight', 'bn2.bias', 'bn2.running_mean', 'bn2.running_var', 'bn2.weight', 'conv1.weight', 'conv2.weight']);
    expect(decoded.graph.nodes.map((n) => `${n.name}:${n.opType}`)).toEqual([
      '/conv1/Conv:Conv', '/bn1/BatchNormalization:BatchNormalization', '/relu/Relu:Relu', '/conv2/Conv:Conv',
      '/bn2/BatchNormalization:BatchNormalization', '/Add:Add', '/relu/Relu_1:Relu']);
    // The weights and running statistics are stored bit for bit.
    const stored = (name: string) => new Float32Array(decoded.graph.initializers.find((t) => t.name === name)!.rawData.slice().buffer);
    expect(stored('conv1.weight')).toEqual(model.conv1.weight.data);
    expect(stored('bn2.running_var')).toEqual(model.bn2.running_var!.data);
    expect([...model.bn2.running_var!.data].some((v) => Math.abs(v - 1) > 0.05)).toBe(true);
  });

  it('an LSTM becomes its unrolled cell ops (no op is exported through an unsupported path)', () => {
    manualSeed(4);
    const model = new Recurrent(new nn.LSTM(3, 5));
    const decoded = decodeModel(exportModel(model, randn([4, 2, 3]), { dynamicBatch: true, batchDim: 1, inputNames: ['x'], outputNames: ['out', 'h', 'c'] }));
    expect(decoded.graph.inputs.map((i) => i.name)).toEqual(['x']);
    expect(decoded.graph.outputs.map((o) => [o.name, o.dims])).toEqual([['out', [4, 'batch', 5]], ['h', [1, 'batch', 5]], ['c', [1, 'batch', 5]]]);
    const ops = new Set(decoded.graph.nodes.map((n) => n.opType));
    for (const op of ['Gemm', 'Sigmoid', 'Tanh', 'Split', 'Concat']) expect(ops).toContain(op);
    // The zero initial state is rebuilt at the run's batch size.
    expect(ops).toContain('ConstantOfShape');
  });

  it('LayerNormalization from opset 17; composed before it; Gelu from opset 20', () => {
    manualSeed(5);
    const model = new nn.TransformerEncoderLayer(8, 2, 16, { activation: 'gelu' });
    const x = randn([5, 2, 8]);
    const ops = (opset: number) => new Set(decodeModel(exportModel(model, x, { opset })).graph.nodes.map((n) => n.opType));
    expect(ops(17).has('LayerNormalization')).toBe(true);
    expect(ops(17).has('Gelu')).toBe(false);
    expect(ops(16).has('LayerNormalization')).toBe(false);
    expect(ops(16).has('ReduceMean')).toBe(true);
    expect(ops(20).has('Gelu')).toBe(true);
  });
});

describe('weights used through views', () => {
  it('a detached parameter is the same initializer, not a frozen copy', async () => {
    class Tied extends nn.Module {
      dense = new nn.Dense(4, 4);
      forward(x: Tensor): Tensor {
        // The output layer reuses the first layer's weight, transposed and cut from the graph.
        return o.matmul(o.relu(this.dense.forward(x)), o.transpose(this.dense.weight.detach(), 0, 1));
      }
    }
    manualSeed(6);
    const model = new Tied();
    const bytes = exportModel(model, randn([2, 4]));
    const decoded = decodeModel(bytes);
    expect(decoded.graph.initializers.map((t) => t.name).sort()).toEqual(['dense.bias', 'dense.weight']);
    await expectRunsLikeModel(bytes, model, [[randn([2, 4])]], 'tied weights through detach');
  });
});

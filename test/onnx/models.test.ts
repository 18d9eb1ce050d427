/**
 * Whole models exported and run by onnxruntime, compared with the model's own forward: an
 * MLP, the MNIST CNN, a ResNet block with BatchNorm, an LSTM, a transformer encoder layer
 * and a user-defined Module — each with a dynamic batch, run at batch sizes 1 and 7 after
 * being traced at 3.
 */
import { describe, expect, it } from 'vitest';
import { manualSeed } from '../../src/tensor/random.ts';
import { randn } from '../../src/tensor/creation.ts';
import type { Module } from '../../src/nn/module.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { exportStandIn, expectRunsLikeModel } from './helpers/export.ts';
import { decodeModel } from './helpers/decode.ts';
import { GatedHead, LSTM, ResidualBlock, TransformerEncoderLayer, mlp, mnistCnn, traceModules } from './helpers/models.ts';

interface ModelCase {
  name: string;
  make: () => Module;
  /** Input shapes with the batch size as N. */
  input: (n: number) => number[];
  batchDim: number;
}

const cases: ModelCase[] = [
  { name: 'MLP (Dense, ReLU, Dropout)', make: mlp, input: (n) => [n, 4], batchDim: 0 },
  { name: 'MNIST CNN (Conv2D, MaxPool2D, Flatten, Dense)', make: mnistCnn, input: (n) => [n, 1, 28, 28], batchDim: 0 },
  { name: 'ResNet block with BatchNorm', make: () => traceModules(new ResidualBlock()), input: (n) => [n, 4, 5, 5], batchDim: 0 },
  { name: 'LSTM, unrolled, sequence-first', make: () => traceModules(new LSTM(3, 5)), input: (n) => [4, n, 3], batchDim: 1 },
  { name: 'transformer encoder layer, sequence-first', make: () => traceModules(new TransformerEncoderLayer()), input: (n) => [5, n, 8], batchDim: 1 },
  { name: 'custom Module subclass with a custom composed op', make: () => traceModules(new GatedHead()), input: (n) => [n, 6], batchDim: 0 },
];

describe('onnx export of whole models', () => {
  for (const c of cases) {
    it(`${c.name}: fixed batch`, async () => {
      manualSeed(1);
      const model = c.make();
      const x = randn(c.input(3));
      const bytes = exportStandIn(model, x);
      expect(decodeModel(bytes).graph.inputs[0].dims).toEqual(c.input(3));
      await expectRunsLikeModel(bytes, model, [[x], [randn(c.input(3))]]);
    });

    it(`${c.name}: dynamic batch runs at batch sizes 1 and 7`, async () => {
      manualSeed(2);
      const model = c.make();
      const bytes = exportStandIn(model, randn(c.input(3)), { dynamicBatch: true, batchDim: c.batchDim });
      const decoded = decodeModel(bytes);
      expect(decoded.graph.inputs[0].dims).toEqual(c.input(3).map((d, i) => (i === c.batchDim ? 'batch' : d)));
      await expectRunsLikeModel(bytes, model, [[randn(c.input(1))], [randn(c.input(7))]]);
    });
  }

  it('names initializers after the stateDict keys, buffers included, and names nodes after their modules', () => {
    manualSeed(3);
    const model = traceModules(new ResidualBlock());
    const decoded = decodeModel(exportStandIn(model, randn([2, 4, 5, 5])));
    const names = decoded.graph.initializers.map((t) => t.name).sort();
    expect(names).toEqual(['bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'bn1.weight', 'bn2.bias', 'bn2.running_mean', 'bn2.running_var', 'bn2.weight', 'conv1.weight', 'conv2.weight']);
    const ops = decoded.graph.nodes.map((n) => `${n.name}:${n.opType}`);
    expect(ops).toEqual(['/conv1/Conv:Conv', '/bn1/BatchNormalization:BatchNormalization', '/Relu:Relu', '/conv2/Conv:Conv',
      '/bn2/BatchNormalization:BatchNormalization', '/Add:Add', '/Relu_1:Relu']);
    // The weights are stored bit for bit.
    const w = decoded.graph.initializers.find((t) => t.name === 'conv1.weight')!;
    expect(w.dims).toEqual([4, 4, 3, 3]);
    expect(new Float32Array(w.rawData.slice().buffer)).toEqual(model.conv1.weight.data);
  });

  it('gives every output of a multi-output forward its own name, and the declared shapes follow the batch', () => {
    manualSeed(4);
    const model = traceModules(new LSTM(3, 5));
    const decoded = decodeModel(exportStandIn(model, randn([4, 2, 3]), { dynamicBatch: true, batchDim: 1, inputNames: ['x'], outputNames: ['out', 'h', 'c'] }));
    expect(decoded.graph.inputs.map((i) => i.name)).toEqual(['x']);
    expect(decoded.graph.outputs.map((o) => [o.name, o.dims])).toEqual([['out', [4, 'batch', 5]], ['h', ['batch', 5]], ['c', ['batch', 5]]]);
  });

  it('exports each op the way its opset spells it (axes as input from opset 18, LayerNormalization from 17)', () => {
    manualSeed(5);
    const model = traceModules(new TransformerEncoderLayer());
    const x = randn([5, 2, 8]);
    const at = (opset: number) => decodeModel(exportStandIn(model, x, { opset })).graph.nodes;
    expect(at(17).some((n) => n.opType === 'LayerNormalization')).toBe(true);
    // Before opset 17 the layer norm is exported through its parts, which the stand-in's reference has none of.
    expect(() => at(16)).toThrow(/layerNorm.*no simpler ops/);
  });
});

export type { Tensor };

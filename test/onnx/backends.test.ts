/**
 * The exporter on every backend: a model whose weights live on the gpu exports to the same
 * bytes as on the cpu (the file does not depend on where the model ran), and the graph runs
 * in onnxruntime like the model's forward on that backend.
 */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { exportModel } from '../../src/onnx/export.ts';
import { expectRunsLikeModel } from './helpers/export.ts';
import { mlp, resnetBlock } from './helpers/models.ts';

/** Weights are made on the cpu once; each backend's suite loads the same values. */
tg.manualSeed(31);
const sources = { mlp: mlp(), resnet: resnetBlock() };
const inputs = { mlp: tg.randn([3, 4]), resnet: tg.randn([3, 4, 5, 5]) };
const cpuBytes = {
  mlp: exportModel(sources.mlp, inputs.mlp, { dynamicBatch: true }),
  resnet: exportModel(sources.resnet, inputs.resnet, { dynamicBatch: true }),
};

forEachBackend('test/onnx/backends.test.ts', (b) => {
  describe('onnx export', () => {
    for (const name of ['mlp', 'resnet'] as const) {
      it(`${name}: the same bytes as on the cpu, and onnxruntime agrees with the forward on ${b.label}`, async () => {
        const model = name === 'mlp' ? mlp() : resnetBlock();
        model.loadStateDict(sources[name].stateDict());
        const x = tg.tensor(Array.from(inputs[name].data), { shape: [...inputs[name].shape] });
        const bytes = exportModel(model, x, { dynamicBatch: true });
        expect(tg.getBackend()).toBe(b.name);
        expect(bytes).toEqual(cpuBytes[name]);
        await expectRunsLikeModel(bytes, model, [[x]], `${name} on ${b.label}`);
      });
    }
  });
});

/**
 * Bad input: errors that name the op, the module path and the values at fault, with the
 * model's training flags and weights as they were and no bytes returned.
 */
import { describe, expect, it } from 'vitest';
import { manualSeed } from '../../src/tensor/random.ts';
import { rand, randn } from '../../src/tensor/creation.ts';
import { Module } from '../../src/nn/module.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { OnnxExportError } from '../../src/onnx/errors.ts';
import { exportStandIn, FnModule } from './helpers/export.ts';
import { Linear, mlp, traceModules } from './helpers/models.ts';
import { r } from './helpers/ops.ts';
import { record } from './helpers/stand-in-trace.ts';

class Fft extends Module {
  forward(x: Tensor): Tensor {
    return record('fft', [x], { n: 8 }, () => x);
  }
}

class Encoder extends Module {
  first = new Linear(4, 4);
  spectral = new Fft();
  forward(x: Tensor): Tensor {
    return this.spectral.forward(r.relu(this.first.forward(x)));
  }
}

class Net extends Module {
  encoder = new Encoder();
  head = new Linear(4, 2);
  forward(x: Tensor): Tensor {
    return this.head.forward(this.encoder.forward(x));
  }
}

function snapshot(model: Module): { modes: boolean[]; weights: Float32Array[] } {
  return { modes: model.namedModules().map(([, m]) => m.training), weights: model.parameters().map((p) => p.data.slice()) };
}

/** Runs the export expecting an OnnxExportError, and checks the model came through unchanged. */
function expectFailure(model: Module, run: () => unknown, pattern: RegExp): OnnxExportError {
  const before = snapshot(model);
  let caught: unknown;
  let returned: unknown;
  try {
    returned = run();
  } catch (err) {
    caught = err;
  }
  expect(returned).toBeUndefined();
  expect(caught).toBeInstanceOf(OnnxExportError);
  expect((caught as Error).message).toMatch(pattern);
  expect(snapshot(model)).toEqual(before);
  return caught as OnnxExportError;
}

describe('onnx export errors', () => {
  manualSeed(9);

  it('an op without an export names the op and the module path; the mixed train/eval flags come back', () => {
    const model = traceModules(new Net());
    model.train();
    model.head.eval(); // a mixed state must be restored exactly, not reset to train()
    const err = expectFailure(model, () => exportStandIn(model, randn([2, 4])), /fft at module "encoder\.spectral" \(Fft\): no ONNX export for this op/);
    expect(err.message).toMatch(/ops with an export: .*conv2d.*linear/);
    expect(model.training).toBe(true);
    expect(model.head.training).toBe(false);
  });

  it('an example input of the wrong shape: the forward\'s own error, with the shape, and the mode restored', () => {
    const model = mlp();
    model.train();
    const err = expectFailure(model, () => exportStandIn(model, randn([2, 5])), /Sequential\.forward failed on exampleInput \[2,5\]: linear: input \[2,5\]/);
    expect(err.cause).toBeInstanceOf(Error);
    expect(model.namedModules().every(([, m]) => m.training)).toBe(true);
  });

  it('exports in eval mode: a model left in train mode exports its eval behaviour (dropout off)', () => {
    const model = mlp();
    model.train();
    expect(() => exportStandIn(model, randn([2, 4]))).not.toThrow();
    expect(model.training).toBe(true);
  });

  it('dropout forced on in eval is refused, naming dropout and its module', () => {
    const model = traceModules(new FnModule((x) => r.dropout(x, 0.3, true)));
    expectFailure(model, () => exportStandIn(model, randn([2, 4])), /dropout at module "" \(FnModule\): dropout in training mode/);
  });

  it('rejects example inputs that are not tensors', () => {
    const model = mlp();
    expectFailure(model, () => exportStandIn(model, [] as Tensor[]), /exampleInput must be a Tensor or a non-empty array of Tensors \(the forward's arguments\), got an array of \[\]/);
    expectFailure(model, () => exportStandIn(model, [[1, 2]] as unknown as Tensor), /exampleInput must be a Tensor.*got an array of \[object\]/);
  });

  it('rejects bad options before running anything', () => {
    const model = mlp();
    const x = randn([2, 4]);
    expectFailure(model, () => exportStandIn(model, x, { opset: 12 }), /opset must be an integer from 13 to 21, got 12/);
    expectFailure(model, () => exportStandIn(model, x, { inputNames: ['a', 'b'] }), /inputNames must be 1 non-empty string/);
    expectFailure(model, () => exportStandIn(model, x, { outputNames: ['input'] }), /"input" is both an input and an output name/);
    expectFailure(model, () => exportStandIn(model, x, { dynamicBatch: true, batchDim: 2 }), /batchDim 2 is not a dimension of example input 0 of shape \[2,4\]/);
    expectFailure(model, () => exportStandIn(model, x, { batchDim: 0 }), /batchDim applies only with dynamicBatch/);
    expectFailure(model, () => exportStandIn(model, x, { dynamicBatch: 'yes' } as never), /dynamicBatch must be a boolean/);
    expectFailure(model, () => exportStandIn(model, x, { dynamic: true } as never), /unknown option\(s\) dynamic/);
  });

  it('with dynamicBatch, a constant made from the example data that grows with the batch is refused', () => {
    const model = traceModules(new FnModule((x) => r.add(x, rand([x.shape[0], 4]))));
    expectFailure(model, () => exportStandIn(model, randn([3, 4]), { dynamicBatch: true }), /add at module "" \(FnModule\): a constant operand of shape \[3,4\] changes size with the batch/);
  });

  it('with dynamicBatch, an argument that follows the batch where ONNX cannot follow it is refused', () => {
    const model = traceModules(new FnModule((x) => r.narrow(x, 0, 0, x.shape[0] - 1)));
    expectFailure(model, () => exportStandIn(model, randn([3, 4]), { dynamicBatch: true }), /narrow at module "".*length is 2 at one batch size and 3 at another/);
  });

  it('a forward that returns something other than tensors is refused', () => {
    const model = new FnModule(() => 42 as unknown as Tensor);
    expectFailure(model, () => exportStandIn(model, randn([2, 4])), /the forward returned number at output/);
  });

  it('an output not computed by any traced op from the inputs is refused', () => {
    const model = new FnModule((x) => new Tensor(x.data.map((v) => v * 2), x.shape));
    expectFailure(model, () => exportStandIn(model, randn([2, 4])), /output 0 of shape \[2,4\] was not computed by any traced op/);
  });
});

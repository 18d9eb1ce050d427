/**
 * Bad input: errors that name the op, the module path and the values at fault, with the
 * model's training flags, parameters and buffers as they were and no bytes returned; and a
 * model left in train mode exported with its eval behaviour.
 */
import { describe, expect, it } from 'vitest';
import '../../src/index.ts';
import * as nn from '../../src/nn/index.ts';
import * as o from '../../src/ops/index.ts';
import { traced } from '../../src/ops/trace.ts';
import { manualSeed } from '../../src/tensor/random.ts';
import { arange, rand, randn, tensor, zeros } from '../../src/tensor/creation.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { exportModel } from '../../src/onnx/export.ts';
import { OnnxExportError } from '../../src/onnx/errors.ts';
import { FnModule, expectRunsLikeModel } from './helpers/export.ts';
import { mlp, resnetBlock } from './helpers/models.ts';

/**
 * An op with no ONNX form: recorded by the trace like any op, computed by a kernel of its
 * own (here a host loop standing in for one), so the trace has no simpler ops inside it.
 */
function fft(x: Tensor): Tensor {
  return traced('fft', [x], { n: 8 }, () => new Tensor(x.data.map((v) => v * 2), x.shape));
}

class Spectral extends nn.Module {
  forward(x: Tensor): Tensor {
    return fft(x);
  }
}

class Net extends nn.Module {
  encoder = new nn.Sequential(new nn.Dense(4, 4), new nn.ReLU(), new Spectral());
  head = new nn.Dense(4, 2);
  forward(x: Tensor): Tensor {
    return this.head.forward(this.encoder.forward(x));
  }
}

interface Snapshot { modes: boolean[]; params: Float32Array[]; buffers: number[][] }

function snapshot(model: nn.Module): Snapshot {
  return {
    modes: model.namedModules().map(([, m]) => m.training),
    params: model.parameters().map((p) => Float32Array.from(p.data)),
    buffers: model.buffers().map((b) => Array.from(b.data)),
  };
}

/** Runs the export expecting an OnnxExportError, and checks the model came through unchanged. */
function expectFailure(model: nn.Module, run: () => unknown, pattern: RegExp): OnnxExportError {
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

  it('an op without an export names the op and the module path; mixed train/eval flags come back as they were', () => {
    const model = new Net();
    model.train();
    model.head.eval(); // a mixed state must be restored exactly, not reset to train()
    const err = expectFailure(model, () => exportModel(model, randn([2, 4])), /exportModel: fft at module "encoder\.2" \(Spectral\): no ONNX export for this op/);
    expect(err.message).toMatch(/ops with an export: .*conv2d.*linear/);
    expect(model.training).toBe(true);
    expect(model.encoder.training).toBe(true);
    expect(model.head.training).toBe(false);
  });

  it('an unsupported op inside a composed op is named, with the module path of the layer that ran it', () => {
    class Odd extends nn.Module {
      inner = new Spectral();
      forward(x: Tensor): Tensor {
        return o.gelu(this.inner.forward(o.softplus(x)));
      }
    }
    const model = new nn.Sequential(new nn.Dense(3, 3), new Odd());
    expectFailure(model, () => exportModel(model, randn([2, 3])), /fft at module "1\.inner" \(Spectral\)/);
  });

  it('an example input of the wrong shape: the forward\'s own error, with the shapes and the layer, and the mode restored', () => {
    const model = mlp();
    model.train();
    const err = expectFailure(model, () => exportModel(model, randn([2, 5])),
      /Sequential\.forward failed on exampleInput \[2,5\]: .*0 \(Dense\).*linear: input \[2,5\] must end in 4 features/);
    expect(err.cause).toBeInstanceOf(Error);
    expect(model.namedModules().every(([, m]) => m.training)).toBe(true);
  });

  it('an example input of the wrong dtype or rank is refused the same way', () => {
    const cnn = new nn.Sequential(new nn.Conv2D(1, 2, 3));
    expectFailure(cnn, () => exportModel(cnn, randn([2, 28, 28])), /Sequential\.forward failed on exampleInput \[2,28,28\]: .*conv2d: input must be 4-D/);
    const model = mlp();
    expectFailure(model, () => exportModel(model, zeros([2, 4], { dtype: 'int32' })), /failed on exampleInput \[2,4\]: .*linear.*int32/);
  });

  it('a model in train mode is exported in eval mode (dropout off, running statistics used, none updated) and left in train mode', async () => {
    const model = resnetBlock();
    model.train();
    const before = snapshot(model);
    const x = randn([3, 4, 5, 5]);
    const bytes = exportModel(model, x, { dynamicBatch: true });
    expect(snapshot(model)).toEqual(before);
    expect(model.namedModules().every(([, m]) => m.training)).toBe(true);
    // What was exported is the eval forward (expectRunsLikeModel compares with it in eval mode).
    await expectRunsLikeModel(bytes, model, [[x]], 'train-mode ResNet block');
    expect(model.training).toBe(true);
  });

  it('dropout forced on (functional, training: true) is refused, naming dropout and its module', () => {
    const model = new nn.Sequential(new nn.Dense(4, 4), new FnModule((x) => o.dropout(x, 0.3, true)));
    expectFailure(model, () => exportModel(model, randn([2, 4])), /dropout at module "1" \(FnModule\): dropout in training mode/);
  });

  it('rejects example inputs that are not tensors, and models that are not Modules', () => {
    const model = mlp();
    expectFailure(model, () => exportModel(model, [] as Tensor[]), /exampleInput must be a Tensor or a non-empty array of Tensors \(the forward's arguments\), got an array of \[\]/);
    expectFailure(model, () => exportModel(model, [[1, 2]] as unknown as Tensor), /exampleInput must be a Tensor.*got an array of \[object\]/);
    expect(() => exportModel({ forward: (x: Tensor) => x } as unknown as nn.Module, randn([2]))).toThrow(/model must be a tg\.nn\.Module, got object/);
  });

  it('rejects bad options before running anything', () => {
    const model = mlp();
    const x = randn([2, 4]);
    expectFailure(model, () => exportModel(model, x, { opset: 12 }), /opset must be an integer from 13 to 21, got 12/);
    expectFailure(model, () => exportModel(model, x, { inputNames: ['a', 'b'] }), /inputNames must be 1 non-empty string/);
    expectFailure(model, () => exportModel(model, x, { outputNames: ['input'] }), /"input" is both an input and an output name/);
    expectFailure(model, () => exportModel(model, x, { dynamicBatch: true, batchDim: 2 }), /batchDim 2 is not a dimension of example input 0 of shape \[2,4\]/);
    expectFailure(model, () => exportModel(model, x, { batchDim: 0 }), /batchDim applies only with dynamicBatch/);
    expectFailure(model, () => exportModel(model, x, { dynamicBatch: 'yes' } as never), /dynamicBatch must be a boolean/);
    expectFailure(model, () => exportModel(model, x, { dynamic: true } as never), /unknown option\(s\) dynamic/);
  });

  it('with dynamicBatch, a constant made inside forward that grows with the batch and is not uniform is refused', () => {
    const model = new FnModule((x) => o.add(x, o.reshape(arange(x.shape[0] * 4), [x.shape[0], 4])));
    expectFailure(model, () => exportModel(model, randn([3, 4]), { dynamicBatch: true }), /reshape at module "" \(FnModule\): a constant operand of shape \[12\] changes size with the batch and is not filled with one value/);
  });

  it('a value computed outside the ops from the input, or drawn at random, is refused rather than frozen into the file', () => {
    const fromItem = new nn.Sequential(new nn.Dense(4, 4), new FnModule((x) => o.sub(x, tensor(o.max(x).item()))));
    expectFailure(fromItem, () => exportModel(fromItem, randn([2, 4])), /sub at module "1" \(FnModule\): operand of shape \[\] was computed outside tsgrad's ops .*changed when the forward ran on other input values/);
    const fromData = new FnModule((x) => o.mul(x, new Tensor(x.data.map((v) => (v > 0 ? 1 : 0)), x.shape)));
    expectFailure(fromData, () => exportModel(fromData, randn([2, 4])), /mul at module "" \(FnModule\): operand of shape \[2,4\] was computed outside tsgrad's ops/);
    const noisy = new FnModule((x) => o.add(x, rand([4])));
    expectFailure(noisy, () => exportModel(noisy, randn([2, 4])), /add at module "".*at random/);
  });

  it('a forward whose ops depend on the input\'s values is refused', () => {
    const x = o.abs(randn([2, 4]));
    // The exporter's second run uses other values (larger ones here): the branch flips.
    const limit = o.sum(x).item() * 1.2;
    const model = new FnModule((t) => (o.sum(t).item() < limit ? o.relu(t) : o.tanh(t)));
    expectFailure(model, () => exportModel(model, x), /the forward ran 'relu' at module "" for the example input but 'tanh' for other values of the same shape/);
  });

  it('with dynamicBatch, an argument or a number operand that follows the batch is refused', () => {
    const narrow = new FnModule((x) => o.narrow(x, 0, 0, x.shape[0] - 1));
    expectFailure(narrow, () => exportModel(narrow, randn([3, 4]), { dynamicBatch: true }), /narrow at module "".*length is 2 at one batch size and 3 at another/);
    const mean = new FnModule((x) => o.div(o.sum(x, 0), x.shape[0]));
    expectFailure(mean, () => exportModel(mean, randn([3, 4]), { dynamicBatch: true }), /div at module "".*operand 1 is the number 3 at one batch size and 4 at another/);
    // Without dynamicBatch the same models export: the batch size is then part of the graph.
    expect(exportModel(mean, randn([3, 4]))).toBeInstanceOf(Uint8Array);
  });

  it('a forward that returns something other than tensors is refused', () => {
    const model = new FnModule(() => 42 as unknown as Tensor);
    expectFailure(model, () => exportModel(model, randn([2, 4])), /the forward returned number at output/);
    const attention = new nn.MultiheadAttention(4, 2);
    const x = randn([3, 2, 4]);
    const wrapped = new FnModule((q) => attention.forward(q, q, q, { needWeights: false }) as unknown as Tensor[]);
    expectFailure(wrapped, () => exportModel(wrapped, x), /the forward returned null at output\[1\]/);
  });

  it('an output not computed by any traced op from the inputs is refused', () => {
    const model = new FnModule((x) => new Tensor(x.data.map((v) => v * 2), x.shape));
    expectFailure(model, () => exportModel(model, randn([2, 4])), /output 0 of shape \[2,4\] was not computed by any traced op/);
  });
});

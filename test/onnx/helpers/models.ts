/**
 * Models for the export tests, built from tsgrad's Module and Parameter with forwards that
 * call the recording ops (the stand-in for the core's trace), and `traceModules`, which
 * makes every module's ops carry its path as the core's trace will.
 */
import { Module } from '../../../src/nn/module.ts';
import { Parameter } from '../../../src/nn/parameter.ts';
import { Sequential } from '../../../src/nn/sequential.ts';
import { Tensor } from '../../../src/tensor/tensor.ts';
import { randn, zeros } from '../../../src/tensor/creation.ts';
import { r } from './ops.ts';
import { inModule, record } from './stand-in-trace.ts';

/** Wraps each module's forward so the ops it runs record its dotted path and class name. */
export function traceModules<M extends Module>(model: M): M {
  for (const [path, m] of model.namedModules()) {
    const forward = m.forward.bind(m);
    Object.defineProperty(m, 'forward', { value: (...xs: unknown[]) => inModule(path, m.constructor.name, () => forward(...xs)), enumerable: false });
  }
  return model;
}

const param = (shape: number[], scale = 0.5) => new Parameter(randn(shape).mul(scale));

export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  constructor(inF: number, outF: number, bias = true) {
    super();
    this.weight = param([outF, inF], 1 / Math.sqrt(inF));
    this.bias = bias ? param([outF], 0.1) : null;
  }
  forward(x: Tensor): Tensor {
    return r.linear(x, this.weight, this.bias);
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return r.relu(x);
  }
}

export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  constructor(inC: number, outC: number, k: number, readonly padding = 0, bias = true) {
    super();
    this.weight = param([outC, inC, k, k], 1 / Math.sqrt(inC * k * k));
    this.bias = bias ? param([outC], 0.1) : null;
  }
  forward(x: Tensor): Tensor {
    return r.conv2d(x, this.weight, this.bias, 1, this.padding);
  }
}

export class MaxPool extends Module {
  forward(x: Tensor): Tensor {
    return r.maxPool2d(x, 2);
  }
}

/** Flattens all but the batch dimension with a reshape to [N, rest], as nn.Flatten does. */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return r.reshape(x, [x.shape[0], x.size / x.shape[0]]);
  }
}

export class Dropout extends Module {
  forward(x: Tensor): Tensor {
    return r.dropout(x, 0.5, this.training);
  }
}

/** BatchNorm2D in inference; running statistics are buffers (listed by namedBuffers, not parameters). */
export class BatchNorm extends Module {
  weight: Parameter;
  bias: Parameter;
  runningMean: Tensor;
  runningVar: Tensor;
  constructor(readonly channels: number) {
    super();
    this.weight = param([channels]);
    this.bias = param([channels], 0.1);
    this.runningMean = randn([channels]).mul(0.2);
    this.runningVar = randn([channels]).abs().add(0.5);
  }
  forward(x: Tensor): Tensor {
    return r.batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias);
  }
}

/** Modules with buffers list them the way the core's Module will. */
export function namedBuffersOf(model: Module): [string, Tensor][] {
  return model.namedModules().flatMap(([path, m]) => (m instanceof BatchNorm
    ? [[`${path ? `${path}.` : ''}running_mean`, m.runningMean], [`${path ? `${path}.` : ''}running_var`, m.runningVar]] as [string, Tensor][]
    : []));
}

export function mlp(): Sequential {
  return traceModules(new Sequential(new Linear(4, 16), new ReLU(), new Dropout(), new Linear(16, 3)));
}

/** The MNIST CNN's shape: conv → relu → pool, twice, then flatten and a dense classifier. */
export function mnistCnn(): Sequential {
  return traceModules(new Sequential(
    new Conv2d(1, 4, 3, 1), new ReLU(), new MaxPool(),
    new Conv2d(4, 8, 3, 1), new ReLU(), new MaxPool(),
    new Flatten(), new Dropout(), new Linear(8 * 7 * 7, 10),
  ));
}

export class ResidualBlock extends Module {
  conv1 = new Conv2d(4, 4, 3, 1, false);
  bn1 = new BatchNorm(4);
  conv2 = new Conv2d(4, 4, 3, 1, false);
  bn2 = new BatchNorm(4);
  forward(x: Tensor): Tensor {
    const y = r.relu(this.bn1.forward(this.conv1.forward(x)));
    return r.relu(r.add(this.bn2.forward(this.conv2.forward(y)), x));
  }
  namedBuffers(): [string, Tensor][] {
    return namedBuffersOf(this);
  }
}

/**
 * A one-layer LSTM over [T, N, F] (PyTorch's gate order i, f, g, o), recorded as an 'lstm'
 * op that has no converter, so the export goes through its unrolled parts.
 */
export class LSTM extends Module {
  weight_ih_l0: Parameter;
  weight_hh_l0: Parameter;
  bias_ih_l0: Parameter;
  bias_hh_l0: Parameter;
  constructor(readonly inputSize: number, readonly hiddenSize: number) {
    super();
    const k = 1 / Math.sqrt(hiddenSize);
    this.weight_ih_l0 = param([4 * hiddenSize, inputSize], k);
    this.weight_hh_l0 = param([4 * hiddenSize, hiddenSize], k);
    this.bias_ih_l0 = param([4 * hiddenSize], k);
    this.bias_hh_l0 = param([4 * hiddenSize], k);
  }
  forward(x: Tensor): Tensor {
    const [output, [h, c]] = this.run(x);
    return [output, h, c] as unknown as Tensor;
  }
  private run(x: Tensor): [Tensor, [Tensor, Tensor]] {
    const weights = [this.weight_ih_l0, this.weight_hh_l0, this.bias_ih_l0, this.bias_hh_l0];
    const outs = record('lstm', [x, ...weights], { numLayers: 1, batchFirst: false }, () => {
      const n = x.shape[1];
      // The initial state is made inside forward, sized by the batch.
      let h = zeros([n, this.hiddenSize]);
      let c = zeros([n, this.hiddenSize]);
      const hs: Tensor[] = [];
      for (let t = 0; t < x.shape[0]; t++) {
        const gates = r.add(r.linear(r.select(x, 0, t), this.weight_ih_l0, this.bias_ih_l0), r.linear(h, this.weight_hh_l0, this.bias_hh_l0));
        const [i, f, g, o] = r.chunk(gates, 4, 1);
        c = r.add(r.mul(r.sigmoid(f), c), r.mul(r.sigmoid(i), r.tanh(g)));
        h = r.mul(r.sigmoid(o), r.tanh(c));
        hs.push(h);
      }
      return [r.stack(hs, 0), h, c];
    });
    return [outs[0], [outs[1], outs[2]]];
  }
}

/**
 * PyTorch's TransformerEncoderLayer (post-norm, ReLU, sequence-first [L, N, E]) written out:
 * attention recorded as one op without a converter, exported through its parts.
 */
export class TransformerEncoderLayer extends Module {
  in_proj = new Linear(8, 24);
  out_proj = new Linear(8, 8);
  linear1 = new Linear(8, 16);
  linear2 = new Linear(16, 8);
  norm1_weight = param([8]);
  norm1_bias = param([8], 0.1);
  norm2_weight = param([8]);
  norm2_bias = param([8], 0.1);
  dropout = new Dropout();
  readonly heads = 2;

  private attention(x: Tensor): Tensor {
    return record('multiheadAttention', [x], { heads: this.heads }, () => {
      const [l, n, e] = x.shape;
      const d = e / this.heads;
      const [q, k, v] = r.chunk(this.in_proj.forward(x), 3, 2);
      const split = (t: Tensor) => r.transpose(r.reshape(t, [l, n * this.heads, d]), 0, 1);
      const scores = r.div(r.matmul(split(q), r.transpose(split(k), 1, 2)), Math.sqrt(d));
      const ctx = r.matmul(r.softmax(scores, -1), split(v));
      return this.out_proj.forward(r.reshape(r.transpose(ctx, 0, 1), [l, n, e]));
    });
  }

  forward(x: Tensor): Tensor {
    const y = r.layerNorm(r.add(x, this.dropout.forward(this.attention(x))), [8], this.norm1_weight, this.norm1_bias);
    const ff = this.linear2.forward(this.dropout.forward(r.relu(this.linear1.forward(y))));
    return r.layerNorm(r.add(y, this.dropout.forward(ff)), [8], this.norm2_weight, this.norm2_bias);
  }
}

/** A user's own Module: a gated unit recorded as a custom op ('swiGlu') with no converter, and a gelu head. */
export class GatedHead extends Module {
  gate = new Linear(6, 12);
  value = new Linear(6, 12);
  head = new Linear(12, 2);
  forward(x: Tensor): Tensor {
    const hidden = record('swiGlu', [x], {}, () => r.mul(r.silu(this.gate.forward(x)), this.value.forward(x)));
    return r.gelu(this.head.forward(r.div(hidden, 2)));
  }
}

export { Tensor };

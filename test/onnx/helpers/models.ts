/**
 * Models for the export tests, built from tsgrad's own layers (and, for the custom one, a
 * user's Module subclass written with the public ops).
 */
import '../../../src/index.ts';
import * as nn from '../../../src/nn/index.ts';
import * as o from '../../../src/ops/index.ts';
import { cnn } from '../../../src/train/zoo.ts';
import type { Tensor } from '../../../src/tensor/tensor.ts';
import { randn } from '../../../src/tensor/creation.ts';
import { noGrad } from '../../../src/tensor/autograd.ts';

export function mlp(): nn.Sequential {
  return new nn.Sequential(new nn.Dense(4, 16), new nn.ReLU(), new nn.Dropout(0.5), new nn.Dense(16, 3));
}

/** The train CLI's `--model cnn` for MNIST: two 5×5 conv + ReLU + max-pool stages, Flatten, Dense(128) + ReLU + Dropout, Dense(10). */
export function mnistCnn(): nn.Sequential {
  return cnn([1, 28, 28]);
}

/**
 * Moves BatchNorm's running statistics away from 0 and 1 the way training does (forward
 * passes in train mode on shifted, scaled data), so the export has real statistics to use.
 */
export function warmUpBatchNorm(model: nn.Module, input: (n: number) => number[]): void {
  model.train();
  noGrad(() => {
    for (let i = 0; i < 5; i++) model.forward(o.add(o.mul(randn(input(8)), 1.5 + i * 0.2), 0.3 * i));
  });
}

/** A ResNet basic block: conv-BN-ReLU-conv-BN plus the input, then ReLU; BatchNorm2D's statistics warmed up. */
export class ResidualBlock extends nn.Module {
  conv1 = new nn.Conv2D(4, 4, 3, { padding: 1, bias: false });
  bn1 = new nn.BatchNorm2D(4);
  relu = new nn.ReLU();
  conv2 = new nn.Conv2D(4, 4, 3, { padding: 1, bias: false });
  bn2 = new nn.BatchNorm2D(4);
  forward(x: Tensor): Tensor {
    const y = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    return this.relu.forward(o.add(this.bn2.forward(this.conv2.forward(y)), x));
  }
}

export function resnetBlock(): ResidualBlock {
  const m = new ResidualBlock();
  warmUpBatchNorm(m, (n) => [n, 4, 5, 5]);
  return m;
}

/** A small residual network: stem, a downsampling block with a 1×1 shortcut, global pooling, classifier. */
export class TinyResNet extends nn.Module {
  stem = new nn.Sequential(new nn.Conv2D(3, 8, 3, { padding: 1, bias: false }), new nn.BatchNorm2D(8), new nn.ReLU());
  body = new nn.Sequential(new nn.Conv2D(8, 16, 3, { stride: 2, padding: 1, bias: false }), new nn.BatchNorm2D(16), new nn.ReLU(),
    new nn.Conv2D(16, 16, 3, { padding: 1, bias: false }), new nn.BatchNorm2D(16));
  shortcut = new nn.Sequential(new nn.Conv2D(8, 16, 1, { stride: 2, bias: false }), new nn.BatchNorm2D(16));
  pool = new nn.AdaptiveAvgPool2D(1);
  flatten = new nn.Flatten();
  fc = new nn.Dense(16, 10);
  forward(x: Tensor): Tensor {
    const s = this.stem.forward(x);
    return this.fc.forward(this.flatten.forward(this.pool.forward(o.relu(o.add(this.body.forward(s), this.shortcut.forward(s))))));
  }
}

/**
 * A user's own Module: an embedding of token ids, a gated unit written with ops (silu, a
 * number on the left of sub), masked mean pooling with where, LayerNorm, and a gelu head.
 * Takes int32 token ids [N, T].
 */
export class GatedTextHead extends nn.Module {
  embed = new nn.Embedding(20, 6, { paddingIdx: 0 });
  gate = new nn.Dense(6, 12);
  value = new nn.Dense(6, 12);
  norm = new nn.LayerNorm(12);
  head = new nn.Dense(12, 2);
  forward(ids: Tensor): Tensor {
    const e = this.embed.forward(ids);
    const z = o.sigmoid(this.gate.forward(e));
    const h = o.add(o.mul(o.sub(1, z), o.silu(this.value.forward(e))), o.mul(z, 0.5));
    const keep = o.unsqueeze(o.ne(ids, 0), -1);
    const summed = o.sum(o.where(keep, h, 0), 1);
    const count = o.clamp(o.sum(o.cast(keep, 'float32'), 1), 1);
    return o.gelu(this.head.forward(this.norm.forward(o.div(summed, count))));
  }
}

/** LSTM or GRU in a wrapper whose forward returns the output and the final state(s) as a flat list. */
export class Recurrent extends nn.Module {
  constructor(readonly rnn: nn.LSTM | nn.GRU) {
    super();
  }
  forward(x: Tensor): Tensor[] {
    const [out, state] = this.rnn.forward(x);
    return [out, ...(Array.isArray(state) ? state : [state])];
  }
}

/** Self-attention with a key padding mask given as a second (bool) input, returning the output and the averaged weights. */
export class MaskedSelfAttention extends nn.Module {
  attn = new nn.MultiheadAttention(8, 2, { batchFirst: true });
  forward(x: Tensor, padding: Tensor): Tensor[] {
    const [out, weights] = this.attn.forward(x, x, x, { keyPaddingMask: padding });
    return [out, weights!];
  }
}

/** An image-to-image model with the remaining spatial layers: Conv1D over rows, ConvTranspose2D, AvgPool2D, Upsample, GroupNorm. */
export class SpatialZoo extends nn.Module {
  down = new nn.Conv2D(2, 4, 3, { stride: 2, padding: 1 });
  norm = new nn.GroupNorm(2, 4);
  up = new nn.ConvTranspose2D(4, 3, 3, { stride: 2, padding: 1, outputPadding: 1 });
  pool = new nn.AvgPool2D(2);
  upsample = new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' });
  rows = new nn.Conv1D(3, 2, 3, { padding: 1 });
  bn = new nn.BatchNorm1D(2);
  forward(x: Tensor): Tensor {
    const y = this.upsample.forward(this.pool.forward(this.up.forward(o.elu(this.norm.forward(this.down.forward(x))))));
    const [n, c, h, w] = y.shape;
    // Each row of each image as a sequence for Conv1D: [N·H, C, W].
    const rows = o.reshape(o.permute(y, 0, 2, 1, 3), [n * h, c, w]);
    const r = this.bn.forward(this.rows.forward(rows));
    return o.permute(o.reshape(r, [n, h, 2, w]), 0, 2, 1, 3);
  }
}

export function spatialZoo(): SpatialZoo {
  const m = new SpatialZoo();
  warmUpBatchNorm(m, (n) => [n, 2, 8, 8]);
  return m;
}

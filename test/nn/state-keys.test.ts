/**
 * stateDict keys and shapes per layer, written from PyTorch's documentation (the "Variables"
 * of each torch.nn class) — the table docs/layers.md shows. A file with these keys loads into
 * the PyTorch twin with strict=True (checked locally against PyTorch 1.13; CI has no PyTorch,
 * but pytorch-reference.test.ts loads PyTorch's own state_dicts into these layers).
 */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';

const { nn } = tg;

const table: [string, () => tg.nn.Module, Record<string, number[]>][] = [
  ['BatchNorm2D(8)', () => new nn.BatchNorm2D(8), { weight: [8], bias: [8], running_mean: [8], running_var: [8], num_batches_tracked: [] }],
  ['BatchNorm1D(5, affine false)', () => new nn.BatchNorm1D(5, { affine: false }), { running_mean: [5], running_var: [5], num_batches_tracked: [] }],
  ['LayerNorm([4, 6])', () => new nn.LayerNorm([4, 6]), { weight: [4, 6], bias: [4, 6] }],
  ['GroupNorm(2, 6)', () => new nn.GroupNorm(2, 6), { weight: [6], bias: [6] }],
  ['Embedding(100, 16)', () => new nn.Embedding(100, 16), { weight: [100, 16] }],
  ['Conv1D(3, 8, 5)', () => new nn.Conv1D(3, 8, 5), { weight: [8, 3, 5], bias: [8] }],
  ['ConvTranspose2D(4, 2, 3)', () => new nn.ConvTranspose2D(4, 2, 3), { weight: [4, 2, 3, 3], bias: [2] }],
  ['LSTM(10, 20, numLayers 2)', () => new nn.LSTM(10, 20, { numLayers: 2 }), {
    weight_ih_l0: [80, 10], weight_hh_l0: [80, 20], bias_ih_l0: [80], bias_hh_l0: [80],
    weight_ih_l1: [80, 20], weight_hh_l1: [80, 20], bias_ih_l1: [80], bias_hh_l1: [80],
  }],
  ['GRU(10, 20)', () => new nn.GRU(10, 20), { weight_ih_l0: [60, 10], weight_hh_l0: [60, 20], bias_ih_l0: [60], bias_hh_l0: [60] }],
  ['MultiheadAttention(32, 4)', () => new nn.MultiheadAttention(32, 4), {
    in_proj_weight: [96, 32], in_proj_bias: [96], 'out_proj.weight': [32, 32], 'out_proj.bias': [32],
  }],
  ['TransformerEncoderLayer(32, 4, 64)', () => new nn.TransformerEncoderLayer(32, 4, 64), {
    'self_attn.in_proj_weight': [96, 32], 'self_attn.in_proj_bias': [96], 'self_attn.out_proj.weight': [32, 32], 'self_attn.out_proj.bias': [32],
    'linear1.weight': [64, 32], 'linear1.bias': [64], 'linear2.weight': [32, 64], 'linear2.bias': [32],
    'norm1.weight': [32], 'norm1.bias': [32], 'norm2.weight': [32], 'norm2.bias': [32],
  }],
  ['CrossEntropyLoss({ weight })', () => new nn.CrossEntropyLoss({ weight: tg.ones([3]) }), { weight: [3] }],
  ['AvgPool2D, AdaptiveAvgPool2D, Upsample, Identity, activations (no state)', () => new nn.Sequential(
    new nn.AvgPool2D(2), new nn.AdaptiveAvgPool2D(1), new nn.Upsample({ scaleFactor: 2 }), new nn.Identity(),
    new nn.LeakyReLU(), new nn.GELU(), new nn.SiLU(), new nn.Softplus(), new nn.ELU(), new nn.LogSigmoid(),
  ), {}],
];

describe('stateDict keys and shapes are PyTorch\'s', () => {
  for (const [name, make, want] of table) {
    it(name, () => {
      const sd = make().stateDict();
      expect(Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, [...t.shape]]))).toEqual(want);
    });
  }

  it('nested: a Sequential of a block with BatchNorm has dotted PyTorch paths', () => {
    class Block extends nn.Module {
      conv = new nn.Conv2D(3, 4, 3, { bias: false });
      bn = new nn.BatchNorm2D(4);
      forward(x: tg.Tensor): tg.Tensor { return this.bn.forward(this.conv.forward(x)).relu(); }
    }
    const model = new nn.Sequential(new Block(), new nn.AdaptiveAvgPool2D(1), new nn.Flatten(), new nn.Dense(4, 2));
    expect(Object.keys(model.stateDict())).toEqual([
      '0.conv.weight', '0.bn.weight', '0.bn.bias', '0.bn.running_mean', '0.bn.running_var', '0.bn.num_batches_tracked', '3.weight', '3.bias',
    ]);
    expect(model.parameters().length).toBe(5);
    expect(model.buffers().length).toBe(3);
  });
});

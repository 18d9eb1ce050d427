/**
 * Every layer and loss against PyTorch's own numbers: fixtures/pytorch-reference.safetensors
 * holds, per case, the inputs, the PyTorch module's state_dict, its outputs, the gradients
 * of Σ sum(outᵢ·rᵢ) for stored random rᵢ, and the state after the pass. It was made by
 * fixtures/make-pytorch-reference.py with Debian's python3-torch 1.13 (CI has no PyTorch; the
 * committed file is the oracle). Loading PyTorch's state_dict into each tsgrad module with
 * loadStateDict also proves the keys and layouts are PyTorch's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { decodeSafetensors } from '../../src/io/safetensors.ts';

const { nn } = tg;
const file = decodeSafetensors(readFileSync(new URL('./fixtures/pytorch-reference.safetensors', import.meta.url)));
const all = file.tensors;

function get(name: string): tg.Tensor {
  const t = all[name];
  if (!t) throw new Error(`fixture has no tensor ${name}`);
  return t;
}

function under(prefix: string): Record<string, tg.Tensor> {
  const out: Record<string, tg.Tensor> = {};
  for (const [k, v] of Object.entries(all)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/** The stored float copy of a PyTorch state_dict, with the integer counter back as int32. */
function stateOf(prefix: string): tg.nn.StateDict {
  const sd = under(prefix);
  for (const k of Object.keys(sd)) if (k.endsWith('num_batches_tracked')) sd[k] = sd[k].cast('int32');
  return sd;
}

function expectClose(actual: tg.Tensor, expected: tg.Tensor, label: string, atol = 2e-5, rtol = 2e-4): void {
  expect(actual.shape, `${label}: shape`).toEqual(expected.shape);
  const a = actual.data, e = expected.data;
  for (let i = 0; i < e.length; i++) {
    if (!(Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]))) expect.fail(`${label}: element ${i} is ${a[i]}, PyTorch ${e[i]}`);
  }
}

type Kind = 'float' | 'int' | 'bool';

interface Case {
  name: string;
  make: () => tg.nn.Module;
  /** How each stored input is passed (default float). */
  kinds?: Kind[];
  run?: (m: tg.nn.Module, ...xs: tg.Tensor[]) => unknown;
  train?: boolean;
}

function flat(v: unknown): tg.Tensor[] {
  if (v instanceof tg.Tensor) return [v];
  if (Array.isArray(v)) return v.flatMap(flat);
  return [];
}

const mask = (name: string) => get(name).gt(0.5);

const cases: Case[] = [
  { name: 'bn2d_train', make: () => new nn.BatchNorm2D(3), train: true },
  { name: 'bn2d_eval', make: () => new nn.BatchNorm2D(3) },
  { name: 'bn1d_train', make: () => new nn.BatchNorm1D(4, { momentum: 0.3 }), train: true },
  { name: 'bn1d_seq_train', make: () => new nn.BatchNorm1D(4, { momentum: 0.3 }), train: true },
  { name: 'bn1d_eval', make: () => new nn.BatchNorm1D(4, { momentum: 0.3 }) },
  { name: 'bn1d_cumulative', make: () => new nn.BatchNorm1D(2, { momentum: null }), train: true },
  { name: 'layernorm', make: () => new nn.LayerNorm(5) },
  { name: 'layernorm2', make: () => new nn.LayerNorm([3, 4], { eps: 1e-3 }) },
  { name: 'groupnorm', make: () => new nn.GroupNorm(2, 4) },
  { name: 'embedding', make: () => new nn.Embedding(10, 4, { paddingIdx: 1 }), kinds: ['int'] },
  { name: 'avgpool_pad', make: () => new nn.AvgPool2D(3, 2, 1) },
  { name: 'avgpool_tile', make: () => new nn.AvgPool2D(2) },
  { name: 'avgpool_overlap', make: () => new nn.AvgPool2D(3, 1) },
  { name: 'adaptive_uneven', make: () => new nn.AdaptiveAvgPool2D([3, 2]) },
  { name: 'adaptive_global', make: () => new nn.AdaptiveAvgPool2D(1) },
  { name: 'adaptive_even', make: () => new nn.AdaptiveAvgPool2D(2) },
  { name: 'nearest_x2', make: () => new nn.Upsample({ scaleFactor: 2 }) },
  { name: 'nearest_size', make: () => new nn.Upsample({ size: [5, 7] }) },
  { name: 'nearest_x1_5', make: () => new nn.Upsample({ scaleFactor: 1.5 }) },
  { name: 'bilinear_x2', make: () => new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }) },
  { name: 'bilinear_size', make: () => new nn.Upsample({ size: [5, 7], mode: 'bilinear' }) },
  { name: 'bilinear_corners', make: () => new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: true }) },
  { name: 'convt_stride2', make: () => new nn.ConvTranspose2D(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }) },
  { name: 'convt_plain', make: () => new nn.ConvTranspose2D(2, 3, 2, { bias: false }) },
  { name: 'conv1d', make: () => new nn.Conv1D(3, 4, 3, { stride: 2, padding: 1 }) },
  { name: 'lstm', make: () => new nn.LSTM(3, 5, { numLayers: 2 }), run: (m, x, h, c) => (m as tg.nn.LSTM).forward(x, [h, c]) },
  { name: 'lstm_batch_first', make: () => new nn.LSTM(3, 4, { batchFirst: true }) },
  { name: 'gru', make: () => new nn.GRU(3, 4, { numLayers: 2 }), run: (m, x, h) => (m as tg.nn.GRU).forward(x, h) },
  { name: 'gru_unbatched', make: () => new nn.GRU(2, 3) },
  {
    name: 'mha_self', make: () => new nn.MultiheadAttention(8, 2),
    run: (m, x) => (m as tg.nn.MultiheadAttention).forward(x, x, x, { attnMask: mask('mha_self/mask/attn'), keyPaddingMask: mask('mha_self/mask/pad') }),
  },
  { name: 'mha_cross', make: () => new nn.MultiheadAttention(8, 4, { batchFirst: true }) },
  {
    name: 'mha_float', make: () => new nn.MultiheadAttention(8, 2),
    run: (m, x) => (m as tg.nn.MultiheadAttention).forward(x, x, x, { attnMask: get('mha_float/mask/attn') }),
  },
  { name: 'encoder_post', make: () => new nn.TransformerEncoderLayer(8, 2, 16, { dropout: 0 }) },
  {
    name: 'encoder_pre', make: () => new nn.TransformerEncoderLayer(8, 2, 16, { dropout: 0, activation: 'gelu', normFirst: true, batchFirst: true }),
    run: (m, x) => (m as tg.nn.TransformerEncoderLayer).forward(x, { srcMask: mask('encoder_pre/mask/attn') }),
  },
  { name: 'ce_options', make: () => new nn.CrossEntropyLoss({ weight: get('ce_options/weight'), ignoreIndex: 1, labelSmoothing: 0.2 }), kinds: ['float', 'int'] },
  { name: 'ce_none', make: () => new nn.CrossEntropyLoss({ reduction: 'none', labelSmoothing: 0.1 }), kinds: ['float', 'int'] },
  { name: 'ce_kdim', make: () => new nn.CrossEntropyLoss(), kinds: ['float', 'int'] },
  { name: 'nll_weight', make: () => new nn.NLLLoss({ weight: get('nll_weight/weight') }), kinds: ['float', 'int'] },
  { name: 'nll_sum', make: () => new nn.NLLLoss({ reduction: 'sum', ignoreIndex: 3 }), kinds: ['float', 'int'] },
  { name: 'bce_logits', make: () => new nn.BCEWithLogitsLoss({ posWeight: get('bce_logits/pos_weight') }) },
  { name: 'bce_logits_big', make: () => new nn.BCEWithLogitsLoss({ reduction: 'sum' }) },
  { name: 'bce', make: () => new nn.BCELoss({ reduction: 'none' }) },
  { name: 'smoothl1', make: () => new nn.SmoothL1Loss({ beta: 0.5 }) },
  { name: 'huber', make: () => new nn.HuberLoss({ delta: 0.7, reduction: 'sum' }) },
  { name: 'l1', make: () => new nn.L1Loss({ reduction: 'none' }) },
  { name: 'mse_sum', make: () => new nn.MSELoss({ reduction: 'sum' }) },
];

describe('layers and losses against PyTorch 1.13 (committed fixture)', () => {
  it('the fixture covers every case here, and nothing else', () => {
    const stored = new Set(Object.keys(all).map((k) => k.split('/')[0]));
    expect([...stored].sort()).toEqual(cases.map((c) => c.name).sort());
  });

  for (const c of cases) {
    it(c.name, () => {
      const m = c.make();
      m.loadStateDict(stateOf(`${c.name}/state/`));
      m.train(c.train ?? false);
      const stored = under(`${c.name}/in/`);
      const inputs = Object.keys(stored).sort().map((k, i) => {
        const kind = c.kinds?.[i] ?? 'float';
        const t = stored[k];
        return kind === 'int' ? t.cast('int32') : kind === 'bool' ? t.gt(0.5) : t.clone();
      });
      for (const x of inputs) if (x.dtype === 'float32') x.requiresGrad = true;
      const outputs = flat(c.run ? c.run(m, ...inputs) : m.forward(...inputs));
      const expected = under(`${c.name}/out/`);
      expect(outputs.length, 'number of outputs').toBe(Object.keys(expected).length);
      let total: tg.Tensor | null = null;
      outputs.forEach((o, i) => {
        expectClose(o, expected[String(i)], `output ${i}`);
        const term = o.mul(get(`${c.name}/seed/${i}`)).sum();
        total = total ? total.add(term) : term;
      });
      total!.backward();
      for (const [i, g] of Object.entries(under(`${c.name}/grad/in/`))) expectClose(inputs[Number(i)].grad!, g, `gradient of input ${i}`);
      const params = new Map(m.namedParameters());
      for (const [key, g] of Object.entries(under(`${c.name}/grad/`))) {
        if (key.startsWith('in/')) continue;
        expect(params.has(key), `parameter ${key}`).toBe(true);
        expectClose(params.get(key)!.grad!, g, `gradient of ${key}`);
      }
      const after = m.stateDict();
      for (const [key, v] of Object.entries(stateOf(`${c.name}/after/`))) expectClose(after[key].cast('float32'), v.cast('float32'), `state ${key} after the pass`, 1e-5, 1e-5);
    });
  }
});

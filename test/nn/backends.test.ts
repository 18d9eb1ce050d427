/**
 * Every new layer and loss on the gpu backend gives the cpu backend's outputs, input and
 * parameter gradients and running statistics, within float32 tolerance: in gpu.js's 'cpu'
 * mode (the generated kernels run as JavaScript) always, and with real GLSL (headless-gl,
 * under xvfb as `npm test` runs it) where a GL context opens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { glAvailable, noticeIfSkipped } from '../backend/gpu/support.ts';

const { nn } = tg;
const F = nn.functional;
noticeIfSkipped('nn/backends.test.ts');
afterEach(() => tg.setBackend('cpu'));

const ints = (shape: number[], n: number) => tg.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i * 7 + 3) % n), { dtype: 'int32' }).reshape(shape);

interface Case {
  name: string;
  make: () => tg.nn.Module;
  inputs: () => tg.Tensor[];
  run?: (m: tg.nn.Module, ...xs: tg.Tensor[]) => unknown;
  train?: boolean;
}

const cases: Case[] = [
  { name: 'BatchNorm2D (training, running statistics)', make: () => new nn.BatchNorm2D(3), inputs: () => [tg.randn([4, 3, 5, 5])], train: true },
  { name: 'BatchNorm1D (eval)', make: () => new nn.BatchNorm1D(3), inputs: () => [tg.randn([4, 3, 6])] },
  { name: 'LayerNorm', make: () => new nn.LayerNorm([2, 5]), inputs: () => [tg.randn([3, 2, 5])] },
  { name: 'GroupNorm', make: () => new nn.GroupNorm(2, 4), inputs: () => [tg.randn([2, 4, 3, 3])] },
  { name: 'Embedding (paddingIdx)', make: () => new nn.Embedding(7, 4, { paddingIdx: 3 }), inputs: () => [ints([2, 5], 7)] },
  { name: 'AvgPool2D (padded)', make: () => new nn.AvgPool2D(3, 2, 1), inputs: () => [tg.randn([2, 2, 7, 6])] },
  { name: 'AdaptiveAvgPool2D (uneven)', make: () => new nn.AdaptiveAvgPool2D([3, 2]), inputs: () => [tg.randn([1, 2, 7, 5])] },
  { name: 'Upsample nearest', make: () => new nn.Upsample({ scaleFactor: 2 }), inputs: () => [tg.randn([1, 2, 3, 4])] },
  { name: 'Upsample bilinear', make: () => new nn.Upsample({ size: [5, 7], mode: 'bilinear' }), inputs: () => [tg.randn([1, 2, 3, 4])] },
  { name: 'ConvTranspose2D', make: () => new nn.ConvTranspose2D(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }), inputs: () => [tg.randn([2, 3, 4, 4])] },
  { name: 'Conv1D', make: () => new nn.Conv1D(3, 4, 3, { stride: 2, padding: 1 }), inputs: () => [tg.randn([2, 3, 9])] },
  { name: 'LSTM', make: () => new nn.LSTM(3, 4, { numLayers: 2 }), inputs: () => [tg.randn([5, 2, 3])] },
  { name: 'GRU', make: () => new nn.GRU(3, 4, { batchFirst: true }), inputs: () => [tg.randn([2, 5, 3]), tg.randn([1, 2, 4])], run: (m, x, h) => (m as tg.nn.GRU).forward(x, h) },
  {
    name: 'MultiheadAttention (causal + padding masks)', make: () => new nn.MultiheadAttention(8, 2), inputs: () => [tg.randn([4, 2, 8])],
    run: (m, x) => (m as tg.nn.MultiheadAttention).forward(x, x, x, { attnMask: F.causalMask(4), keyPaddingMask: tg.tensor([[false, false, true, false], [false, false, false, false]]) }),
  },
  { name: 'TransformerEncoderLayer (pre-norm, gelu)', make: () => new nn.TransformerEncoderLayer(8, 2, 16, { normFirst: true, activation: 'gelu', dropout: 0 }), inputs: () => [tg.randn([4, 2, 8])] },
  { name: 'CrossEntropyLoss (weight, ignoreIndex, smoothing)', make: () => new nn.CrossEntropyLoss({ weight: tg.tensor([1, 2, 0.5, 1]), ignoreIndex: 2, labelSmoothing: 0.1 }), inputs: () => [tg.randn([6, 4]), ints([6], 4)] },
  { name: 'NLLLoss', make: () => new nn.NLLLoss(), inputs: () => [tg.randn([5, 3]).logSoftmax(1), ints([5], 3)] },
  { name: 'BCEWithLogitsLoss', make: () => new nn.BCEWithLogitsLoss({ posWeight: tg.tensor([2, 1, 0.5]) }), inputs: () => [tg.randn([4, 3]).mul(4), tg.rand([4, 3])] },
  { name: 'SmoothL1Loss', make: () => new nn.SmoothL1Loss({ beta: 0.5 }), inputs: () => [tg.randn([3, 4]), tg.randn([3, 4])] },
  { name: 'HuberLoss', make: () => new nn.HuberLoss({ delta: 0.5, reduction: 'sum' }), inputs: () => [tg.randn([3, 4]), tg.randn([3, 4])] },
  { name: 'L1Loss (none)', make: () => new nn.L1Loss({ reduction: 'none' }), inputs: () => [tg.randn([3, 4]), tg.randn([3, 4])] },
];

function flat(v: unknown): tg.Tensor[] {
  if (v instanceof tg.Tensor) return [v];
  return Array.isArray(v) ? v.flatMap(flat) : [];
}

/** Runs one case on the active backend from seed 3: outputs, gradients and state, as host arrays. */
function runCase(c: Case): Record<string, Float32Array> {
  tg.manualSeed(3);
  const m = c.make();
  m.train(c.train ?? false);
  const inputs = c.inputs();
  for (const x of inputs) if (x.dtype === 'float32') x.requiresGrad = true;
  const outputs = flat(c.run ? c.run(m, ...inputs) : m.forward(...inputs));
  let total = outputs[0].mul(tg.randn([...outputs[0].shape])).sum();
  for (const o of outputs.slice(1)) total = total.add(o.mul(tg.randn([...o.shape])).sum());
  total.backward();
  const out: Record<string, Float32Array> = {};
  outputs.forEach((o, i) => { out[`output ${i}`] = Float32Array.from(o.data); });
  inputs.forEach((x, i) => { if (x.grad) out[`gradient of input ${i}`] = Float32Array.from(x.grad.data); });
  for (const [name, p] of m.namedParameters()) if (p.grad) out[`gradient of ${name}`] = Float32Array.from(p.grad.data);
  for (const [name, t] of Object.entries(m.stateDict())) out[`state ${name}`] = Float32Array.from(t.data);
  return out;
}

function expectSame(got: Record<string, Float32Array>, want: Record<string, Float32Array>): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [k, w] of Object.entries(want)) {
    const g = got[k];
    let scale = 1;
    for (const v of w) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < w.length; i++) {
      if (!(Math.abs(g[i] - w[i]) <= 1e-4 * scale)) expect.fail(`${k} element ${i}: gpu ${g[i]}, cpu ${w[i]}`);
    }
  }
}

function suite(mode: 'cpu' | 'headlessgl'): void {
  for (const c of cases) {
    it(c.name, () => {
      tg.setBackend('cpu');
      const want = runCase(c);
      tg.setBackend('gpu', { mode });
      expectSame(runCase(c), want);
    });
  }
}

describe('layers on the gpu backend, gpu.js cpu mode (generated kernels as JavaScript)', () => suite('cpu'));
describe.skipIf(!glAvailable)('layers on the gpu backend, headless-gl (real GLSL)', () => suite('headlessgl'));

/** The message of what `f` throws on the active backend. */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
  return 'no error';
}

/** Out-of-range indices and labels live on the device there: the checks must still see them. */
function badIndexSuite(mode: 'cpu' | 'headlessgl'): void {
  const calls: [string, () => unknown][] = [
    ['Embedding, index 5 of 5', () => new nn.Embedding(5, 3).forward(tg.tensor([[0, 5], [1, 2]], { dtype: 'int32' }))],
    ['Embedding, index -1', () => new nn.Embedding(5, 3).forward(tg.tensor([-1, 0], { dtype: 'int32' }))],
    ['nllLoss, label 3 of 3', () => F.nllLoss(tg.zeros([2, 3]), tg.tensor([0, 3], { dtype: 'int32' }))],
    ['crossEntropy, ignoreIndex 1 and label 7', () => F.crossEntropy(tg.zeros([2, 3]), tg.tensor([1, 7], { dtype: 'int32' }), { ignoreIndex: 1 })],
    ['CrossEntropyLoss over [B, T, V], label -2', () => new nn.CrossEntropyLoss().forward(tg.zeros([2, 2, 3]), tg.tensor([[0, 1], [-2, 2]], { dtype: 'int32' }))],
  ];
  for (const [name, call] of calls) {
    it(name, () => {
      tg.setBackend('cpu');
      tg.manualSeed(1);
      const want = thrown(call);
      expect(want).toMatch(/Error: .*(-?\d+)/);
      tg.setBackend('gpu', { mode });
      tg.manualSeed(1);
      expect(thrown(call)).toBe(want);
    });
  }
}

describe('bad indices on the gpu backend, gpu.js cpu mode: the same errors as on the cpu', () => badIndexSuite('cpu'));
describe.skipIf(!glAvailable)('bad indices on the gpu backend, headless-gl: the same errors as on the cpu', () => badIndexSuite('headlessgl'));

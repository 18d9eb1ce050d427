/** BatchNorm, LayerNorm, GroupNorm: float64 references of the definitions, running statistics, modes, gradients, errors. */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { gradcheck, uniform } from '../helpers/gradcheck.ts';
import { trace } from '../../src/ops/trace.ts';

const { nn } = tg;
const F = nn.functional;
beforeEach(() => tg.manualSeed(21));

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Per-channel mean and biased/unbiased variance of x [N, C, …] in float64. */
function channelStats(x: tg.Tensor): { mean: number[]; biased: number[]; unbiased: number[]; count: number } {
  const [n, c] = x.shape;
  const inner = x.size / (n * c);
  const d = x.data;
  const mean: number[] = [], biased: number[] = [], unbiased: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < inner; j++) s += d[(i * c + ch) * inner + j];
    const m = s / (n * inner);
    let q = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < inner; j++) q += (d[(i * c + ch) * inner + j] - m) ** 2;
    mean.push(m);
    biased.push(q / (n * inner));
    unbiased.push(q / (n * inner - 1));
  }
  return { mean, biased, unbiased, count: n * inner };
}

/** (x − m[c])/√(v[c] + eps)·w[c] + b[c] in float64. */
function normalizePerChannel(x: tg.Tensor, m: number[], v: number[], w: ArrayLike<number>, b: ArrayLike<number>, eps = 1e-5): number[] {
  const [n, c] = x.shape;
  const inner = x.size / (n * c);
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let j = 0; j < inner; j++) {
    const v0 = x.data[(i * c + ch) * inner + j];
    out.push(((v0 - m[ch]) / Math.sqrt(v[ch] + eps)) * w[ch] + b[ch]);
  }
  return out;
}

describe('BatchNorm2D', () => {
  it('training: normalises by the batch mean and biased variance; running stats take the unbiased variance', () => {
    const bn = new nn.BatchNorm2D(3);
    bn.weight!.data.set([1.5, -0.5, 2]);
    bn.bias!.data.set([0.1, 0.2, -0.3]);
    let rm = [0, 0, 0], rv = [1, 1, 1];
    for (let step = 0; step < 3; step++) {
      const x = uniform([4, 3, 5, 6], -2, 3);
      const s = channelStats(x);
      expectNear(bn.forward(x).data, normalizePerChannel(x, s.mean, s.biased, bn.weight!.data, bn.bias!.data));
      rm = rm.map((r, c) => 0.9 * r + 0.1 * s.mean[c]);
      rv = rv.map((r, c) => 0.9 * r + 0.1 * s.unbiased[c]);
      expectNear(bn.running_mean!.data, rm, 1e-6);
      expectNear(bn.running_var!.data, rv, 1e-6);
      expect(bn.num_batches_tracked!.item()).toBe(step + 1);
    }
  });

  it('eval: normalises by the running statistics, so a sample gets the same output alone or in a batch', () => {
    const bn = new nn.BatchNorm2D(2);
    bn.forward(uniform([8, 2, 3, 3], 0, 4));
    bn.eval();
    const rm = Array.from(bn.running_mean!.data), rv = Array.from(bn.running_var!.data);
    const x = uniform([3, 2, 3, 3]);
    const y = bn.forward(x);
    expectNear(y.data, normalizePerChannel(x, rm, rv, [1, 1], [0, 0]));
    expectNear(bn.forward(x.narrow(0, 1, 1)).data, y.narrow(0, 1, 1).data);
    expect(Array.from(bn.running_mean!.data)).toEqual(rm); // evaluation changes nothing
    expect(bn.num_batches_tracked!.item()).toBe(1);
  });

  it('momentum null: the running mean is the plain average of the batch means', () => {
    const bn = new nn.BatchNorm2D(1, { momentum: null });
    const means: number[] = [];
    for (let i = 0; i < 4; i++) {
      const x = uniform([2, 1, 2, 2], i, i + 2);
      means.push(channelStats(x).mean[0]);
      bn.forward(x);
    }
    expect(bn.running_mean!.item()).toBeCloseTo(means.reduce((a, b) => a + b) / 4, 6);
  });

  it('trackRunningStats false: no buffers, batch statistics in eval too; affine false: no parameters', () => {
    const bn = new nn.BatchNorm2D(2, { trackRunningStats: false, affine: false }).eval();
    expect(Object.keys(bn.stateDict())).toEqual([]);
    const x = uniform([3, 2, 2, 2]);
    const s = channelStats(x);
    expectNear(bn.forward(x).data, normalizePerChannel(x, s.mean, s.biased, [1, 1], [0, 0]));
  });

  it('training runs a fused form with its own backward; it equals the composed form an export traces', () => {
    // [8,16,8,8]: rows of 64, per-channel operands in the wasm loop; [5,3,7] (rows of 7) and
    // [6,4]: the JavaScript loop; with and without weight and bias.
    for (const [shape, affine] of [[[8, 16, 8, 8], true], [[5, 3, 7], true], [[6, 4], true], [[4, 6, 4, 4], false]] as const) {
      const c = shape[1];
      const xData = tg.randn([...shape]).mul(1.5).add(0.3).data, g = tg.randn([...shape]);
      const wData = tg.randn([c]).data, bData = tg.randn([c]).data;
      const run = (composed: boolean) => {
        const x = tg.tensor(xData, { shape: [...shape], requiresGrad: true });
        const w = affine ? tg.tensor(wData, { requiresGrad: true }) : null;
        const b = affine ? tg.tensor(bData, { requiresGrad: true }) : null;
        const rm = tg.zeros([c]), rv = tg.ones([c]);
        const forward = () => F.batchNorm(x, rm, rv, w, b, { training: true, momentum: 0.3 });
        const y = composed ? trace(forward).value : forward();
        y.mul(g).sum().backward();
        return { y: y.data, rm: rm.data, rv: rv.data, dx: x.grad!.data, dw: w?.grad!.data, db: b?.grad!.data };
      };
      const fused = run(false), composed = run(true);
      const label = `${JSON.stringify(shape)}${affine ? '' : ' without affine'}`;
      for (const k of ['y', 'rm', 'rv', 'dx', 'dw', 'db'] as const) {
        if (composed[k] === undefined) { expect(fused[k], `${label} ${k}`).toBeUndefined(); continue; }
        try {
          expectNear(fused[k]!, composed[k]!, 2e-5);
        } catch (err) {
          throw new Error(`${label} ${k}: ${(err as Error).message}`);
        }
      }
    }
  });

  it('gradients (training and eval forms) match central differences', () => {
    gradcheck((x, w, b) => F.batchNorm(x, null, null, w, b, { training: true }), [uniform([3, 2, 2, 3]), uniform([2]), uniform([2])]);
    const rm = tg.tensor([0.2, -0.1]), rv = tg.tensor([1.5, 0.7]);
    gradcheck((x, w, b) => F.batchNorm(x, rm, rv, w, b), [uniform([2, 2, 3]), uniform([2]), uniform([2])]);
    const bn = new nn.BatchNorm2D(2);
    gradcheck((x) => bn.forward(x), [uniform([2, 2, 2, 2])]);
  });

  it('errors: wrong channels or dimensions, one value per channel when training, bad options', () => {
    const bn = new nn.BatchNorm2D(3);
    expect(() => bn.forward(tg.zeros([2, 4, 5, 5]))).toThrow(/BatchNorm2D\(3\): input \[2,4,5,5\] has 4 channels, expected 3/);
    expect(() => bn.forward(tg.zeros([2, 3, 5]))).toThrow(/BatchNorm2D: expected a \[N, C, H, W\] input, got \[2,3,5\]/);
    expect(() => new nn.BatchNorm1D(3).forward(tg.zeros([1, 3]))).toThrow(/more than 1 value per channel when training, got input \[1,3\]/);
    expect(new nn.BatchNorm1D(3).eval().forward(tg.ones([1, 3])).shape).toEqual([1, 3]);
    expect(() => new nn.BatchNorm2D(0)).toThrow(/numFeatures must be an integer ≥ 1/);
    expect(() => new nn.BatchNorm2D(3, { momentum: 2 })).toThrow(/momentum must be in \[0, 1\] or null/);
    expect(() => new nn.BatchNorm2D(3, { eps: -1 })).toThrow(/eps must be a finite number > 0/);
    expect(() => new nn.BatchNorm2D(3, { affine: 'yes' as unknown as boolean })).toThrow(/affine must be true or false/);
  });

  it('a rejected batch leaves the running statistics and the counter as they were', () => {
    const bn = new nn.BatchNorm1D(2);
    bn.forward(uniform([4, 2]));
    const before = bn.stateDict();
    expect(() => bn.forward(tg.zeros([1, 2]))).toThrow();
    expect(() => bn.forward(tg.zeros([4, 2], { dtype: 'int32' }))).toThrow(/float32/);
    const after = bn.stateDict();
    for (const k of Object.keys(before)) expect(after[k].toArray()).toEqual(before[k].toArray());
  });
});

describe('BatchNorm1D', () => {
  it('[N, C] and [N, C, L]: statistics over the batch and the positions', () => {
    const bn = new nn.BatchNorm1D(3, { momentum: 0.5 });
    for (const shape of [[6, 3], [4, 3, 5]]) {
      const x = uniform(shape, -1, 2);
      const s = channelStats(x);
      const before = Array.from(bn.running_var!.data);
      expectNear(bn.forward(x).data, normalizePerChannel(x, s.mean, s.biased, [1, 1, 1], [0, 0, 0]));
      expectNear(bn.running_var!.data, before.map((r, c) => 0.5 * r + 0.5 * s.unbiased[c]), 1e-6);
    }
  });
});

describe('LayerNorm', () => {
  it('normalises each position over the trailing dimensions (float64 reference)', () => {
    const ln = new nn.LayerNorm([2, 3]);
    ln.weight!.data.set(uniform([6]).data);
    ln.bias!.data.set(uniform([6]).data);
    const x = uniform([4, 2, 3], -3, 3);
    const y = ln.forward(x);
    for (let r = 0; r < 4; r++) {
      const row = Array.from(x.data.subarray(r * 6, r * 6 + 6));
      const m = row.reduce((a, b) => a + b) / 6;
      const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / 6;
      expectNear(y.data.subarray(r * 6, r * 6 + 6), row.map((val, i) => ((val - m) / Math.sqrt(v + 1e-5)) * ln.weight!.data[i] + ln.bias!.data[i]));
    }
  });

  it('behaves the same in training and evaluation; a constant row maps to the bias', () => {
    const ln = new nn.LayerNorm(4);
    const x = uniform([3, 4]);
    expect(ln.eval().forward(x).toArray()).toEqual(ln.train().forward(x).toArray());
    expect(Array.from(ln.forward(tg.full([1, 4], 7)).data)).toEqual([0, 0, 0, 0]);
  });

  it('gradients w.r.t. input, weight and bias', () => {
    gradcheck((x, w, b) => F.layerNorm(x, 4, w, b), [uniform([3, 4]), uniform([4]), uniform([4])]);
    gradcheck((x) => F.layerNorm(x, [2, 3]), [uniform([2, 2, 3])]);
  });

  it('errors name the shapes', () => {
    expect(() => new nn.LayerNorm(4).forward(tg.zeros([2, 5]))).toThrow(/layerNorm: input \[2,5\] must end in the normalized shape \[4\]/);
    expect(() => new nn.LayerNorm([])).toThrow(/LayerNorm: normalizedShape must be a positive integer/);
    expect(() => F.layerNorm(tg.zeros([2, 4]), 4, tg.ones([3]))).toThrow(/weight must have the normalized shape \[4\], got \[3\]/);
  });
});

describe('GroupNorm', () => {
  it('normalises each group of channels of each sample (float64 reference)', () => {
    const gn = new nn.GroupNorm(2, 4);
    gn.weight!.data.set([1, 2, 3, 4]);
    gn.bias!.data.set([0, 1, 0, -1]);
    const x = uniform([2, 4, 3], -2, 2);
    const y = gn.forward(x);
    for (let n = 0; n < 2; n++) for (let g = 0; g < 2; g++) {
      const start = n * 12 + g * 6;
      const vals = Array.from(x.data.subarray(start, start + 6));
      const m = vals.reduce((a, b) => a + b) / 6;
      const v = vals.reduce((a, b) => a + (b - m) ** 2, 0) / 6;
      const want = vals.map((val, i) => {
        const c = g * 2 + Math.floor(i / 3);
        return ((val - m) / Math.sqrt(v + 1e-5)) * gn.weight!.data[c] + gn.bias!.data[c];
      });
      expectNear(y.data.subarray(start, start + 6), want);
    }
  });

  it('gradients, and errors for channels and groups', () => {
    gradcheck((x, w, b) => F.groupNorm(x, 3, w, b), [uniform([2, 6, 2, 2]), uniform([6]), uniform([6])]);
    expect(() => new nn.GroupNorm(3, 4)).toThrow(/3 groups do not divide 4 channels/);
    expect(() => new nn.GroupNorm(2, 4).forward(tg.zeros([1, 6, 2]))).toThrow(/GroupNorm\(2, 4\): input \[1,6,2\] has 6 channels, expected 4/);
  });
});

/** Losses and clipGradNorm: float64 reference values, finite-difference gradients, stability, errors. */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { gradcheck, uniform } from '../helpers/gradcheck.ts';

const { nn } = tg;
const F = nn.functional;
beforeEach(() => tg.manualSeed(13));

/** −log softmax(row)[label] in float64 via log-sum-exp. */
function refCrossEntropy(logits: tg.Tensor, labels: ArrayLike<number>): number {
  const [n, c] = logits.shape;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from(logits.data.subarray(i * c, (i + 1) * c));
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    total += lse - row[labels[i]];
  }
  return total / n;
}

describe('mseLoss / MSELoss', () => {
  it('value is the mean of squared differences', () => {
    const p = tg.tensor([[1, 2], [3, 4]]), t = tg.tensor([[0, 2], [5, 1]]);
    expect(F.mseLoss(p, t).item()).toBeCloseTo((1 + 0 + 4 + 9) / 4, 6);
    expect(new nn.MSELoss().forward(p, t).item()).toBeCloseTo(3.5, 6);
  });

  it('gradients w.r.t. prediction and target', () => {
    gradcheck((p, t) => F.mseLoss(p, t), [uniform([3, 4]), uniform([3, 4])]);
  });

  it('refuses different shapes', () => {
    expect(() => F.mseLoss(tg.zeros([3, 1]), tg.zeros([3]))).toThrow(/mseLoss: prediction \[3,1\] and target \[3\] must have the same shape/);
  });
});

describe('crossEntropy / CrossEntropyLoss', () => {
  it('matches a float64 log-sum-exp reference, with labels as Int32Array, number[] or Tensor', () => {
    const logits = uniform([6, 5], -3, 3);
    const labels = [0, 4, 2, 2, 1, 3];
    const ref = refCrossEntropy(logits, labels);
    expect(F.crossEntropy(logits, Int32Array.from(labels)).item()).toBeCloseTo(ref, 5);
    expect(F.crossEntropy(logits, labels).item()).toBeCloseTo(ref, 5);
    expect(F.crossEntropy(logits, tg.tensor(labels, { dtype: 'int32' })).item()).toBeCloseTo(ref, 5);
    expect(new nn.CrossEntropyLoss().forward(logits, labels).item()).toBeCloseTo(ref, 5);
  });

  it('equal logits give log(C)', () => {
    expect(F.crossEntropy(tg.zeros([4, 10]), [0, 1, 2, 3]).item()).toBeCloseTo(Math.log(10), 6);
  });

  it('gradient matches central differences and equals (softmax − onehot)/N', () => {
    const labels = Int32Array.from([1, 0, 3, 3]);
    gradcheck((x) => F.crossEntropy(x, labels), [uniform([4, 4], -2, 2)]);
    const x = tg.tensor([[0, 0]], { requiresGrad: true });
    F.crossEntropy(x, [1]).backward();
    expect(x.grad!.toArray()).toEqual([[0.5, -0.5]]);
  });

  it('is stable for huge logits', () => {
    const x = tg.tensor([[1000, -1000, 0], [1e4, 1e4, -1e4]], { requiresGrad: true });
    const loss = F.crossEntropy(x, [1, 0]);
    // row 0: 2000 exactly; row 1: log 2
    expect(loss.item()).toBeCloseTo((2000 + Math.log(2)) / 2, 3);
    loss.backward();
    expect(x.grad!.data.every(Number.isFinite)).toBe(true);
    expect(x.grad!.toArray()).toEqual([[0.5, -0.5, 0], [-0.25, 0.25, 0]]);
  });

  it('refuses bad labels and shapes with clear errors', () => {
    const x = tg.zeros([3, 4]);
    expect(() => F.crossEntropy(x, [0, 1, 4])).toThrow(/crossEntropy: label 2 is 4, outside the 4 classes \[0, 3\]/);
    expect(() => F.crossEntropy(x, [0, -1, 2])).toThrow(/label 1 is -1/);
    expect(() => F.crossEntropy(x, [0, 1.5, 2])).toThrow(/label 1 is 1.5, not a whole number/);
    expect(() => F.crossEntropy(x, [0, Number.NaN, 2])).toThrow(/not a whole number/);
    expect(() => F.crossEntropy(x, [0, 1])).toThrow(/got 2 labels \[2\] for a batch of 3/);
    expect(() => F.crossEntropy(x, tg.zeros([3, 1], { dtype: 'int32' }))).toThrow(/got 3 labels \[3,1\] for a batch of 3/);
    expect(() => F.crossEntropy(x, tg.zeros([3]))).toThrow(/labels must be an int32 tensor, got float32/);
    expect(() => F.crossEntropy(tg.zeros([4]), [0])).toThrow(/crossEntropy: logits must be 2-D \[N,C\], got \[4\]/);
  });
});

describe('binaryCrossEntropy / BCELoss', () => {
  it('matches the float64 formula', () => {
    const p = uniform([8], 0.05, 0.95), t = tg.tensor([0, 1, 1, 0, 0.3, 1, 0, 0.9]);
    let ref = 0;
    for (let i = 0; i < 8; i++) ref -= t.data[i] * Math.log(p.data[i]) + (1 - t.data[i]) * Math.log(1 - p.data[i]);
    expect(F.binaryCrossEntropy(p, t).item()).toBeCloseTo(ref / 8, 5);
    expect(new nn.BCELoss().forward(p, t).item()).toBeCloseTo(ref / 8, 5);
  });

  it('gradient matches central differences', () => {
    const t = tg.tensor([[0, 1, 1], [0, 0.5, 1]]);
    gradcheck((p) => F.binaryCrossEntropy(p, t), [uniform([2, 3], 0.1, 0.9)], { h: 1e-3 });
  });

  it('saturated probabilities cost 100 per element (PyTorch clamps each log at −100), with finite gradients', () => {
    const p = tg.tensor([0, 1, 0, 1], { requiresGrad: true });
    const loss = F.binaryCrossEntropy(p, tg.tensor([1, 0, 0, 1]));
    expect(loss.item()).toBeCloseTo((100 + 100 + 0 + 0) / 4, 4);
    loss.backward();
    expect(p.grad!.data.every(Number.isFinite)).toBe(true);
  });

  it('refuses values outside [0, 1] and shape mismatches', () => {
    expect(() => F.binaryCrossEntropy(tg.tensor([0.5, 1.2]), tg.tensor([0, 1]))).toThrow(/prediction 1 is 1.2/);
    expect(() => F.binaryCrossEntropy(tg.tensor([0.5, Number.NaN]), tg.tensor([0, 1]))).toThrow(/prediction 1 is NaN/);
    expect(() => F.binaryCrossEntropy(tg.tensor([0.5, 0.5]), tg.tensor([0, 2]))).toThrow(/target 1 is 2/);
    expect(() => F.binaryCrossEntropy(tg.tensor([[0.5], [0.5]]), tg.tensor([0, 1]))).toThrow(/same shape/);
  });
});

describe('clipGradNorm', () => {
  const withGrad = (values: number[]) => {
    const p = new nn.Parameter(tg.zeros([values.length]));
    p.grad = tg.tensor(values);
    return p;
  };

  it('returns the total L2 norm and rescales to maxNorm when above it', () => {
    const a = withGrad([3, 4]), b = withGrad([12]), c = new nn.Parameter(tg.zeros([2]));
    const total = nn.utils.clipGradNorm([a, b, c], 6.5);
    expect(total).toBeCloseTo(13, 5);
    const f = 6.5 / (13 + 1e-6);
    expect(a.grad!.data[0]).toBeCloseTo(3 * f, 6);
    expect(a.grad!.data[1]).toBeCloseTo(4 * f, 6);
    expect(b.grad!.data[0]).toBeCloseTo(12 * f, 5);
    expect(c.grad).toBeNull();
  });

  it('leaves gradients alone when the norm is already small enough', () => {
    const a = withGrad([0.3, 0.4]);
    expect(nn.utils.clipGradNorm([a], 1)).toBeCloseTo(0.5, 6);
    expect(Array.from(a.grad!.data)).toEqual([Math.fround(0.3), Math.fround(0.4)]);
  });

  it('works on a model\'s parameters and rejects a bad maxNorm', () => {
    const m = new nn.Dense(3, 2);
    F.mseLoss(m.forward(tg.ones([4, 3])), tg.full([4, 2], 10)).backward();
    nn.utils.clipGradNorm(m.parameters(), 0.1);
    let sq = 0;
    for (const p of m.parameters()) for (const v of p.grad!.data) sq += v * v;
    expect(Math.sqrt(sq)).toBeCloseTo(0.1, 4);
    expect(() => nn.utils.clipGradNorm(m.parameters(), -1)).toThrow(/clipGradNorm: maxNorm must be a number >= 0, got -1/);
  });
});

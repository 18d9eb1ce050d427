/** Loss modules: hand-computed values for each reduction and option, gradients, and refused options and labels. */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { gradcheck, uniform } from '../helpers/gradcheck.ts';

const { nn } = tg;
beforeEach(() => tg.manualSeed(4));

const labels = (v: number[]) => tg.tensor(v, { dtype: 'int32' });
const near = (t: tg.Tensor, want: number | number[], digits = 5) => {
  const got = Array.from(t.data);
  const w = typeof want === 'number' ? [want] : want;
  expect(got.length).toBe(w.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(w[i], digits));
};

describe('regression losses', () => {
  const pred = tg.tensor([[0, 2], [3, -1]]);
  const target = tg.tensor([[1, 2], [0.5, 1]]);
  // Differences: −1, 0, 2.5, −2.

  it('MSELoss and L1Loss with each reduction', () => {
    near(new nn.MSELoss().forward(pred, target), (1 + 0 + 6.25 + 4) / 4);
    near(new nn.MSELoss({ reduction: 'sum' }).forward(pred, target), 11.25);
    near(new nn.L1Loss().forward(pred, target), 5.5 / 4);
    near(new nn.L1Loss({ reduction: 'none' }).forward(pred, target), [1, 0, 2.5, 2]);
  });

  it('SmoothL1Loss (beta) and HuberLoss (delta): quadratic inside, linear outside', () => {
    // beta 2: |d| < 2 → d²/4, else |d| − 1: 0.25, 0, 1.5, 1.
    near(new nn.SmoothL1Loss({ beta: 2, reduction: 'none' }).forward(pred, target), [0.25, 0, 1.5, 1]);
    // delta 2: |d| < 2 → d²/2, else 2·(|d| − 1): 0.5, 0, 3, 2.
    near(new nn.HuberLoss({ delta: 2, reduction: 'sum' }).forward(pred, target), 5.5);
    near(new nn.SmoothL1Loss().forward(pred, target), (0.5 + 0 + 2 + 1.5) / 4);
  });

  it('gradients', () => {
    for (const loss of [new nn.SmoothL1Loss({ beta: 0.5 }), new nn.HuberLoss({ delta: 0.5 }), new nn.L1Loss({ reduction: 'sum' }), new nn.MSELoss()]) {
      gradcheck((p, t) => loss.forward(p, t).reshape([1]), [uniform([3, 3], -2, 2), uniform([3, 3], -2, 2)]);
    }
  });
});

describe('BCEWithLogitsLoss and BCELoss', () => {
  it('logits: −[t·ln σ(x) + (1 − t)·ln(1 − σ(x))], posWeight scaling the positive term, exact for huge logits', () => {
    const x = tg.tensor([[0, 2]]), t = tg.tensor([[1, 0]]);
    near(new nn.BCEWithLogitsLoss({ reduction: 'none' }).forward(x, t), [Math.log(2), Math.log(1 + Math.exp(2))]);
    near(new nn.BCEWithLogitsLoss({ posWeight: tg.tensor([3, 1]), reduction: 'none' }).forward(x, t), [3 * Math.log(2), Math.log(1 + Math.exp(2))]);
    near(new nn.BCEWithLogitsLoss({ reduction: 'sum' }).forward(tg.tensor([200, -200]), tg.tensor([0, 1])), 400, 3);
    const big = tg.tensor([500, -500]);
    big.requiresGrad = true;
    new nn.BCEWithLogitsLoss().forward(big, tg.tensor([1, 0])).backward();
    expect(Array.from(big.grad!.data)).toEqual([0, 0]);
  });

  it('BCELoss with a weight buffer, and gradients', () => {
    const loss = new nn.BCELoss({ weight: tg.tensor([2, 1]) });
    expect(Object.keys(loss.stateDict())).toEqual(['weight']);
    near(loss.forward(tg.tensor([0.5, 0.25]), tg.tensor([1, 0])), (2 * Math.log(2) + -Math.log(0.75)) / 2);
    gradcheck((x) => new nn.BCEWithLogitsLoss({ posWeight: tg.tensor([2]) }).forward(x, tg.tensor([[1], [0], [0.3]])).reshape([1]), [uniform([3, 1], -3, 3)]);
  });
});

describe('NLLLoss and CrossEntropyLoss', () => {
  const logp = tg.tensor([[-0.5, -1, -2], [-3, -0.1, -1.5], [-1, -1, -1.2]]);

  it('NLL picks −logp[label]; a class weight makes the mean Σ w·loss / Σ w; ignoreIndex drops rows', () => {
    near(new nn.NLLLoss().forward(logp, labels([0, 1, 2])), (0.5 + 0.1 + 1.2) / 3);
    const w = tg.tensor([1, 2, 3]);
    near(new nn.NLLLoss({ weight: w }).forward(logp, labels([0, 1, 2])), (0.5 + 0.2 + 3.6) / 6);
    near(new nn.NLLLoss({ ignoreIndex: 1 }).forward(logp, labels([0, 1, 2])), (0.5 + 1.2) / 2);
    near(new nn.NLLLoss({ reduction: 'none', ignoreIndex: 1 }).forward(logp, labels([0, 1, 2])), [0.5, 0, 1.2]);
  });

  it('CrossEntropy with label smoothing ε: (1 − ε)·NLL + ε·mean over classes of −logp', () => {
    const logits = tg.tensor([[1, 2, 0.5], [0, -1, 3]]);
    const y = labels([1, 2]);
    const ls = logits.logSoftmax(1).toArray() as number[][];
    const eps = 0.3;
    const want = ls.map((row, i) => (1 - eps) * -row[[1, 2][i]] + eps * -(row.reduce((a, b) => a + b) / 3));
    near(new nn.CrossEntropyLoss({ labelSmoothing: eps, reduction: 'none' }).forward(logits, y), want);
    near(new nn.CrossEntropyLoss({ labelSmoothing: eps }).forward(logits, y), (want[0] + want[1]) / 2);
  });

  it('CrossEntropy over [N, C, T] scores with [N, T] labels (a language model\'s layout)', () => {
    const scores = uniform([2, 4, 3]);
    const y = labels([0, 3, 1, 2, 2, 0]).reshape([2, 3]);
    const flat = scores.permute(0, 2, 1).reshape([6, 4]);
    near(new nn.CrossEntropyLoss().forward(scores, y), tg.nn.functional.crossEntropy(flat, y.reshape([6])).item());
    expect(new nn.CrossEntropyLoss({ reduction: 'none' }).forward(scores, y).shape).toEqual([2, 3]);
    expect(() => new nn.CrossEntropyLoss().forward(scores, labels([0, 1]))).toThrow(/input \[2,4,3\] needs labels \[2,3\]/);
  });

  it('gradients (weights, ignoreIndex and smoothing together)', () => {
    const loss = new nn.CrossEntropyLoss({ weight: tg.tensor([0.5, 2, 1]), ignoreIndex: 0, labelSmoothing: 0.2 });
    gradcheck((x) => loss.forward(x, labels([1, 0, 2, 1])).reshape([1]), [uniform([4, 3], -2, 2)]);
    const nll = new nn.NLLLoss({ weight: tg.tensor([1, 3, 0.5]), ignoreIndex: 2, reduction: 'sum' });
    gradcheck((x) => nll.forward(x, labels([1, 0, 2, 1])).reshape([1]), [uniform([4, 3], -3, 0)]);
  });

  it('out-of-range labels and bad options are refused, naming the value', () => {
    expect(() => new nn.NLLLoss().forward(logp, labels([0, 3, 1]))).toThrow(/NLLLoss: nllLoss: label 1 is 3, outside the 3 classes \[0, 2\]/);
    expect(() => new nn.CrossEntropyLoss({ ignoreIndex: 5 }).forward(logp, labels([0, -1, 5]))).toThrow(/label 1 is -1, outside the 3 classes/);
    expect(() => new nn.CrossEntropyLoss({ ignoreIndex: 1.5 })).toThrow(/ignoreIndex must be an integer, got 1.5/);
    expect(() => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be in \[0, 1\], got 1.5/);
    expect(() => new nn.CrossEntropyLoss({ weight: tg.ones([2, 2]) })).toThrow(/weight must be a 1-D tensor/);
    expect(() => new nn.CrossEntropyLoss({ weight: tg.ones([4]) }).forward(logp, labels([0, 1, 2]))).toThrow(/weight must be \[3\] \(one per class\), got \[4\]/);
    expect(() => new nn.MSELoss({ reduction: 'avg' as 'mean' })).toThrow(/MSELoss: reduction must be one of 'mean', 'sum', 'none', got 'avg'/);
    expect(() => new nn.HuberLoss({ delta: 0 })).toThrow(/delta must be > 0/);
    expect(() => new nn.SmoothL1Loss({ beta: -1 })).toThrow(/beta must be ≥ 0/);
    expect(() => new nn.L1Loss(5 as unknown as object)).toThrow(/L1Loss: options must be an object, got 5/);
  });
});

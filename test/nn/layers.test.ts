/** Layers: values against float64 references, gradients against central differences, init, dropout. */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { awayFromZero, gradcheck, uniform } from '../helpers/gradcheck.ts';

const { nn } = tg;
const F = nn.functional;
beforeEach(() => tg.manualSeed(11));

describe('Dense', () => {
  it('computes x @ weightᵀ + bias (float64 reference), for 2-D and 3-D inputs', () => {
    const d = new nn.Dense(5, 3);
    for (const shape of [[4, 5], [2, 3, 5], [5]]) {
      const x = uniform(shape);
      const y = d.forward(x);
      expect(y.shape).toEqual([...shape.slice(0, -1), 3]);
      const rows = x.size / 5;
      for (let r = 0; r < rows; r++) for (let o = 0; o < 3; o++) {
        let s = d.bias!.data[o];
        for (let i = 0; i < 5; i++) s += x.data[r * 5 + i] * d.weight.data[o * 5 + i];
        expect(Math.abs(y.data[r * 3 + o] - s)).toBeLessThan(1e-5);
      }
    }
  });

  it('gradients w.r.t. input, weight and bias', () => {
    const d = new nn.Dense(4, 3);
    const x = uniform([5, 4]);
    gradcheck((xx, w, b) => F.linear(xx, w, b), [x, d.weight, d.bias!]);
    gradcheck((xx, w) => F.linear(xx, w), [uniform([2, 3, 4]), uniform([2, 4])]);
    gradcheck((xx) => d.forward(xx), [uniform([3, 4])]);
  });

  it('bias: false has only a weight', () => {
    const d = new nn.Dense(3, 2, { bias: false });
    expect(d.namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(d.forward(tg.zeros([1, 3])).toArray()).toEqual([[0, 0]]);
  });

  it('is also available as Linear', () => {
    expect(new nn.Linear(2, 2)).toBeInstanceOf(nn.Dense);
  });

  it('errors name the layer and shapes', () => {
    expect(() => new nn.Dense(784, 10).forward(tg.zeros([64, 100]))).toThrow(/linear: input \[64,100\] must end in 784 features to match weight \[10,784\]/);
    expect(() => new nn.Dense(0, 10)).toThrow(/Dense: inFeatures must be an integer ≥ 1, got 0/);
    expect(() => new nn.Dense(3, 2.5)).toThrow(RangeError);
  });
});

describe('initialisation (PyTorch: U(±1/√fanIn) for weight and bias)', () => {
  it('is reproducible with manualSeed and differs between seeds', () => {
    tg.manualSeed(5);
    const a = new nn.Dense(6, 4).weight.toArray();
    tg.manualSeed(5);
    const b = new nn.Dense(6, 4).weight.toArray();
    tg.manualSeed(6);
    const c = new nn.Dense(6, 4).weight.toArray();
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('Dense(784,128): inside the bound, mean ≈ 0, variance ≈ bound²/3 (uniform)', () => {
    const d = new nn.Dense(784, 128);
    const bound = 1 / Math.sqrt(784);
    const w = d.weight.data;
    let s = 0, sq = 0, max = 0;
    for (const v of w) { s += v; sq += v * v; max = Math.max(max, Math.abs(v)); }
    const mean = s / w.length, variance = sq / w.length - mean * mean;
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(0.99 * bound);
    expect(Math.abs(mean)).toBeLessThan(0.01 * bound); // 4σ of the sample mean is ~0.007·bound
    expect(variance / (bound * bound / 3)).toBeGreaterThan(0.97);
    expect(variance / (bound * bound / 3)).toBeLessThan(1.03);
    for (const v of d.bias!.data) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
  });

  it('nn.init.kaimingUniform with a = 0 uses √(6/fanIn)', () => {
    const t = nn.init.kaimingUniform(tg.zeros([1000]), 24, 0);
    const bound = Math.sqrt(6 / 24);
    expect(Math.max(...Array.from(t.data, Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(t.data, Math.abs))).toBeGreaterThan(0.95 * bound);
  });
});

describe('activation layers', () => {
  it('values match Math', () => {
    const x = tg.tensor([[-2, -0.5, 0, 0.5, 3]]);
    expect(new nn.ReLU().forward(x).toArray()).toEqual([[0, 0, 0, 0.5, 3]]);
    const sig = new nn.Sigmoid().forward(x).data;
    const th = new nn.Tanh().forward(x).data;
    x.data.forEach((v, i) => {
      expect(sig[i]).toBeCloseTo(1 / (1 + Math.exp(-v)), 6);
      expect(th[i]).toBeCloseTo(Math.tanh(v), 6);
    });
    const sm = new nn.Softmax().forward(tg.tensor([[1, 2, 3], [0, 0, 0]])).data;
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    expect(sm[0]).toBeCloseTo(Math.exp(1) / z, 6);
    expect(sm[2]).toBeCloseTo(Math.exp(3) / z, 6);
    expect(sm[4]).toBeCloseTo(1 / 3, 6);
    const sm0 = new nn.Softmax(0).forward(tg.tensor([[1, 5], [1, 5]])).toArray();
    expect(sm0).toEqual([[0.5, 0.5], [0.5, 0.5]]);
  });

  it('gradients through the modules', () => {
    gradcheck((x) => new nn.ReLU().forward(x), [awayFromZero([3, 4])]);
    gradcheck((x) => new nn.Sigmoid().forward(x), [uniform([3, 4], -3, 3)]);
    gradcheck((x) => new nn.Tanh().forward(x), [uniform([3, 4], -2, 2)]);
    gradcheck((x) => new nn.Softmax().forward(x), [uniform([3, 4], -2, 2)]);
    gradcheck((x) => F.relu(x).add(F.softmax(x, 0)), [awayFromZero([3, 4])]);
  });
});

describe('Flatten', () => {
  it('keeps the batch dimension by default, like nn.Flatten', () => {
    expect(new nn.Flatten().forward(tg.zeros([2, 3, 4, 5])).shape).toEqual([2, 60]);
    expect(new nn.Flatten(0).forward(tg.zeros([2, 3, 4])).shape).toEqual([24]);
    expect(new nn.Flatten(1, 2).forward(tg.zeros([2, 3, 4, 5])).shape).toEqual([2, 12, 5]);
    expect(new nn.Flatten().forward(tg.arange(6).reshape([1, 2, 3])).toArray()).toEqual([[0, 1, 2, 3, 4, 5]]);
  });

  it('passes gradients through', () => {
    gradcheck((x) => new nn.Flatten().forward(x), [uniform([2, 3, 2])]);
  });

  it('errors', () => {
    expect(() => new nn.Flatten(2, 1).forward(tg.zeros([2, 3, 4]))).toThrow(/Flatten: endDim 1 comes before startDim 2/);
    expect(() => new nn.Flatten(5).forward(tg.zeros([2, 3]))).toThrow(tg.AxisError);
  });
});

describe('Dropout', () => {
  const n = 100_000;

  it('training: drops a fraction ≈ p, and scales survivors by 1/(1−p)', () => {
    for (const p of [0.1, 0.3, 0.5, 0.8]) {
      const x = uniform([n], 0.5, 1.5); // no zeros of its own
      const y = new nn.Dropout(p).forward(x);
      let zeros = 0;
      for (let i = 0; i < n; i++) {
        if (y.data[i] === 0) { zeros++; continue; }
        expect(Math.abs(y.data[i] - x.data[i] / (1 - p))).toBeLessThan(1e-6 * (1 + y.data[i]));
      }
      // 5 standard deviations of a binomial fraction
      expect(Math.abs(zeros / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it('the mean is preserved in expectation', () => {
    const y = new nn.Dropout(0.4).forward(tg.ones([n]));
    let s = 0;
    for (const v of y.data) s += v;
    expect(Math.abs(s / n - 1)).toBeLessThan(0.02);
  });

  it('gradient is the same mask: zero where dropped, 1/(1−p) where kept', () => {
    const x = uniform([1000], 0.5, 1.5);
    x.requiresGrad = true;
    const y = F.dropout(x, 0.25);
    y.sum().backward();
    for (let i = 0; i < 1000; i++) {
      expect(x.grad!.data[i]).toBeCloseTo(y.data[i] === 0 ? 0 : 1 / 0.75, 6);
    }
  });

  it('eval mode (and p = 0, and training = false) is the identity; p = 1 zeroes everything', () => {
    const x = uniform([50]);
    const d = new nn.Dropout(0.5).eval();
    expect(Array.from(d.forward(x).data)).toEqual(Array.from(x.data));
    expect(Array.from(F.dropout(x, 0.7, false).data)).toEqual(Array.from(x.data));
    expect(Array.from(new nn.Dropout(0).forward(x).data)).toEqual(Array.from(x.data));
    expect(Array.from(new nn.Dropout(1).forward(x).data).every((v) => v === 0)).toBe(true);
  });

  it('masks are reproducible with manualSeed', () => {
    const x = tg.ones([64]);
    tg.manualSeed(9);
    const a = F.dropout(x, 0.5).toArray();
    tg.manualSeed(9);
    expect(F.dropout(x, 0.5).toArray()).toEqual(a);
  });

  it('rejects p outside [0, 1]', () => {
    expect(() => new nn.Dropout(1.5)).toThrow(/Dropout: p must be a probability in \[0, 1\], got 1.5/);
    expect(() => F.dropout(tg.ones([2]), -0.1)).toThrow(RangeError);
    expect(() => new nn.Dropout(Number.NaN)).toThrow(RangeError);
  });
});

describe('activation modules for the new activations', () => {
  const x = tg.tensor([-3, -0.5, 0.25, 2]);
  const ref = (f: (v: number) => number) => Array.from(x.data, f);
  const erf = (v: number) => {
    // Abramowitz–Stegun 7.1.26 is too coarse here; integrate the series instead (|v| ≤ 3).
    let sum = 0, term = v;
    for (let n = 0; n < 60; n++) { sum += term / (2 * n + 1); term *= (-v * v) / (n + 1); }
    return (2 / Math.sqrt(Math.PI)) * sum;
  };
  const cases: [string, tg.nn.Module, (v: number) => number][] = [
    ['LeakyReLU(0.2)', new nn.LeakyReLU(0.2), (v) => (v > 0 ? v : 0.2 * v)],
    ['ELU(1.5)', new nn.ELU(1.5), (v) => (v > 0 ? v : 1.5 * (Math.exp(v) - 1))],
    ['GELU()', new nn.GELU(), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
    ['GELU(tanh)', new nn.GELU({ approximate: 'tanh' }), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
    ['SiLU', new nn.SiLU(), (v) => v / (1 + Math.exp(-v))],
    ['Softplus(beta 2)', new nn.Softplus({ beta: 2 }), (v) => Math.log(1 + Math.exp(2 * v)) / 2],
    ['LogSigmoid', new nn.LogSigmoid(), (v) => -Math.log(1 + Math.exp(-v))],
    ['Identity', new nn.Identity(), (v) => v],
  ];
  for (const [name, layer, f] of cases) {
    it(`${name}: values and gradient`, () => {
      const y = layer.forward(x).data;
      ref(f).forEach((want, i) => expect(y[i]).toBeCloseTo(want, 5));
      if (name !== 'Identity') gradcheck((v) => layer.forward(v), [awayFromZero([6])]);
    });
  }

  it('LogSoftmax sums to one in probability; bad options are refused', () => {
    const p = new nn.LogSoftmax(1).forward(uniform([2, 5])).exp().sum(1);
    for (const v of p.data) expect(v).toBeCloseTo(1, 6);
    expect(() => new nn.GELU({ approximate: 'fast' as 'tanh' })).toThrow(/GELU: approximate must be one of 'none', 'tanh', got 'fast'/);
    expect(() => new nn.Softplus({ beta: 0 })).toThrow(/Softplus: beta must be > 0/);
    expect(() => new nn.LeakyReLU('0.1' as unknown as number)).toThrow(/LeakyReLU: negativeSlope must be a number/);
  });
});

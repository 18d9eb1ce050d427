/** conv2d and maxPool2d: hand-computed values, a float64 reference, gradients, errors. */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { gradcheck, uniform } from '../helpers/gradcheck.ts';

const F = tg.nn.functional;
beforeEach(() => tg.manualSeed(7));

/** Direct 6-loop convolution in float64: the independent reference. */
function refConv(x: tg.Tensor, w: tg.Tensor, b: tg.Tensor | null, stride: number, padding: number): { data: number[]; shape: number[] } {
  const [n, c, h, wd] = x.shape;
  const [o, , kh, kw] = w.shape;
  const oh = Math.floor((h + 2 * padding - kh) / stride) + 1;
  const ow = Math.floor((wd + 2 * padding - kw) / stride) + 1;
  const out: number[] = [];
  for (let ni = 0; ni < n; ni++) for (let oc = 0; oc < o; oc++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    let s = b ? b.data[oc] : 0;
    for (let ci = 0; ci < c; ci++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const iy = oy * stride - padding + i, ix = ox * stride - padding + j;
      if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
      s += x.data[((ni * c + ci) * h + iy) * wd + ix] * w.data[((oc * c + ci) * kh + i) * kw + j];
    }
    out.push(s);
  }
  return { data: out, shape: [n, o, oh, ow] };
}

/** 0, 0.1, 0.2, … in a seeded random order: values 0.1 apart, so ±h never changes a window's winner. */
function distinct(n: number): Float32Array {
  const keys = tg.rand([n]).data;
  const order = [...Array(n).keys()].sort((a, b) => keys[a] - keys[b]);
  return Float32Array.from(order, (i) => i * 0.1);
}

function expectClose(actual: tg.Tensor, expected: { data: number[]; shape: number[] }, tol = 1e-5): void {
  expect(actual.shape).toEqual(expected.shape);
  for (let i = 0; i < expected.data.length; i++) {
    if (Math.abs(actual.data[i] - expected.data[i]) > tol * (1 + Math.abs(expected.data[i]))) {
      throw new Error(`element ${i}: got ${actual.data[i]}, expected ${expected.data[i]}`);
    }
  }
}

describe('conv2d values', () => {
  const x = tg.tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
  const diag = tg.tensor([[[[1, 0], [0, -1]]]]); // x[i,j] − x[i+1,j+1]

  it('stride 1, no padding', () => {
    expect(F.conv2d(x, diag).toArray()).toEqual([[[[-4, -4], [-4, -4]]]]);
  });

  it('stride 2, padding 1, bias (worked by hand on the zero-padded 5x5 input)', () => {
    // Windows start at padded (0,0), (0,2), (2,0), (2,2): 0−1, 0−3, 0−7, 5−9, then + 0.5.
    const y = F.conv2d(x, diag, tg.tensor([0.5]), { stride: 2, padding: 1 });
    expect(y.toArray()).toEqual([[[[-0.5, -2.5], [-6.5, -3.5]]]]);
  });

  it('padding 1 with a ones kernel counts each pixel\'s in-bounds neighbours', () => {
    const y = F.conv2d(tg.ones([1, 1, 3, 3]), tg.ones([1, 1, 3, 3]), null, { padding: 1 });
    expect(y.toArray()).toEqual([[[[4, 6, 4], [6, 9, 6], [4, 6, 4]]]]);
  });

  it('two input channels are summed, two output channels are separate', () => {
    const x2 = tg.tensor([[[[1, 2], [3, 4]], [[10, 20], [30, 40]]]]);
    const w = tg.tensor([[[[1]], [[1]]], [[[1]], [[-1]]]]); // 1x1 kernels: sum and difference
    expect(F.conv2d(x2, w).toArray()).toEqual([[[[11, 22], [33, 44]], [[-9, -18], [-27, -36]]]]);
  });

  const cases: [number[], number[], number, number][] = [
    [[2, 3, 7, 6], [4, 3, 3, 3], 1, 0],
    [[2, 3, 7, 6], [4, 3, 3, 3], 1, 1],
    [[3, 2, 9, 8], [5, 2, 3, 2], 2, 1],
    [[1, 1, 28, 28], [8, 1, 5, 5], 1, 0],
    [[2, 4, 5, 5], [3, 4, 5, 5], 3, 2],
    [[1, 2, 4, 4], [2, 2, 1, 1], 2, 0],
  ];
  for (const [xs, ws, stride, padding] of cases) {
    it(`matches a float64 direct convolution: x ${JSON.stringify(xs)}, w ${JSON.stringify(ws)}, stride ${stride}, padding ${padding}`, () => {
      const xr = uniform(xs), wr = uniform(ws), br = uniform([ws[0]]);
      expectClose(F.conv2d(xr, wr, br, { stride, padding }), refConv(xr, wr, br, stride, padding));
      expectClose(F.conv2d(xr, wr, null, { stride, padding }), refConv(xr, wr, null, stride, padding));
    });
  }

  it('Conv2D layer: shapes, PyTorch-style init bounds, forward = functional', () => {
    const conv = new tg.nn.Conv2D(3, 6, 5, { stride: 2, padding: 2 });
    expect(conv.weight.shape).toEqual([6, 3, 5, 5]);
    expect(conv.bias!.shape).toEqual([6]);
    const bound = 1 / Math.sqrt(3 * 25);
    for (const v of [...conv.weight.data, ...conv.bias!.data]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    const xr = uniform([2, 3, 11, 9]);
    expect(conv.forward(xr).shape).toEqual([2, 6, 6, 5]);
    expectClose(conv.forward(xr), refConv(xr, conv.weight, conv.bias, 2, 2));
    expect(new tg.nn.Conv2D(1, 1, [2, 3], { bias: false }).namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['weight', [1, 1, 2, 3]]]);
  });
});

describe('conv2d gradients (central differences)', () => {
  const cases: [number[], number[], number, number][] = [
    [[2, 2, 5, 5], [3, 2, 3, 3], 1, 0],
    [[2, 2, 5, 6], [3, 2, 3, 3], 1, 1],
    [[1, 3, 7, 7], [2, 3, 3, 2], 2, 1],
    [[2, 1, 6, 6], [2, 1, 4, 4], 3, 2],
  ];
  for (const [xs, ws, stride, padding] of cases) {
    it(`x ${JSON.stringify(xs)}, w ${JSON.stringify(ws)}, stride ${stride}, padding ${padding}`, () => {
      gradcheck((x, w, b) => F.conv2d(x, w, b, { stride, padding }), [uniform(xs), uniform(ws), uniform([ws[0]])]);
      gradcheck((x, w) => F.conv2d(x, w, null, { stride, padding }), [uniform(xs), uniform(ws)]);
    });
  }

  it('through the Conv2D layer\'s parameters', () => {
    const conv = new tg.nn.Conv2D(2, 3, 3, { padding: 1 });
    const x = uniform([2, 2, 4, 4]);
    gradcheck((w, b) => F.conv2d(x, w, b, { padding: 1 }), [conv.weight, conv.bias!]);
  });
});

describe('conv2d errors', () => {
  it('names the op and the shapes at fault', () => {
    expect(() => F.conv2d(tg.zeros([3, 28, 28]), tg.zeros([8, 3, 5, 5]))).toThrow(/conv2d: input must be 4-D \[N,C,H,W\], got \[3,28,28\]/);
    expect(() => F.conv2d(tg.zeros([1, 2, 8, 8]), tg.zeros([4, 3, 3, 3]))).toThrow(/conv2d: input has 2 channels but weight \[4,3,3,3\] expects 3/);
    expect(() => F.conv2d(tg.zeros([1, 1, 2, 2]), tg.zeros([1, 1, 3, 3]))).toThrow(/does not fit input \[1,1,2,2\]/);
    expect(() => F.conv2d(tg.zeros([1, 1, 4, 4]), tg.zeros([2, 1, 3, 3]), tg.zeros([3]))).toThrow(/bias must be \[2\]/);
    expect(() => F.conv2d(tg.zeros([1, 1, 4, 4]), tg.zeros([2, 1, 3, 3]), null, { stride: 0 })).toThrow(RangeError);
    expect(() => new tg.nn.Conv2D(1, 8, 5, { padding: -1 })).toThrow(/Conv2D: padding must be an integer ≥ 0, got -1/);
    expect(() => new tg.nn.Conv2D(0, 8, 5)).toThrow(RangeError);
  });
});

describe('maxPool2d', () => {
  const x = tg.arange(16, { dtype: 'float32' }).reshape([1, 1, 4, 4]);

  it('hand-computed windows, default stride = kernel, overlapping and leftover edges', () => {
    expect(F.maxPool2d(x, 2).toArray()).toEqual([[[[5, 7], [13, 15]]]]);
    expect(F.maxPool2d(x, 3, 1).toArray()).toEqual([[[[10, 11], [14, 15]]]]);
    const x5 = tg.tensor([[[[9, 1, 1, 1, 50], [1, 1, 1, 1, 50], [1, 1, 8, 1, 50], [1, 1, 1, 2, 50], [60, 60, 60, 60, 60]]]]);
    expect(F.maxPool2d(x5, 2).toArray()).toEqual([[[[9, 1], [1, 8]]]]); // the 5th row and column are dropped
    expect(new tg.nn.MaxPool2D(2).forward(x).toArray()).toEqual([[[[5, 7], [13, 15]]]]);
  });

  it('gradient goes to the maximum of each window and adds up where windows overlap', () => {
    const xs = tg.tensor([[[[1, 2, 0], [3, 9, 4], [0, 5, 1]]]], { requiresGrad: true });
    F.maxPool2d(xs, 2, 1).sum().backward(); // all four windows pick the 9
    expect(xs.grad!.toArray()).toEqual([[[[0, 0, 0], [0, 4, 0], [0, 0, 0]]]]);
  });

  it('matches central differences (distinct values, so no window has a tie)', () => {
    for (const [shape, k, s] of [[[2, 3, 6, 6], 2, 2], [[1, 2, 7, 5], 3, 2], [[2, 1, 5, 5], 2, 1]] as [number[], number, number][]) {
      const n = shape.reduce((a, b) => a * b, 1);
      gradcheck((a) => F.maxPool2d(a, k, s), [tg.tensor(distinct(n), { shape })], { h: 1e-3 });
    }
  });

  it('channels and images are pooled separately', () => {
    const xr = uniform([2, 3, 4, 4]);
    const y = F.maxPool2d(xr, 2);
    for (let p = 0; p < 6; p++) {
      for (let oy = 0; oy < 2; oy++) for (let ox = 0; ox < 2; ox++) {
        let m = -Infinity;
        for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) m = Math.max(m, xr.data[p * 16 + (2 * oy + i) * 4 + 2 * ox + j]);
        expect(y.data[p * 4 + oy * 2 + ox]).toBe(m);
      }
    }
  });

  it('errors', () => {
    expect(() => F.maxPool2d(tg.zeros([4, 4]), 2)).toThrow(/maxPool2d: input must be 4-D/);
    expect(() => F.maxPool2d(tg.zeros([1, 1, 2, 2]), 3)).toThrow(/kernel 3 is larger than the input plane 2x2/);
    expect(() => new tg.nn.MaxPool2D(0)).toThrow(/MaxPool2D: kernel must be an integer ≥ 1, got 0/);
  });
});

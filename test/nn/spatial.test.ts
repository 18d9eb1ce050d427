/**
 * Pooling, resizing and the new convolutions: hand-computed values, float64 references
 * written from the definitions, central-difference gradients, errors.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { gradcheck, uniform } from '../helpers/gradcheck.ts';

const { nn } = tg;
const F = nn.functional;
beforeEach(() => tg.manualSeed(17));

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

const grid = (h: number, w: number) => tg.arange(h * w).cast('float32').reshape([1, 1, h, w]);

describe('AvgPool2D', () => {
  it('hand-computed windows: tiling (leftover edge dropped), overlapping, and zero padding counted', () => {
    expect(new nn.AvgPool2D(2).forward(grid(3, 5)).toArray()).toEqual([[[[3, 5]]]]); // (0+1+5+6)/4, (2+3+7+8)/4
    expect(new nn.AvgPool2D(2, 1).forward(grid(2, 3)).toArray()).toEqual([[[[2, 3]]]]);
    // 3x3 windows, stride 2, padding 1 over [[0,1],[2,3]]: each window holds all four values among nine cells.
    expect(new nn.AvgPool2D(3, 2, 1).forward(grid(2, 2)).toArray()).toEqual([[[[Math.fround(6 / 9)]]]]);
  });

  it('gradients (tiled, overlapping and padded sweeps)', () => {
    gradcheck((x) => F.avgPool2d(x, 2), [uniform([2, 2, 5, 4])]);
    gradcheck((x) => F.avgPool2d(x, 3, 2, 1), [uniform([1, 2, 5, 5])]);
  });

  it('errors', () => {
    expect(() => new nn.AvgPool2D(3, 1, 2)).toThrow(/padding 2 must be at most half the kernel 3/);
    expect(() => new nn.AvgPool2D(4).forward(tg.zeros([1, 1, 3, 3]))).toThrow(/avgPool2d: kernel 4 is larger than the input plane 3x3/);
    expect(() => new nn.AvgPool2D(2).forward(tg.zeros([3, 3]))).toThrow(/avgPool2d: input must be 4-D/);
  });
});

describe('AdaptiveAvgPool2D', () => {
  it('PyTorch\'s bins ⌊i·n/out⌋ … ⌈(i+1)·n/out⌉ − 1, overlapping when out does not divide n (hand-computed)', () => {
    // Rows 0..4 into 3 bins: [0,1], [1,2,3], [3,4]; columns 0..2 into 2 bins: [0,1], [1,2].
    const x = grid(5, 3);
    const rowBins = [[0, 1], [1, 2, 3], [3, 4]], colBins = [[0, 1], [1, 2]];
    const want = rowBins.map((rs) => colBins.map((cs) => {
      let s = 0;
      for (const r of rs) for (const c of cs) s += r * 3 + c;
      return s / (rs.length * cs.length);
    }));
    expectNear(new nn.AdaptiveAvgPool2D([3, 2]).forward(x).data, want.flat());
  });

  it('1×1 is the global mean; an even split is the tiled average pool', () => {
    const x = uniform([2, 3, 4, 6]);
    expectNear(new nn.AdaptiveAvgPool2D(1).forward(x).data, x.mean([2, 3]).data);
    expectNear(new nn.AdaptiveAvgPool2D([2, 3]).forward(x).data, F.avgPool2d(x, 2).data);
  });

  it('gradients, and errors', () => {
    gradcheck((x) => F.adaptiveAvgPool2d(x, [3, 2]), [uniform([1, 2, 5, 3])]);
    gradcheck((x) => F.adaptiveAvgPool2d(x, 1), [uniform([2, 2, 3, 3])]);
    expect(() => new nn.AdaptiveAvgPool2D(0)).toThrow(/outputSize must be an integer ≥ 1/);
    expect(() => new nn.AdaptiveAvgPool2D(2).forward(tg.zeros([2, 3]))).toThrow(/must be 4-D/);
  });
});

describe('Upsample', () => {
  it('nearest ×2 repeats each pixel in a 2×2 block', () => {
    expect(new nn.Upsample({ scaleFactor: 2 }).forward(grid(2, 2)).toArray()).toEqual([[[[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]]]]);
  });

  it('nearest to a size picks ⌊dst·in/out⌋', () => {
    // 3 → 5 columns: ⌊j·0.6⌋ = 0, 0, 1, 1, 2.
    expect(new nn.Upsample({ size: [1, 5] }).forward(grid(1, 3)).toArray()).toEqual([[[[0, 0, 1, 1, 2]]]]);
  });

  it('bilinear ×2 with alignCorners false (PyTorch\'s default), hand-computed on one row', () => {
    // Source x = (dst + 0.5)/2 − 0.5, clamped at 0: 0, 0.25, 0.75, 1.25, 1.75, 2.25 (past the last pixel: 8).
    // The one row becomes two equal rows.
    const y = new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(tg.tensor([[[[0, 4, 8]]]]));
    expectNear(y.data, [0, 1, 3, 5, 7, 8, 0, 1, 3, 5, 7, 8]);
  });

  it('bilinear with alignCorners true keeps the corner pixels and interpolates evenly between them', () => {
    const y = new nn.Upsample({ size: [1, 5], mode: 'bilinear', alignCorners: true }).forward(tg.tensor([[[[0, 4, 8]]]]));
    expectNear(y.data, [0, 2, 4, 6, 8]);
  });

  it('gradients (nearest and bilinear)', () => {
    gradcheck((x) => F.interpolate(x, { scaleFactor: 2 }), [uniform([1, 2, 2, 3])]);
    gradcheck((x) => F.interpolate(x, { size: [5, 4], mode: 'bilinear' }), [uniform([1, 1, 3, 3])]);
  });

  it('errors', () => {
    expect(() => new nn.Upsample({ scaleFactor: 2, mode: 'bicubic' as 'nearest' })).toThrow(/mode must be 'nearest' or 'bilinear', got 'bicubic'/);
    expect(() => new nn.Upsample({} as { scaleFactor: number })).toThrow(/exactly one of size and scaleFactor/);
    expect(() => new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(tg.zeros([1, 2, 3]))).toThrow(/needs a 4-D \[N,C,H,W\] input, got \[1,2,3\]/);
    expect(() => F.interpolate(tg.zeros([1, 1, 2, 2]), { scaleFactor: -1 })).toThrow(/scaleFactor must be a positive number/);
  });
});

/** Transposed convolution from its definition: every input pixel adds its kernel, scaled, at (i·s − p, j·s − p). */
function convTransposeRef(x: tg.Tensor, w: tg.Tensor, b: tg.Tensor | null, s: number, p: number, op: number): number[] {
  const [n, ci, h, wd] = x.shape;
  const [, co, kh, kw] = w.shape;
  const oh = (h - 1) * s - 2 * p + kh + op, ow = (wd - 1) * s - 2 * p + kw + op;
  const out = new Float64Array(n * co * oh * ow);
  for (let b0 = 0; b0 < n; b0++) for (let c = 0; c < ci; c++) for (let i = 0; i < h; i++) for (let j = 0; j < wd; j++) {
    const v = x.data[((b0 * ci + c) * h + i) * wd + j];
    for (let o = 0; o < co; o++) for (let u = 0; u < kh; u++) for (let t = 0; t < kw; t++) {
      const y = i * s - p + u, z = j * s - p + t;
      if (y < 0 || y >= oh || z < 0 || z >= ow) continue;
      out[((b0 * co + o) * oh + y) * ow + z] += v * w.data[((c * co + o) * kh + u) * kw + t];
    }
  }
  if (b) for (let i = 0; i < out.length; i++) out[i] += b.data[Math.floor(i / (oh * ow)) % co];
  return Array.from(out);
}

describe('ConvTranspose2D', () => {
  for (const [s, p, op] of [[1, 0, 0], [2, 0, 0], [2, 1, 1], [3, 1, 2]]) {
    it(`matches the scatter definition (float64): stride ${s}, padding ${p}, outputPadding ${op}`, () => {
      const layer = new nn.ConvTranspose2D(3, 2, 3, { stride: s, padding: p, outputPadding: op });
      const x = uniform([2, 3, 3, 4]);
      const y = layer.forward(x);
      expect(y.shape).toEqual([2, 2, 2 * s - 2 * p + 3 + op, 3 * s - 2 * p + 3 + op]);
      expectNear(y.data, convTransposeRef(x, layer.weight, layer.bias, s, p, op));
    });
  }

  it('is the gradient of the convolution with the same weight (the adjoint identity ⟨conv(u), v⟩ = ⟨u, convT(v)⟩)', () => {
    const w = uniform([4, 3, 3, 3]);
    const u = uniform([1, 3, 7, 7]), v = uniform([1, 4, 3, 3]);
    const lhs = F.conv2d(u, w, null, { stride: 2 }).mul(v).sum().item();
    const rhs = u.mul(F.convTranspose2d(v, w, null, { stride: 2 })).sum().item();
    expect(lhs).toBeCloseTo(rhs, 4);
  });

  it('gradients w.r.t. input, weight and bias', () => {
    gradcheck((x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }), [uniform([1, 2, 3, 3]), uniform([2, 3, 3, 3]), uniform([3])]);
  });

  it('initialisation follows PyTorch: fan-in is outChannels·k² for a transposed weight', () => {
    const layer = new nn.ConvTranspose2D(64, 2, 3);
    const bound = 1 / Math.sqrt(2 * 9);
    const max = Math.max(...Array.from(layer.weight.data, Math.abs));
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(0.95 * bound);
  });

  it('errors', () => {
    expect(() => new nn.ConvTranspose2D(3, 2, 3, { stride: 2, outputPadding: 2 })).toThrow(/outputPadding 2 must be smaller than stride 2/);
    expect(() => new nn.ConvTranspose2D(3, 2, 3).forward(tg.zeros([1, 4, 3, 3]))).toThrow(/convTranspose2d: input has 4 channels but weight \[3,2,3,3\] expects 3/);
    expect(() => new nn.ConvTranspose2D(3, 2, 1, { padding: 1 }).forward(tg.zeros([1, 3, 1, 1]))).toThrow(/gives an empty output/);
  });
});

describe('Conv1D', () => {
  it('matches the definition (float64), with stride and padding along the sequence only', () => {
    const layer = new nn.Conv1D(2, 3, 3, { stride: 2, padding: 1 });
    const x = uniform([2, 2, 7]);
    const y = layer.forward(x);
    expect(y.shape).toEqual([2, 3, 4]);
    const want: number[] = [];
    for (let n = 0; n < 2; n++) for (let o = 0; o < 3; o++) for (let i = 0; i < 4; i++) {
      let s = layer.bias!.data[o];
      for (let c = 0; c < 2; c++) for (let q = 0; q < 3; q++) {
        const at = i * 2 - 1 + q;
        if (at >= 0 && at < 7) s += x.data[(n * 2 + c) * 7 + at] * layer.weight.data[(o * 2 + c) * 3 + q];
      }
      want.push(s);
    }
    expectNear(y.data, want);
  });

  it('gradients, and errors', () => {
    gradcheck((x, w, b) => F.conv1d(x, w, b, { padding: 2 }), [uniform([2, 2, 5]), uniform([3, 2, 3]), uniform([3])]);
    expect(() => new nn.Conv1D(2, 3, 3).forward(tg.zeros([1, 2, 2]))).toThrow(/conv1d: kernel 3 does not fit input \[1,2,2\] with padding 0/);
    expect(() => new nn.Conv1D(2, 3, 3).forward(tg.zeros([1, 2, 4, 4]))).toThrow(/conv1d: input must be 3-D \[N,C,L\]/);
  });
});

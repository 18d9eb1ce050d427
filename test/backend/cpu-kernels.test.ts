/**
 * The cpu backend's primitive kernels — the oracle every gpu kernel is held to — run directly
 * against naive float64 loops (naive.ts), on awkward sizes: single elements, primes, empty
 * dimensions, long axes, ties and NaN.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/index.ts';
import type { Conv2dGeometry, Pool2dGeometry } from '../../src/backend/nn-kernels.ts';
import type { Backend } from '../../src/backend/backend.ts';
import type { DType, HostArray } from '../../src/tensor/dtype.ts';
import type { Storage } from '../../src/tensor/storage.ts';
import { expectFloat32, expectNear, productBound } from '../helpers/close.ts';
import { random, randomInts } from '../helpers/random.ts';
import * as naive from './naive.ts';

/** A kernel's result typed as what the cpu backend returns: host arrays. */
type Hosted<F> = F extends (...args: infer A) => infer R
  ? (...args: A) => R extends Storage ? HostArray : R extends { values: Storage; argmax: Storage } ? { values: HostArray; argmax: HostArray } : R
  : never;

const cpu = createCpuBackend() as unknown as { [K in keyof Backend]: Hosted<Backend[K]> };
const abs = (x: Float32Array) => x.map(Math.abs);

/** Every subset of {0, …, n−1}. */
function subsets(n: number): number[][] {
  return Array.from({ length: 2 ** n }, (_, m) => Array.from({ length: n }, (_, d) => d).filter((d) => m & (1 << d)));
}

describe('cpu reduce', () => {
  it('sum, max and min over every subset of axes, with length-1 and prime dimensions', () => {
    for (const shape of [[3, 1, 5, 2], [2, 7, 3, 11]]) {
      const x = random(naive.size(shape), shape[1]);
      for (const axes of subsets(shape.length)) {
        for (const op of ['sum', 'max', 'min'] as const) {
          const got = cpu.reduce(op, x, shape, axes, 'float32', 'float32');
          // Sums accumulate in float64 and round once; extremes are exact.
          expectNear(got, naive.reduce(op, x, shape, axes).map(Math.fround), `${op} [${shape}] over [${axes}]`, { rtol: 6e-8, atol: 0 });
        }
      }
    }
  });

  it('long axes: 100 003 elements sum in float64 without drift', () => {
    const n = 100_003;
    const x = random(3 * n, 5, 0, 1);
    for (const [shape, axes] of [[[3 * n], [0]], [[3, n], [1]], [[n, 3], [0]], [[3, n, 1], [1, 2]]] as [number[], number[]][]) {
      const want = naive.reduce('sum', x, shape, axes);
      expectNear(cpu.reduce('sum', x, shape, axes, 'float32', 'float32'), want.map(Math.fround), `sum [${shape}] over [${axes}]`, { rtol: 6e-8, atol: 0 });
      expectNear(cpu.reduce('max', x, shape, axes, 'float32', 'float32'), naive.reduce('max', x, shape, axes), `max [${shape}]`, { rtol: 0, atol: 0 });
    }
  });

  it('NaN propagates through sum, max and min; ±∞ are ordinary extremes', () => {
    const shape = [4, 5];
    const x = random(20, 6);
    x[7] = NaN;        // row 1, column 2
    x[10] = Infinity;  // row 2
    x[16] = -Infinity; // row 3
    for (const op of ['sum', 'max', 'min'] as const) {
      for (const axes of [[0], [1], [0, 1]]) {
        expectNear(cpu.reduce(op, x, shape, axes, 'float32', 'float32'), naive.reduce(op, x, shape, axes).map(Math.fround), `${op} over [${axes}]`, { rtol: 6e-8, atol: 0 });
      }
    }
    expect(Array.from(cpu.reduce('max', x, shape, [1], 'float32', 'float32'))[1]).toBeNaN();
  });

  it('empty dimensions: a sum over an empty axis is 0, over a kept empty axis it is empty', () => {
    const empty = new Float32Array(0);
    expect(Array.from(cpu.reduce('sum', empty, [2, 0, 3], [1], 'float32', 'float32'))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(cpu.reduce('sum', empty, [2, 0, 3], [0], 'float32', 'float32').length).toBe(0);
    expect(Array.from(cpu.reduce('sum', empty, [0], [0], 'float32', 'float32'))).toEqual([0]);
  });

  it('no axes is a copy; int32 and bool inputs give exact int32 sums and int32 extremes', () => {
    const x = random(6, 7);
    const copy = cpu.reduce('sum', x, [2, 3], [], 'float32', 'float32');
    expect(copy).not.toBe(x);
    expect(Array.from(copy)).toEqual(Array.from(x));
    const ints = Int32Array.from([2 ** 24 + 1, 1, -3, 5, 2 ** 24 + 1, 7]);
    const s = cpu.reduce('sum', ints, [2, 3], [1], 'int32', 'int32');
    expect(s).toBeInstanceOf(Int32Array);
    expect(Array.from(s)).toEqual([2 ** 24 - 1, 2 ** 24 + 13]);
    const bools = Uint8Array.from([1, 0, 1, 1, 1, 0]);
    const c = cpu.reduce('sum', bools, [6], [0], 'bool', 'int32');
    expect(c).toBeInstanceOf(Int32Array);
    expect(Array.from(c)).toEqual([4]);
    const m = cpu.reduce('max', ints, [2, 3], [0], 'int32', 'int32');
    expect(m).toBeInstanceOf(Int32Array);
    expect(Array.from(m)).toEqual([2 ** 24 + 1, 2 ** 24 + 1, 7]);
  });
});

describe('cpu argReduce', () => {
  it('first index of the max (min) along the middle axis, on rounded data full of ties', () => {
    for (const [outer, n, inner] of [[3, 5, 7], [1, 13, 1], [2, 1, 3], [1, 10_007, 1], [5, 2, 1]]) {
      const x = randomInts(outer * n * inner, n + inner, -2, 2);
      for (const op of ['argmax', 'argmin'] as const) {
        const got = cpu.argReduce(op, x, { outer, n, inner });
        expect(got).toBeInstanceOf(Int32Array);
        expect(Array.from(got), `${op} [${outer},${n},${inner}]`).toEqual(naive.argReduce(op, x, outer, n, inner));
      }
    }
  });

  it('a NaN wins, the first of several NaNs, wherever it stands (as PyTorch)', () => {
    const x = Float32Array.from([NaN, 5, 1, 2, 9, NaN, 3, NaN, 4, NaN, -Infinity, 0]);
    for (const op of ['argmax', 'argmin'] as const) {
      expect(Array.from(cpu.argReduce(op, x, { outer: 3, n: 4, inner: 1 })), op).toEqual([0, 1, 1]);
      expect(Array.from(cpu.argReduce(op, x, { outer: 1, n: 4, inner: 3 })), `${op} strided`).toEqual(naive.argReduce(op, x, 1, 4, 3));
    }
  });
});

describe('cpu data movement', () => {
  it('strided: permutes, broadcasts (stride 0), offset slices, reversed axes, int32 and bool kept', () => {
    const x = random(2 * 3 * 5, 9);
    const cases: [number[], number[], number][] = [
      [[5, 3, 2], [1, 5, 15], 0],      // full reversal of the axes
      [[3, 2, 5], [5, 15, 1], 0],      // a permutation with a contiguous inner run
      [[4, 2, 3], [0, 15, 5], 0],      // a new broadcast leading dimension
      [[2, 3, 5], [15, 5, 1], 0],      // the identity: one contiguous copy
      [[2, 2, 5], [15, 5, 1], 5],      // a slice along the middle axis
      [[7], [0], 11],                  // one element repeated
      [[2, 0, 3], [15, 5, 1], 0],      // empty
    ];
    for (const [shape, st, off] of cases) {
      expectFloat32(cpu.strided(x, 'float32', shape, st, off), naive.strided(x, shape, st, off), `[${shape}] strides [${st}] +${off}`);
    }
    const ints = Int32Array.from({ length: 30 }, (_, i) => i - 15);
    const out = cpu.strided(ints, 'int32', [5, 3, 2], [1, 5, 15], 0);
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual(naive.strided(ints, [5, 3, 2], [1, 5, 15], 0));
    expect(cpu.strided(Uint8Array.from([1, 0]), 'bool', [2, 2], [0, 1], 0)).toBeInstanceOf(Uint8Array);
  });

  it('pad: places the block at `begin` in zeros, for every position including the corners', () => {
    const shape = [2, 3, 1], outShape = [5, 4, 3];
    const x = random(6, 10);
    for (const begin of [[0, 0, 0], [3, 1, 2], [1, 0, 1]]) {
      expectFloat32(cpu.pad(x, 'float32', shape, outShape, begin), naive.pad(x, shape, outShape, begin), `begin [${begin}]`);
    }
    expect(Array.from(cpu.pad(new Float32Array(0), 'float32', [0, 3], [2, 3], [1, 0]))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(cpu.pad(Int32Array.from([4]), 'int32', [1], [3], [1])).toEqual(Int32Array.from([0, 4, 0]));
  });

  it('concat along every axis, with zero-length parts and int32 data', () => {
    const shapes = [[2, 3, 4], [2, 1, 4], [2, 0, 4], [2, 5, 4]];
    const parts = shapes.map((s, k) => random(naive.size(s), 20 + k));
    expectFloat32(cpu.concat(parts, shapes, 1, 'float32'), naive.concat(parts, shapes, 1), 'axis 1');
    for (const axis of [0, 2]) {
      const sh = [[2, 3, 4], [axis === 0 ? 3 : 2, 3, axis === 2 ? 1 : 4], [axis === 0 ? 0 : 2, 3, axis === 2 ? 0 : 4]];
      const ps = sh.map((s, k) => random(naive.size(s), 30 + k));
      expectFloat32(cpu.concat(ps, sh, axis, 'float32'), naive.concat(ps, sh, axis), `axis ${axis}`);
    }
    const ints = cpu.concat([Int32Array.from([1, 2]), Int32Array.from([3])], [[2], [1]], 0, 'int32');
    expect(ints).toEqual(Int32Array.from([1, 2, 3]));
  });

  it('gather: a broadcast 1-D selection (indexSelect) and a full index (torch.gather), along every axis', () => {
    const xShape = [3, 4, 5];
    const x = random(60, 40);
    for (const axis of [0, 1, 2]) {
      // indexSelect pattern: k indices along `axis`, shape [1,…,k,…,1], repeated indices included.
      const k = 6;
      const idx = Int32Array.from({ length: k }, (_, i) => (i * 7 + 1) % xShape[axis]);
      const idxShape = xShape.map((_, d) => (d === axis ? k : 1));
      const outShape = xShape.map((v, d) => (d === axis ? k : v));
      expectFloat32(cpu.gather(x, xShape, 'float32', axis, idx, idxShape, outShape), naive.gather(x, xShape, axis, idx, idxShape, outShape), `indexSelect axis ${axis}`);
      // torch.gather pattern: an index as large as x, or smaller outside `axis`.
      const full = [2, 3, 4].map((v, d) => (d === axis ? 7 : v));
      const fidx = Int32Array.from({ length: naive.size(full) }, (_, i) => (i * 5 + 2) % xShape[axis]);
      expectFloat32(cpu.gather(x, xShape, 'float32', axis, fidx, full, full), naive.gather(x, xShape, axis, fidx, full, full), `gather axis ${axis}`);
    }
    const ints = Int32Array.from([10, 20, 30]);
    expect(cpu.gather(ints, [3], 'int32', 0, Int32Array.from([2, 2, 0]), [3], [3])).toEqual(Int32Array.from([30, 30, 10]));
  });

  it('scatterAdd: repeated indices add up, broadcast indices, and positions nothing lands on stay 0', () => {
    const outShape = [3, 4, 5];
    for (const axis of [0, 1, 2]) {
      const srcShape = [2, 3, 4].map((v, d) => (d === axis ? 9 : v));
      const src = random(naive.size(srcShape), 50 + axis);
      // Full index: only two distinct targets, so most land on the same place.
      const idx = Int32Array.from({ length: naive.size(srcShape) }, (_, i) => (i % 3 === 0 ? 0 : outShape[axis] - 1));
      expectNear(cpu.scatterAdd(src, srcShape, axis, idx, srcShape, outShape), naive.scatterAdd(src, srcShape, axis, idx, srcShape, outShape).map(Math.fround),
        `scatterAdd axis ${axis}`, { rtol: 6e-8, atol: 0 });
      // Broadcast 1-D index (indexSelect's backward).
      const sel = Int32Array.from({ length: 9 }, (_, i) => (i * 2) % outShape[axis]);
      const selShape = srcShape.map((_, d) => (d === axis ? 9 : 1));
      const full = outShape.map((v, d) => (d === axis ? 9 : v));
      const src2 = random(naive.size(full), 60 + axis);
      expectNear(cpu.scatterAdd(src2, full, axis, sel, selShape, outShape), naive.scatterAdd(src2, full, axis, sel, selShape, outShape).map(Math.fround),
        `scatterAdd broadcast axis ${axis}`, { rtol: 6e-8, atol: 0 });
    }
  });
});

describe('cpu matmul', () => {
  const all = [[false, false], [true, false], [false, true], [true, true]] as const;

  it('every transpose combination, batched, with and without bias, on 1, prime and empty sizes', () => {
    const dims: [number, number, number, number][] = [[1, 1, 1, 1], [1, 1, 29, 13], [1, 29, 1, 13], [3, 17, 13, 11], [2, 5, 3, 0], [1, 0, 4, 3], [2, 67, 71, 73]];
    dims.forEach(([batch, m, n, k], c) => {
      const a = random(batch * m * k, 70 + c), b = random(batch * k * n, 80 + c), bias = random(n, 90 + c);
      for (const [ta, tb] of all) {
        for (const withBias of [false, true]) {
          const got = cpu.matmul(a, b, batch, m, n, k, ta, tb, withBias ? bias : null);
          const want = naive.matmul(a, b, batch, m, n, k, ta, tb, withBias ? bias : null);
          const bound = productBound(naive.matmul(abs(a), abs(b), batch, m, n, k, ta, tb, withBias ? abs(bias) : null), k + 1);
          expectNear(got, want, `matmul ${batch}×[${m}×${k}]@[${k}×${n}] transA=${ta} transB=${tb} bias=${withBias}`, { rtol: 0, atol: 0, bound });
        }
      }
    });
  });
});

describe('cpu softmax', () => {
  const layouts = [{ outer: 4, n: 10, inner: 1 }, { outer: 3, n: 5, inner: 7 }, { outer: 1, n: 1, inner: 3 }, { outer: 2, n: 1009, inner: 1 }];

  it('softmax and log-softmax along the middle axis match the float64 formula, for logits up to ±1000', () => {
    layouts.forEach((l, c) => {
      const size = l.outer * l.n * l.inner;
      for (const [lo, hi] of [[-3, 3], [-1000, 1000]]) {
        const x = random(size, 100 + c, lo, hi);
        expectNear(cpu.softmax(x, l, false), naive.softmax(x, l.outer, l.n, l.inner, false), `softmax ${JSON.stringify(l)} ±${hi}`, { rtol: 1e-6, atol: 1e-30 });
        expectNear(cpu.softmax(x, l, true), naive.softmax(x, l.outer, l.n, l.inner, true), `logSoftmax ${JSON.stringify(l)} ±${hi}`, { rtol: 1e-6, atol: 1e-6 });
      }
    });
  });

  it('−∞ logits get probability 0 (log −∞); an all −∞ row is NaN, as in PyTorch', () => {
    const x = Float32Array.from([-Infinity, 0, 0, -Infinity, -Infinity, -Infinity]);
    const p = cpu.softmax(x, { outer: 2, n: 3, inner: 1 }, false);
    expect(Array.from(p)).toEqual([0, 0.5, 0.5, NaN, NaN, NaN]);
    const lp = cpu.softmax(x, { outer: 2, n: 3, inner: 1 }, true);
    expectNear(lp, [-Infinity, -Math.LN2, -Math.LN2, NaN, NaN, NaN], 'log');
  });

  it('softmaxGrad equals the Jacobian-vector product, for softmax and log-softmax', () => {
    layouts.slice(0, 3).forEach((l, c) => {
      const size = l.outer * l.n * l.inner;
      const x = random(size, 110 + c, -3, 3), dy = random(size, 120 + c);
      for (const log of [false, true]) {
        const y = cpu.softmax(x, l, log);
        expectNear(cpu.softmaxGrad(y, dy, l, log), naive.softmaxGrad(y, dy, l.outer, l.n, l.inner, log), `softmaxGrad log=${log} ${JSON.stringify(l)}`, { rtol: 1e-5, atol: 1e-6 });
      }
    });
  });
});

function conv(spec: Omit<Conv2dGeometry, 'oh' | 'ow'>): Conv2dGeometry {
  return { ...spec, oh: naive.outLength(spec.h, spec.kh, spec.stride, spec.padding), ow: naive.outLength(spec.w, spec.kw, spec.stride, spec.padding) };
}

function pool(spec: Omit<Pool2dGeometry, 'oh' | 'ow'>): Pool2dGeometry {
  return { ...spec, oh: naive.outLength(spec.h, spec.kernel, spec.stride, 0), ow: naive.outLength(spec.w, spec.kernel, spec.stride, 0) };
}

describe('cpu conv2d and maxPool2d', () => {
  const specs = [
    { n: 2, c: 3, h: 7, w: 5, o: 4, kh: 3, kw: 3, stride: 1, padding: 0 },
    { n: 1, c: 2, h: 11, w: 13, o: 3, kh: 3, kw: 2, stride: 2, padding: 1 },   // non-square kernel, stride 2
    { n: 3, c: 1, h: 5, w: 5, o: 2, kh: 3, kw: 3, stride: 3, padding: 2 },     // padding past the kernel's reach
    { n: 2, c: 5, h: 3, w: 7, o: 1, kh: 1, kw: 1, stride: 1, padding: 0 },     // 1×1
    { n: 1, c: 1, h: 4, w: 4, o: 1, kh: 4, kw: 4, stride: 1, padding: 0 },     // one output pixel
    { n: 1, c: 1, h: 1, w: 1, o: 1, kh: 1, kw: 1, stride: 1, padding: 0 },
  ].map(conv);

  it('forward (with and without bias), input and weight gradients match the definition', () => {
    specs.forEach((g, c) => {
      const label = JSON.stringify(g);
      const x = random(g.n * g.c * g.h * g.w, 200 + c), w = random(g.o * g.c * g.kh * g.kw, 210 + c);
      const bias = random(g.o, 220 + c), dy = random(g.n * g.o * g.oh * g.ow, 230 + c);
      const terms = g.c * g.kh * g.kw + 1;
      for (const b of [bias, null]) {
        const bound = productBound(naive.conv2d(abs(x), abs(w), b ? abs(b) : null, g), terms);
        expectNear(cpu.conv2d(x, w, b, g), naive.conv2d(x, w, b, g), `${label} forward bias=${!!b}`, { rtol: 0, atol: 0, bound });
      }
      const want = naive.conv2dGrads(dy, x, w, g);
      const absGrads = naive.conv2dGrads(abs(dy), abs(x), abs(w), g);
      expectNear(cpu.conv2dGradInput(dy, w, g), want.dx, `${label} dx`, { rtol: 0, atol: 0, bound: productBound(absGrads.dx, g.o * g.kh * g.kw) });
      const dwBound = productBound(absGrads.dw, g.n * g.oh * g.ow);
      expectNear(cpu.conv2dGradWeight(dy, x, g), want.dw, `${label} dw`, { rtol: 0, atol: 0, bound: dwBound });
      // With a workspace the forward leaves its unrolled input for the weight gradient: same answer.
      const ws = {};
      cpu.conv2d(x, w, bias, g, ws);
      expectNear(cpu.conv2dGradWeight(dy, x, g, ws), want.dw, `${label} dw from the workspace`, { rtol: 0, atol: 0, bound: dwBound });
    });
  });

  it('maxPool2d: first maximum of each window (ties), NaN wins, overlapping and gapped windows; the gradient lands on it', () => {
    const pools = [
      { n: 2, c: 3, h: 9, w: 8, kernel: 2, stride: 2 },
      { n: 1, c: 2, h: 7, w: 7, kernel: 3, stride: 2 },   // overlapping: gradients add up
      { n: 1, c: 2, h: 7, w: 11, kernel: 2, stride: 3 },  // gaps between windows
      { n: 1, c: 1, h: 5, w: 5, kernel: 5, stride: 1 },
      { n: 1, c: 1, h: 1, w: 1, kernel: 1, stride: 1 },
    ].map(pool);
    pools.forEach((g, c) => {
      const x = randomInts(g.n * g.c * g.h * g.w, 300 + c, -2, 2);
      if (x.length > 10) { x[3] = NaN; x[x.length - 2] = NaN; }
      const got = cpu.maxPool2d(x, g), want = naive.maxPool2d(x, g);
      expect(Array.from(got.values), `values ${JSON.stringify(g)}`).toEqual(want.values);
      expect(Array.from(got.argmax), `argmax ${JSON.stringify(g)}`).toEqual(want.argmax);
      const dy = random(g.n * g.c * g.oh * g.ow, 310 + c);
      // Overlapping windows add in float32: up to kernel² terms per input.
      const bound = productBound(naive.maxPool2dGrad(abs(dy), want.argmax, g), g.kernel * g.kernel);
      expectNear(cpu.maxPool2dGrad(dy, got.argmax, g), naive.maxPool2dGrad(dy, want.argmax, g), `grad ${JSON.stringify(g)}`, { rtol: 0, atol: 0, bound });
    });
  });
});

describe('cpu upload', () => {
  it('keeps host arrays of every dtype as they are', () => {
    for (const [a, d] of [[new Float32Array(2), 'float32'], [new Int32Array(2), 'int32'], [new Uint8Array(2), 'bool']] as [Float32Array, DType][]) {
      expect(cpu.upload(a), d).toBe(a);
    }
  });
});

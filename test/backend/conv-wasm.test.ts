/**
 * The WebAssembly convolution kernels against float64 direct loops (the definition, written
 * independently of im2col), on awkward geometries, alone and with images shared among threads.
 */
import { describe, expect, it } from 'vitest';
import type { Conv2dGeometry } from '../../src/backend/nn-kernels.ts';
import { conv2dGradInputWasm, conv2dGradParamsWasm, conv2dGradWeightWasm, conv2dWasm } from '../../src/backend/cpu/conv-wasm.ts';
import { createWasmGemm } from '../../src/backend/cpu/gemm-wasm.ts';
import { chunking } from '../../src/backend/cpu/wasm-tasks.ts';
import type { TaskOptions } from '../../src/backend/cpu/wasm-tasks.ts';

/** Deterministic values in [-1, 1) (an LCG; tests must not depend on Math.random). */
function random(size: number, seed: number): Float32Array {
  const x = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

function geometry(n: number, c: number, h: number, w: number, o: number, kh: number, kw: number, stride: number, padding: number): Conv2dGeometry {
  const oh = Math.floor((h + 2 * padding - kh) / stride) + 1;
  const ow = Math.floor((w + 2 * padding - kw) / stride) + 1;
  return { n, c, h, w, o, kh, kw, stride, padding, oh, ow };
}

/** Calls f(n, oc, oy, ox, ci, i, j, xIndex) for every tap of the convolution that reads the input. */
function forEachTap(g: Conv2dGeometry, f: (yIndex: number, xIndex: number, wIndex: number) => void): void {
  for (let n = 0; n < g.n; n++) for (let oc = 0; oc < g.o; oc++) for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
    const yIndex = ((n * g.o + oc) * g.oh + oy) * g.ow + ox;
    for (let ci = 0; ci < g.c; ci++) for (let i = 0; i < g.kh; i++) for (let j = 0; j < g.kw; j++) {
      const iy = oy * g.stride - g.padding + i, ix = ox * g.stride - g.padding + j;
      if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
      f(yIndex, ((n * g.c + ci) * g.h + iy) * g.w + ix, ((oc * g.c + ci) * g.kh + i) * g.kw + j);
    }
  }
}

function refForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, g: Conv2dGeometry): Float64Array {
  const y = new Float64Array(g.n * g.o * g.oh * g.ow);
  if (bias) for (let i = 0; i < y.length; i++) y[i] = bias[Math.floor(i / (g.oh * g.ow)) % g.o];
  forEachTap(g, (yi, xi, wi) => { y[yi] += x[xi] * w[wi]; });
  return y;
}

function refGradInput(dy: Float32Array, w: Float32Array, g: Conv2dGeometry): Float64Array {
  const dx = new Float64Array(g.n * g.c * g.h * g.w);
  forEachTap(g, (yi, xi, wi) => { dx[xi] += dy[yi] * w[wi]; });
  return dx;
}

function refGradWeight(dy: Float32Array, x: Float32Array, g: Conv2dGeometry): Float64Array {
  const dw = new Float64Array(g.o * g.c * g.kh * g.kw);
  forEachTap(g, (yi, xi, wi) => { dw[wi] += dy[yi] * x[xi]; });
  return dw;
}

/** db[o] = Σ dy[n, o, ·, ·] in float64. */
function refBias(dy: Float32Array, g: Conv2dGeometry): Float64Array {
  const db = new Float64Array(g.o), p = g.oh * g.ow;
  for (let i = 0; i < dy.length; i++) db[Math.floor(i / p) % g.o] += dy[i];
  return db;
}

/** Relative error against float64, scaled by the number of terms summed (float32 rounding grows with it). */
function expectClose(actual: Float32Array | null, expected: Float64Array, terms: number, what: string): void {
  expect(actual, `${what}: the wasm kernel did not run`).not.toBeNull();
  expect(actual!.length).toBe(expected.length);
  const tol = 2e-6 * Math.max(8, terms);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual![i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (!(err <= tol)) throw new Error(`${what}: element ${i} is ${actual![i]}, expected ${expected[i]} (tolerance ${tol})`);
  }
}

// [n, c, h, w, o, kh, kw, stride, padding]: one image, primes, output widths on every tail of
// the 4-float vector and of the 8-column tile (im2col writes the tile's packed layout, with a
// vector path for rows of whole tiles), kernels wider than tall, 1×1 with and without the
// no-unrolling shortcut, k = C·kH·kW across the GEMM's 256 k-block, o not a multiple of the
// 4-row tile.
const GEOMETRIES: number[][] = [
  [1, 1, 5, 5, 1, 3, 3, 1, 0],
  [1, 1, 1, 1, 1, 1, 1, 1, 0],
  [2, 3, 7, 6, 4, 3, 3, 1, 1],
  [3, 2, 9, 8, 5, 3, 2, 2, 1],
  [7, 3, 11, 13, 9, 5, 5, 1, 2],
  [5, 4, 5, 5, 3, 5, 5, 3, 2],
  [3, 5, 7, 7, 6, 1, 1, 1, 0],   // pointwise: the image is its own cols
  [3, 5, 7, 7, 6, 1, 1, 2, 0],   // 1×1 but strided: unrolled
  [2, 30, 6, 7, 7, 3, 3, 1, 1],  // K = 270 > 256
  [4, 1, 28, 28, 8, 5, 5, 1, 0], // the bench CNN's first layer
  [3, 8, 12, 12, 16, 5, 5, 1, 0],
  [2, 2, 6, 9, 3, 2, 4, 1, 3],   // padding wider than the kernel: some outputs read only zeros
  [2, 3, 8, 8, 5, 3, 3, 1, 1],   // output rows of whole 8-wide slivers, edges in the padding
  [2, 29, 10, 16, 6, 3, 3, 1, 1], // the same with K = 261 across the 256 k-block
  [3, 4, 12, 19, 10, 3, 3, 2, 1], // strided, 8-wide output rows
  [2, 3, 8, 8, 5, 5, 5, 1, 2],   // k = 75: whole-sliver rows written sliver by sliver, edges in the padding
  // Stride 1 without padding: the forward reads cols from the image (no im2col), k-block by k-block.
  [2, 1, 28, 28, 32, 3, 3, 1, 0], // the MNIST CNN's first layer: 26-wide rows end in a 2-wide sliver
  [3, 2, 10, 13, 5, 3, 4, 1, 0],  // 10-wide rows, o = 5 (a ragged tile of rows), a 3×4 kernel
  [2, 28, 5, 5, 6, 3, 3, 1, 0],   // k = 252: one k-block
  [2, 29, 5, 5, 6, 3, 3, 1, 0],   // k = 261: a whole k-block and 5 taps
  [2, 32, 12, 12, 9, 5, 5, 1, 0], // k = 800 (npm run mnist's second conv): three whole k-blocks and 32 taps
  // Stride 1 with padding: the forward and the weight gradient read a zero-padded copy.
  [2, 3, 32, 32, 16, 3, 3, 1, 1], // a CIFAR net's first layer: 32-wide rows, four whole slivers
  [3, 16, 9, 9, 12, 3, 3, 1, 1],  // 9-wide rows: a sliver and a 1-wide tail, o = 12
  [2, 3, 5, 6, 4, 1, 1, 1, 1],    // 1×1 with padding: not pointwise, the border outputs are bias alone
  [2, 5, 4, 7, 3, 3, 5, 1, 2],    // a 3×5 kernel, padding 2: the tail sliver reads past the padded image
];

const kernel1 = createWasmGemm({ threads: 1 });
const kernel3 = createWasmGemm({ threads: 3 });
const RUNS: [string, TaskOptions][] = [
  ['one thread', { kernel: kernel1 }],
  ['three threads', { kernel: kernel3, threaded: true }],
];

describe('wasm conv2d kernels match float64 direct loops', () => {
  for (const dims of GEOMETRIES) {
    const g = geometry(...(dims as [number, number, number, number, number, number, number, number, number]));
    const seed = dims.reduce((a, b) => a * 31 + b, 7);
    const x = random(g.n * g.c * g.h * g.w, seed), w = random(g.o * g.c * g.kh * g.kw, seed + 1);
    const bias = random(g.o, seed + 2), dy = random(g.n * g.o * g.oh * g.ow, seed + 3);
    const k = g.c * g.kh * g.kw;
    for (const [label, options] of RUNS) {
      it(`${JSON.stringify(dims)} (${label})`, () => {
        expectClose(conv2dWasm(x, w, bias, g, options), refForward(x, w, bias, g), k, 'forward with bias');
        expectClose(conv2dWasm(x, w, null, g, options), refForward(x, w, null, g), k, 'forward');
        expectClose(conv2dWasm(x, w, bias, g, options, true), refForward(x, w, bias, g).map((v) => Math.max(v, 0)), k, 'forward through ReLU');
        expectClose(conv2dGradInputWasm(dy, w, g, options), refGradInput(dy, w, g), g.o * k, 'input gradient');
        expectClose(conv2dGradWeightWasm(dy, x, g, options), refGradWeight(dy, x, g), g.n * g.oh * g.ow, 'weight gradient');
        // The parameter gradients at once, after a fused ReLU whose output is y (about half
        // zeros): dy·[y > 0] exactly, dw and db from it; and without the ReLU, db = Σ dy.
        const y = random(dy.length, seed + 4).map((v) => Math.max(v, 0));
        const masked = dy.map((v, i) => v * (y[i] > 0 ? 1 : 0));
        const fused = conv2dGradParamsWasm(dy, x, g, { bias: true, reluOutput: y, keepMaskedDy: true }, options)!;
        expect(fused.dy).toEqual(masked);
        expectClose(fused.weight, refGradWeight(masked, x, g), g.n * g.oh * g.ow, 'weight gradient after the ReLU');
        expectClose(fused.bias, refBias(masked, g), g.n * g.oh * g.ow, 'bias gradient after the ReLU');
        const plain = conv2dGradParamsWasm(dy, x, g, { bias: true, reluOutput: null, keepMaskedDy: false }, options)!;
        expect(plain.dy).toBe(dy);
        expectClose(plain.weight, refGradWeight(dy, x, g), g.n * g.oh * g.ow, 'weight gradient with the bias');
        expectClose(plain.bias, refBias(dy, g), g.n * g.oh * g.ow, 'bias gradient');
        const noBias = conv2dGradParamsWasm(dy, x, g, { bias: false, reluOutput: y, keepMaskedDy: false }, options)!;
        expect(noBias.bias).toBeNull();
        expect(noBias.dy).toBe(dy);
        expectClose(noBias.weight, refGradWeight(masked, x, g), g.n * g.oh * g.ow, 'weight gradient after the ReLU, no bias');
      });
    }
  }

  it('share images among worker threads and still sum the weight gradient once', () => {
    // Workers start in the background and may be slow to get a core, so the first jobs may
    // be done by the caller alone. Repeat (checking every result) until workers took part.
    const g = geometry(9, 8, 12, 12, 16, 3, 3, 1, 1); // 166K multiply-adds an image: a chunk each
    const x = random(g.n * g.c * g.h * g.w, 11), w = random(g.o * g.c * 9, 12), dy = random(g.n * g.o * g.oh * g.ow, 13);
    const kernel = createWasmGemm({ threads: 2 });
    const fwd = refForward(x, w, null, g), dx = refGradInput(dy, w, g), dw = refGradWeight(dy, x, g);
    const deadline = Date.now() + 60_000;
    do {
      expectClose(conv2dWasm(x, w, null, g, { kernel, threaded: true }), fwd, 72, 'forward');
      expectClose(conv2dGradInputWasm(dy, w, g, { kernel, threaded: true }), dx, 16 * 72, 'input gradient');
      expectClose(conv2dGradWeightWasm(dy, x, g, { kernel, threaded: true }), dw, 9 * 144, 'weight gradient');
    } while (kernel.stats.chunks === kernel.stats.callerChunks && Date.now() < deadline);
    expect(kernel.stats.chunks - kernel.stats.callerChunks).toBeGreaterThan(0);
  });

  it('stay correct when a job follows a GEMM on the same threads, and the other way round', () => {
    const g = geometry(4, 3, 9, 9, 6, 3, 3, 1, 0);
    const x = random(g.n * g.c * g.h * g.w, 21), w = random(g.o * g.c * 9, 22);
    const a = random(300 * 200, 23), b = random(200 * 150, 24), c = new Float32Array(300 * 150);
    for (let r = 0; r < 5; r++) {
      expect(kernel3.run(a, b, c, 300, 150, 200, false, false, false)).toBe(true);
      expectClose(conv2dWasm(x, w, null, g, { kernel: kernel3, threaded: true }), refForward(x, w, null, g), 27, 'forward');
    }
    expect(c[0]).toBeCloseTo(Array.from({ length: 200 }, (_, p) => a[p] * b[p * 150]).reduce((s, v) => s + v, 0), 3);
  });
});

describe('chunking', () => {
  it('gives one item per chunk up to the ticket limit of 65535 chunks, then several', () => {
    expect(chunking(1)).toEqual({ perChunk: 1, chunks: 1 });
    expect(chunking(64)).toEqual({ perChunk: 1, chunks: 64 });
    expect(chunking(65535)).toEqual({ perChunk: 1, chunks: 65535 });
    expect(chunking(65536)).toEqual({ perChunk: 2, chunks: 32768 });
    expect(chunking(200_001)).toEqual({ perChunk: 4, chunks: 50_001 });
  });

  it('puts enough items in a chunk to make the minimum work, the last chunk taking the rest', () => {
    expect(chunking(2048, 576, 32768)).toEqual({ perChunk: 57, chunks: 36 });
    expect(chunking(64, 1e6, 65536)).toEqual({ perChunk: 1, chunks: 64 });
    expect(chunking(7, 100, 1000)).toEqual({ perChunk: 7, chunks: 1 });
    expect(chunking(7, 0, 1000)).toEqual({ perChunk: 7, chunks: 1 });
    expect(chunking(0, 10, 1000)).toEqual({ perChunk: 1, chunks: 0 });
  });
});

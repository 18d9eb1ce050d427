/**
 * The WebAssembly max-pooling kernel against the TypeScript one (the plain reference, a
 * direct sweep over the windows): identical values and argmax on every tail of the 4-output
 * SIMD path, overlapping windows, ties and NaNs, alone and shared among threads.
 */
import { describe, expect, it } from 'vitest';
import type { Pool2dGeometry } from '../../src/backend/nn-kernels.ts';
import { maxPool2dTs } from '../../src/backend/cpu/pool.ts';
import { maxPool2dWasm } from '../../src/backend/cpu/pool-wasm.ts';
import { createWasmGemm } from '../../src/backend/cpu/gemm-wasm.ts';
import type { TaskOptions } from '../../src/backend/cpu/wasm-tasks.ts';

function geometry(n: number, c: number, h: number, w: number, kernel: number, stride: number): Pool2dGeometry {
  return { n, c, h, w, kernel, stride, oh: Math.floor((h - kernel) / stride) + 1, ow: Math.floor((w - kernel) / stride) + 1 };
}

/** Deterministic values, with few distinct levels so windows often hold ties. */
function levels(size: number, seed: number, distinct: number): Float32Array {
  const x = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s % distinct) - distinct / 2;
  }
  return x;
}

function expectSame(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

// [n, c, h, w, kernel, stride]: 2×2/2 with output widths 1–9 (every tail of the 4-wide SIMD
// path) and odd sizes (a dropped last row and column), overlapping and generic windows.
const GEOMETRIES: number[][] = [
  [1, 1, 2, 2, 2, 2], [1, 1, 4, 6, 2, 2], [2, 3, 5, 7, 2, 2], [1, 2, 8, 8, 2, 2],
  [3, 1, 6, 10, 2, 2], [1, 1, 12, 12, 2, 2], [2, 2, 7, 14, 2, 2], [1, 1, 3, 16, 2, 2], [1, 1, 2, 19, 2, 2],
  [2, 3, 24, 24, 2, 2], [1, 5, 9, 9, 3, 2], [2, 2, 7, 8, 3, 1], [1, 3, 6, 6, 2, 1], [3, 2, 11, 13, 3, 3],
  [1, 1, 5, 5, 5, 1], [7, 13, 4, 4, 1, 1],
  [8, 33, 24, 24, 2, 2], [5, 31, 27, 25, 3, 2], // big enough to be cut into several chunks
];

const RUNS: [string, TaskOptions][] = [
  ['one thread', { kernel: createWasmGemm({ threads: 1 }) }],
  ['three threads', { kernel: createWasmGemm({ threads: 3 }), threaded: true }],
];

describe('wasm maxPool2d matches the TypeScript kernel', () => {
  for (const dims of GEOMETRIES) {
    const g = geometry(...(dims as [number, number, number, number, number, number]));
    const seed = dims.reduce((a, b) => a * 31 + b, 3);
    const x = levels(g.n * g.c * g.h * g.w, seed, 5);
    for (const [label, options] of RUNS) {
      it(`${JSON.stringify(dims)} (${label})`, () => {
        const ref = maxPool2dTs(x, g);
        const got = maxPool2dWasm(x, g, options);
        expect(got).not.toBeNull();
        expectSame(got!.values, ref.values, 'values');
        expectSame(got!.argmax, ref.argmax, 'argmax');
      });
    }
  }

  it('shares planes among worker threads', () => {
    // As for conv: repeat, checking every result, until a worker took a chunk.
    const g = geometry(8, 33, 24, 24, 2, 2);
    const x = levels(g.n * g.c * g.h * g.w, 5, 7);
    const ref = maxPool2dTs(x, g);
    const kernel = createWasmGemm({ threads: 2 });
    const deadline = Date.now() + 60_000;
    do {
      const got = maxPool2dWasm(x, g, { kernel, threaded: true })!;
      expectSame(got.values, ref.values, 'values');
      expectSame(got.argmax, ref.argmax, 'argmax');
    } while (kernel.stats.chunks === kernel.stats.callerChunks && Date.now() < deadline);
    expect(kernel.stats.chunks - kernel.stats.callerChunks).toBeGreaterThan(0);
  });

  it('let a NaN win its window (the first NaN), and leave the other windows alone', () => {
    const g = geometry(1, 1, 2, 10, 2, 2);
    // Windows: [NaN first], [NaN after a number], [two NaNs], [numbers with a tie], [-Infinity].
    const x = Float32Array.from([
      NaN, 1, 5, NaN, NaN, NaN, 3, 3, -Infinity, -Infinity,
      2, 0, 7, 6, 1, NaN, 3, 1, -Infinity, -Infinity,
    ]);
    for (const [, options] of RUNS) {
      const ref = maxPool2dTs(x, g), got = maxPool2dWasm(x, g, options)!;
      expectSame(got.values, ref.values, 'values');
      expectSame(got.argmax, ref.argmax, 'argmax');
      expectSame(got.argmax, Float32Array.from([0, 3, 4, 6, 8]), 'argmax by hand');
    }
  });
});

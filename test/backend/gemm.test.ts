import { describe, expect, it } from 'vitest';
import { gemm } from '../../src/backend/cpu/gemm.ts';
import { gemmBlocked } from '../../src/backend/cpu/gemm-js.ts';
import { createWasmGemm, wasmGemm, type WasmGemmOptions } from '../../src/backend/cpu/gemm-wasm.ts';

type Gemm = (a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, n: number, k: number, transA: boolean, transB: boolean, accumulate: boolean) => void;
const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

/** Deterministic uniform values in [-1, 1) (a small LCG; tests must not depend on Math.random). */
function random(size: number, seed: number): Float32Array {
  const x = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

/** The definition, in float64: C[i][j] (+)= Σ_p op(A)[i][p] · op(B)[p][j]. */
function reference(
  a: Float32Array, b: Float32Array, c0: Float32Array | null,
  m: number, n: number, k: number, transA: boolean, transB: boolean,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = c0 ? c0[i * n + j] : 0;
      for (let p = 0; p < k; p++) {
        sum += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      }
      c[i * n + j] = sum;
    }
  }
  return c;
}

/** Runs f on random operands and checks it against the reference, relative tolerance 1e-4. */
function check(
  f: Gemm, m: number, n: number, k: number, transA: boolean, transB: boolean, accumulate = false,
): void {
  const seed = m * 7919 + n * 104729 + k * 13 + (transA ? 1 : 0) + (transB ? 2 : 0);
  const a = random(m * k, seed), b = random(k * n, seed + 1);
  const c = accumulate ? random(m * n, seed + 2) : new Float32Array(m * n).fill(Number.NaN);
  const expected = reference(a, b, accumulate ? c.slice() : null, m, n, k, transA, transB);
  f(a, b, c, m, n, k, transA, transB, accumulate);
  let worst = 0, at = -1;
  for (let i = 0; i < m * n; i++) {
    const err = Math.abs(c[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (!(err <= worst)) { worst = err; at = i; }  // also catches NaN
  }
  const where = `${m}×${n}×${k} transA=${transA} transB=${transB} accumulate=${accumulate}`;
  expect(worst, `${where}: worst error at C[${at}]: ${c[at]} vs ${expected[at]}`).toBeLessThan(1e-4);
}

// [m, n, k]: degenerate shapes, primes, and sizes that cross the kernel's tile
// (4×8), block (MC=128, KC=256, NC=2048) and threading boundaries.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [2, 3, 4], [1, 1, 100], [1, 77, 33], [77, 1, 33], [50, 60, 1],
  [37, 53, 71], [4, 8, 16], [5, 9, 17], [31, 33, 29],
  [64, 128, 784],           // an MLP layer
  [8, 2304, 25],            // an im2col convolution: [8 × 25] @ [25 × 48·48]
  [129, 130, 257],          // one past each block size
  [300, 200, 150],          // threaded, split by rows
  [100, 333, 300],          // threaded, split by columns
  [6, 4100, 7],             // three column blocks of NC
];

describe('gemm', () => {
  it('uses the WebAssembly kernel (run `npm run build:wasm` if this fails)', () => {
    expect(wasmGemm()).not.toBeNull();
  });

  for (const [m, n, k] of SHAPES) {
    it(`matches the float64 reference at ${m}×${n}×${k}, all transposes`, () => {
      for (const [ta, tb] of TRANS) check(gemm, m, n, k, ta, tb);
    });
  }

  it('accumulates into C', () => {
    for (const [m, n, k] of [[3, 5, 7], [37, 53, 71], [300, 200, 150], [40, 600, 300]] as const) {
      for (const [ta, tb] of TRANS) check(gemm, m, n, k, ta, tb, true);
    }
  });

  it('multiplies 512×512×512 (blocked, threaded, ragged k-blocks nowhere)', () => {
    check(gemm, 512, 512, 512, false, false);
    check(gemm, 512, 512, 512, true, true, true);
  });

  it('stays correct over many back-to-back threaded calls of changing shape', () => {
    // Exercises the hand-off of jobs between threads: a stale claim would show
    // up as a wrong or missing slab of C.
    for (let r = 0; r < 40; r++) {
      const m = 96 + ((r * 37) % 160), n = 96 + ((r * 53) % 160), k = 64 + ((r * 29) % 200);
      check(gemm, m, n, k, r % 2 === 1, r % 3 === 1, r % 4 === 3);
    }
  });

  it('treats k = 0 as an empty sum and m = 0 or n = 0 as a no-op', () => {
    const c = new Float32Array([1, 2, 3, 4, 5, 6]);
    gemm(new Float32Array(0), new Float32Array(0), c, 2, 3, 0, false, false, true);
    expect(Array.from(c)).toEqual([1, 2, 3, 4, 5, 6]);
    gemm(new Float32Array(0), new Float32Array(0), c, 2, 3, 0, false, false);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    const untouched = new Float32Array([7]);
    gemm(new Float32Array(0), new Float32Array(5), untouched, 0, 5, 1, false, false);
    expect(untouched[0]).toBe(7);
  });

  it('works on subarrays (batched use) without touching neighbouring data', () => {
    const [m, n, k] = [70, 90, 110];
    const a = random(3 * m * k, 1), b = random(3 * k * n, 2);
    const c = new Float32Array(3 * m * n).fill(42);
    gemm(a.subarray(m * k, 2 * m * k), b.subarray(k * n, 2 * k * n), c.subarray(m * n, 2 * m * n),
      m, n, k, false, false);
    const expected = reference(a.subarray(m * k, 2 * m * k), b.subarray(k * n, 2 * k * n), null, m, n, k, false, false);
    for (let i = 0; i < m * n; i++) expect(Math.abs(c[m * n + i] - expected[i])).toBeLessThan(1e-4 * (1 + Math.abs(expected[i])));
    expect(c.subarray(0, m * n).every((v) => v === 42)).toBe(true);
    expect(c.subarray(2 * m * n).every((v) => v === 42)).toBe(true);
  });

  it('names the operand and the sizes when an array is too short', () => {
    expect(() => gemm(new Float32Array(5), new Float32Array(12), new Float32Array(8), 2, 4, 3, false, false))
      .toThrow(/gemm: a has 5 elements, needs 6 \(m=2, n=4, k=3\)/);
    expect(() => gemm(new Float32Array(6), new Float32Array(12), new Float32Array(8), 2, 4, -3, false, false))
      .toThrow(RangeError);
  });
});

describe('WebAssembly kernel builds and thread counts', () => {
  // gemm() above runs the default build; these pin each build and thread count
  // directly, bypassing the small-size shortcut.
  const variants: [string, WasmGemmOptions][] = [
    ['mul+add build, 1 thread', { relaxed: false, threads: 1 }],
    ['mul+add build, 2 threads', { relaxed: false, threads: 2 }],
    ['default build, 3 threads', { threads: 3 }],
  ];
  for (const [label, options] of variants) {
    it(`${label} matches the float64 reference`, () => {
      const kernel = createWasmGemm(options);
      const f: Gemm = (a, b, c, m, n, k, ta, tb, acc) => {
        expect(kernel.run(a, b, c, m, n, k, ta, tb, acc)).toBe(true);
      };
      for (const [m, n, k] of [[1, 1, 1], [3, 5, 2], [37, 53, 71], [300, 200, 150], [100, 333, 300]] as const) {
        for (const [ta, tb] of TRANS) check(f, m, n, k, ta, tb, ta !== (m % 2 === 0));
      }
    });
  }
});

describe('worker threads', () => {
  it('take part in big products', () => {
    // Workers start in the background while the caller already computes, so
    // the first products may be done by the caller alone; on a busy machine
    // a worker may also wait a while for a core. Retry until one helps.
    const kernel = createWasmGemm({ threads: 2, adaptive: false });
    const n = 256, a = random(n * n, 5), b = random(n * n, 6), c = new Float32Array(n * n);
    const deadline = Date.now() + 60_000;
    while (kernel.stats.chunks === kernel.stats.callerChunks && Date.now() < deadline) {
      kernel.run(a, b, c, n, n, n, false, false, false);
    }
    expect(kernel.stats.jobs).toBeGreaterThan(0);
    expect(kernel.stats.chunks - kernel.stats.callerChunks).toBeGreaterThan(0);
  });
});

describe('TypeScript gemm (tiny products, and the fallback)', () => {
  it('gemmBlocked matches the float64 reference', () => {
    for (const [m, n, k] of [[1, 1, 1], [2, 2, 2], [1, 40, 9], [37, 53, 71], [6, 600, 140], [130, 5, 300]] as const) {
      for (const [ta, tb] of TRANS) {
        check(gemmBlocked, m, n, k, ta, tb);
        check(gemmBlocked, m, n, k, ta, tb, true);
      }
    }
  });
});

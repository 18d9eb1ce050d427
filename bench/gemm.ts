// Matrix-multiply throughput of the cpu backend's gemm().
//
//   npx tsx bench/gemm.ts               square sizes + shapes the framework uses
//   npx tsx bench/gemm.ts --crossover   plain-JS loops vs the wasm kernel, small sizes
//   npx tsx bench/gemm.ts --threads     one thread vs two, around the threading threshold
//   TSGRAD_THREADS=1 npx tsx bench/gemm.ts       single-threaded
//   TSGRAD_RELAXED_SIMD=0 npx tsx bench/gemm.ts  without fused multiply-add
//
// Each figure is the median of several timed runs after warm-up runs (which
// also let V8 tier the wasm up from its baseline compiler).
import { availableParallelism, loadavg } from 'node:os';
import { gemm } from '../src/backend/cpu/gemm.ts';
import { gemmBlocked } from '../src/backend/cpu/gemm-js.ts';
import { createWasmGemm, wasmGemm, type WasmGemm } from '../src/backend/cpu/gemm-wasm.ts';

type Gemm = (a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, n: number, k: number, transA: boolean, transB: boolean, accumulate: boolean) => void;

function random(size: number): Float32Array {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) x[i] = Math.random() * 2 - 1;
  return x;
}

/** Median GFLOPS of `f` on an m×n×k product, timing batches of at least ~20 ms. */
function measure(f: Gemm, m: number, n: number, k: number, transA = false, transB = false): number {
  const a = random(m * k), b = random(k * n), c = new Float32Array(m * n);
  const once = (): void => f(a, b, c, m, n, k, transA, transB, false);
  // Warm-up: double the batch until one batch takes 20 ms.
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) once();
    if (performance.now() - t0 >= 20) break;
    reps *= 2;
  }
  const times: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) once();
    times.push((performance.now() - t0) / reps);
  }
  times.sort((x, y) => x - y);
  return (2 * m * n * k) / (times[times.length >> 1] * 1e6);
}

const fmt = (g: number): string => g.toFixed(2).padStart(7);

const via = (wasm: WasmGemm | null): Gemm => {
  if (wasm === null) throw new Error('bench: the wasm kernel is not built (npm run build:wasm)');
  return (a, b, c, m, n, k, ta, tb, acc) => { wasm.run(a, b, c, m, n, k, ta, tb, acc); };
};

if (process.argv.includes('--threads')) {
  const one = via(createWasmGemm({ threads: 1 }));
  const two = via(createWasmGemm({ threads: 2, minThreadedMacs: 0, adaptive: false }));
  console.log('          m×n×k   1 thread  2 threads   (GFLOPS)');
  for (const [m, n, k] of [[32, 32, 32], [64, 64, 64], [96, 96, 96], [128, 128, 64], [128, 128, 128],
    [192, 192, 192], [256, 256, 256], [64, 128, 784], [8, 4608, 25]]) {
    console.log(`${`${m}×${n}×${k}`.padStart(15)} ${fmt(measure(one, m, n, k))}    ${fmt(measure(two, m, n, k))}`);
  }
} else if (process.argv.includes('--crossover')) {
  const viaWasm = via(wasmGemm());
  // The plain i-p-j loops gemm-js.ts once had, kept here as the baseline.
  const loops: Gemm = (a, b, c, m, n, k) => {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) c[i * n + j] = 0;
      for (let p = 0; p < k; p++) {
        const aip = a[i * k + p];
        for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
      }
    }
  };
  console.log('   size    JS loops  JS blocked   wasm   (GFLOPS, m=n=k)');
  for (const s of [2, 4, 5, 6, 7, 8, 12, 16, 24, 32, 64]) {
    console.log(`${String(s).padStart(7)} ${fmt(measure(loops, s, s, s))} ${fmt(measure(gemmBlocked, s, s, s))}  ${fmt(measure(viaWasm, s, s, s))}`);
  }
} else {
  // Let V8 tier the kernel up and the worker threads start before timing.
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) measure(gemm, 256, 256, 256);
  const w = wasmGemm();
  const kernel = w === null ? 'TypeScript fallback' : `wasm ${w.relaxed ? 'relaxed-SIMD FMA' : 'SIMD mul+add'}, ${w.threads} thread(s)`;
  console.log(`gemm GFLOPS, ${kernel}`);
  // Other processes competing for the cores lower every figure; say how many.
  console.log(`(load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`);
  console.log('              shape        NN      TN      NT      TT');
  const shapes: [string, number, number, number][] = [
    ['256³', 256, 256, 256],
    ['512³', 512, 512, 512],
    ['1024³', 1024, 1024, 1024],
    ['MLP 64×128×784', 64, 128, 784],
    ['conv 8×36864×25', 8, 576 * 64, 25],
  ];
  for (const [name, m, n, k] of shapes) {
    const row = [[false, false], [true, false], [false, true], [true, true]]
      .map(([ta, tb]) => fmt(measure(gemm, m, n, k, ta, tb)));
    console.log(`${name.padStart(19)} ${row.join(' ')}`);
  }
}

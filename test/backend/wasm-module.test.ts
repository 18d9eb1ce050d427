import { describe, expect, it } from 'vitest';
import { gemm as binaries } from '../../build/wasm/kernels.js';
import { WasmGemm } from '../../src/backend/cpu/gemm-wasm.ts';
import { compileKernel, wasmApi } from '../../src/backend/cpu/wasm-module.ts';

/** C = A·B in float64 for row-major A [m×k], B [k×n]. */
function reference(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    for (let p = 0; p < k; p++) c[i * n + j] += a[i * k + p]! * b[p * n + j]!;
  }
  return c;
}

describe('the embedded wasm kernels', () => {
  // Threads need a shared-memory build; one thread runs the plain-memory build, which is
  // what browsers without cross-origin isolation (and without Chromium's leniency) get.
  const builds = [
    { relaxed: false, shared: false, threads: 1 },
    { relaxed: true, shared: false, threads: 1 },
    { relaxed: false, shared: true, threads: 2 },
    { relaxed: true, shared: true, threads: 2 },
  ];
  for (const { relaxed, shared, threads } of builds) {
    it(`${relaxed ? 'relaxed-SIMD' : 'SIMD'} build with ${shared ? 'shared' : 'plain'} memory multiplies correctly`, () => {
      const kernel = compileKernel(binaries, { relaxed, shared });
      // Node 20 runs relaxed SIMD once the flag is set, which compileKernel does.
      expect(kernel.relaxed).toBe(relaxed);
      const gemm = new WasmGemm(kernel.module, threads, kernel.relaxed, 0, false);
      const [m, n, k] = [130, 70, 90];
      const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
      const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i));
      const c = new Float32Array(m * n);
      expect(gemm.run(a, b, c, m, n, k, false, false, false)).toBe(true);
      const want = reference(a, b, m, n, k);
      const worst = Math.max(...Array.from(c, (v, i) => Math.abs(v - want[i]!) / (1 + Math.abs(want[i]!))));
      expect(worst).toBeLessThan(1e-4);
    });
  }

  it('differ in the memory they import: a shared build refuses a plain memory and vice versa', () => {
    const plain = new wasmApi.Memory({ initial: 1, maximum: 65536, shared: false });
    const shared = new wasmApi.Memory({ initial: 1, maximum: 65536, shared: true });
    const instantiate = (isShared: boolean, memory: object) =>
      () => new wasmApi.Instance(compileKernel(binaries, { relaxed: false, shared: isShared }).module, { env: { memory, programChunk: () => {} } });
    expect(instantiate(true, plain)).toThrow(/memory/i);
    expect(instantiate(false, shared)).toThrow(/memory/i);
    expect(instantiate(true, shared)).not.toThrow();
    expect(instantiate(false, plain)).not.toThrow();
  });
});

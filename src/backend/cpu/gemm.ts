// The cpu backend's matrix multiply. Three implementations, picked by size:
//
//   tiny products      blocked TypeScript (gemm-js.ts): below SMALL_MACS the
//                      fixed cost of entering WebAssembly (copying operands,
//                      packing) is more than the arithmetic itself
//   everything else    the WebAssembly SIMD kernel (wasm/gemm.as.ts through
//                      gemm-wasm.ts), on two threads when the product is big
//                      and threads are measured to pay
//   no kernel built    a cache-blocked TypeScript GEMM, after a one-time warning

import { gemmBlocked } from './gemm-js.ts';
import { wasmGemm } from './gemm-wasm.ts';

// Crossover measured with `bench/gemm.ts --crossover`: TypeScript is faster up
// to 6×6×6, wasm from 7×7×7 on (and 5× faster at 16×16×16).
const SMALL_MACS = 300;

/** C = op(A) @ op(B) (+ C when accumulate), row-major; op(A) is m×k, op(B) is k×n. */
export function gemm(
  a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, n: number, k: number,
  transA: boolean, transB: boolean, accumulate = false,
): void {
  checkArgs(a, b, c, m, n, k);
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) c.fill(0, 0, m * n);
    return;
  }
  if (m * n * k <= SMALL_MACS) {
    gemmBlocked(a, b, c, m, n, k, transA, transB, accumulate);
    return;
  }
  const wasm = wasmGemm();
  if (wasm !== null && wasm.run(a, b, c, m, n, k, transA, transB, accumulate)) return;
  gemmBlocked(a, b, c, m, n, k, transA, transB, accumulate);
}

function checkArgs(
  a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number,
): void {
  for (const [name, v] of [['m', m], ['n', n], ['k', k]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`gemm: ${name} must be a non-negative integer, got ${v}`);
  }
  const short = (what: string, arr: Float32Array, need: number): never => {
    throw new RangeError(`gemm: ${what} has ${arr.length} elements, needs ${need} (m=${m}, n=${n}, k=${k})`);
  };
  if (a.length < m * k) short('a', a, m * k);
  if (b.length < k * n) short('b', b, k * n);
  if (c.length < m * n) short('c', c, m * n);
}

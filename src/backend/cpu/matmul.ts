/** CPU batched matrix multiply: one GEMM call per batch item on subarray views (no copies). */
import { toHost, type Storage } from '../../tensor/storage.ts';
import { gemm } from './gemm.ts';
import { newArray, newArrayUnfilled } from '../../tensor/dtype.ts';

/** `batch` products C = op(A) @ op(B) (+ bias on every row), packed back to back. */
export function matmul(
  as: Storage, bs: Storage, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, bias?: Storage | null,
): Float32Array {
  const a = toHost(as), b = toHost(bs);
  // Every element is written by the bias fill or the GEMM (which, without bias, overwrites C).
  const c = k === 0 ? newArray('float32', batch * m * n) : newArrayUnfilled('float32', batch * m * n);
  if (bias) {
    // The GEMM accumulates into C, so starting C at the bias adds it for free.
    const row = toHost(bias);
    for (let r = 0; r < batch * m; r++) c.set(row, r * n);
  }
  const aStride = m * k, bStride = k * n, cStride = m * n;
  for (let i = 0; i < batch; i++) {
    gemm(
      a.subarray(i * aStride, (i + 1) * aStride),
      b.subarray(i * bStride, (i + 1) * bStride),
      c.subarray(i * cStride, (i + 1) * cStride),
      m, n, k, transA, transB, !!bias,
    );
  }
  return c;
}

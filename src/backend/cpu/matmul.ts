/** CPU batched matrix multiply: one GEMM call per batch item on subarray views (no copies). */
import { toHost, type Storage } from '../../tensor/storage.ts';
import { gemm } from './gemm.ts';

/** `batch` products C = op(A) @ op(B), packed back to back. */
export function matmul(as: Storage, bs: Storage, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean): Float32Array {
  const a = toHost(as), b = toHost(bs);
  const c = new Float32Array(batch * m * n);
  const aStride = m * k, bStride = k * n, cStride = m * n;
  for (let i = 0; i < batch; i++) {
    gemm(
      a.subarray(i * aStride, (i + 1) * aStride),
      b.subarray(i * bStride, (i + 1) * bStride),
      c.subarray(i * cStride, (i + 1) * cStride),
      m, n, k, transA, transB,
    );
  }
  return c;
}

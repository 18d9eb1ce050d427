// Pure-TypeScript matrix multiply. Two jobs: tiny products, where calling into
// WebAssembly (copying operands into its memory, packing) costs more than the
// arithmetic, and the fallback for when the WebAssembly kernel was not built.
// (Plain i-p-j loops were measured too: from 4×4×4 up they are slower than
// this, whose copy of B costs little and whose four-row loop does more per load.)
//
// Layout conventions are those of gemm.ts: row-major, op(A) m×k, op(B) k×n;
// A is stored k×m when transA, B is stored n×k when transB.

// Block sizes for gemmBlocked: a KB×NB block of B (256 KiB) is copied once and
// then reused by every row of A, from L2; each row of C touched by the inner
// loop is NB floats (2 KiB), so four of them plus a row of the block sit in L1.
const KB = 128;
const NB = 512;
let packedB = new Float32Array(0);

/**
 * Cache-blocked GEMM in plain TypeScript, for tiny products and as the
 * fallback when the WebAssembly kernel is unavailable. 2–4× plain loops.
 */
export function gemmBlocked(
  a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, n: number, k: number,
  transA: boolean, transB: boolean, accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, 0, m * n);
  if (packedB.length < KB * NB) packedB = new Float32Array(KB * NB);
  const bp = packedB;
  const ais = transA ? 1 : k, aps = transA ? m : 1;
  for (let j0 = 0; j0 < n; j0 += NB) {
    const nb = Math.min(NB, n - j0);
    for (let p0 = 0; p0 < k; p0 += KB) {
      const kb = Math.min(KB, k - p0);
      // Copying the block makes the inner loop unit-stride even when B is
      // stored transposed, and keeps it contiguous (stride nb) in cache.
      for (let p = 0; p < kb; p++) {
        for (let j = 0; j < nb; j++) {
          bp[p * nb + j] = transB ? b[(j0 + j) * k + p0 + p] : b[(p0 + p) * n + j0 + j];
        }
      }
      // Four rows of C at once: each element of the block loaded is used four
      // times, which is what makes this faster than the plain loop.
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const c0 = i * n + j0, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        for (let p = 0; p < kb; p++) {
          const ap = (p0 + p) * aps;
          const a0 = a[i * ais + ap], a1 = a[(i + 1) * ais + ap];
          const a2 = a[(i + 2) * ais + ap], a3 = a[(i + 3) * ais + ap];
          const row = p * nb;
          for (let j = 0; j < nb; j++) {
            const bv = bp[row + j];
            c[c0 + j] += a0 * bv;
            c[c1 + j] += a1 * bv;
            c[c2 + j] += a2 * bv;
            c[c3 + j] += a3 * bv;
          }
        }
      }
      for (; i < m; i++) {
        const ci = i * n + j0;
        for (let p = 0; p < kb; p++) {
          const aip = a[i * ais + (p0 + p) * aps];
          const row = p * nb;
          for (let j = 0; j < nb; j++) c[ci + j] += aip * bp[row + j];
        }
      }
    }
  }
}

/** A straightforward GEMM used until the tuned kernel lands. */
export function gemm(
  a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, n: number, k: number,
  transA: boolean, transB: boolean, accumulate = false,
): void {
  if (!accumulate) c.fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = transA ? a[p * m + i] : a[i * k + p];
      if (av === 0) continue;
      const cRow = i * n;
      if (transB) for (let j = 0; j < n; j++) c[cRow + j] += av * b[j * k + p];
      else { const bRow = p * n; for (let j = 0; j < n; j++) c[cRow + j] += av * b[bRow + j]; }
    }
  }
}

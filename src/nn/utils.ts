/** Training helpers that act on parameters' gradients. */
import type { Tensor } from '../tensor/tensor.ts';

/**
 * Rescales the gradients in place so that their joint L2 norm is at most maxNorm, and
 * returns the norm they had before. As in PyTorch, the factor is maxNorm / (norm + 1e-6),
 * applied only when below 1; parameters without a gradient are skipped, and a NaN or
 * infinite norm is returned as is (the gradients then become NaN, as in PyTorch).
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) {
    throw new RangeError(`clipGradNorm: maxNorm must be a number >= 0, got ${String(maxNorm)}`);
  }
  const grads = [...params].map((p) => p.grad).filter((g): g is Tensor => g !== null);
  let sq = 0;
  for (const g of grads) {
    const d = g.data;
    for (let i = 0; i < d.length; i++) sq += d[i] * d[i];
  }
  const total = Math.sqrt(sq);
  const factor = maxNorm / (total + 1e-6);
  if (factor < 1 || Number.isNaN(factor)) {
    for (const g of grads) {
      const d = g.data;
      for (let i = 0; i < d.length; i++) d[i] *= factor;
    }
  }
  return total;
}

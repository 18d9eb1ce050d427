/** Matrix multiplication: 2-D, batched 3-D, and the mixed 3-D @ 2-D / 2-D @ 3-D and 1-D cases. */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { backend } from '../backend/registry.ts';
import { result } from './record.ts';
import { reshape, transpose } from './view.ts';

/**
 * `batch` products of an [m,k] by a [k,n] matrix. Gradients use the same kernel with
 * transposed operands instead of materialising transposes:
 * dA = dC·Bᵀ and dB = Aᵀ·dC.
 */
function batchedMatmul(a: Tensor, b: Tensor, batch: number, m: number, k: number, n: number, outShape: number[]): Tensor {
  const out = backend().matmul(a.storage, b.storage, batch, m, n, k, false, false);
  return result('matmul', out, outShape, [a, b], (g) => [
    a.requiresGrad ? new Tensor(backend().matmul(g.storage, b.storage, batch, m, k, n, false, true), a.shape) : null,
    b.requiresGrad ? new Tensor(backend().matmul(a.storage, g.storage, batch, k, n, m, true, false), b.shape) : null,
  ]);
}

/** a @ b, following PyTorch's matmul rules for 1-, 2- and 3-D operands. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(b instanceof Tensor)) throw new TypeError('matmul: the right operand must be a Tensor');
  const differ = () => new ShapeError(`matmul: inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
  if (a.ndim === 0 || b.ndim === 0 || a.ndim > 3 || b.ndim > 3) {
    throw new ShapeError(`matmul: operands must have 1 to 3 dimensions, got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
  }
  // Vectors become matrices and the extra dimension is dropped afterwards, as in PyTorch.
  if (a.ndim === 1) {
    const kB = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
    if (a.shape[0] !== kB) throw differ();
    const out = matmul(reshape(a, [1, a.shape[0]]), b);
    return reshape(out, [...out.shape.slice(0, -2), out.shape[out.ndim - 1]]);
  }
  if (b.ndim === 1) {
    if (a.shape[a.ndim - 1] !== b.shape[0]) throw differ();
    const out = matmul(a, reshape(b, [b.shape[0], 1]));
    return reshape(out, out.shape.slice(0, -1));
  }
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) throw differ();
  if (a.ndim === 2 && b.ndim === 2) return batchedMatmul(a, b, 1, m, k, n, [m, n]);
  if (a.ndim === 3 && b.ndim === 3) {
    if (a.shape[0] !== b.shape[0]) {
      throw new ShapeError(`matmul: batch sizes differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
    }
    return batchedMatmul(a, b, a.shape[0], m, k, n, [a.shape[0], m, n]);
  }
  if (a.ndim === 3) {
    // [B,m,k] @ [k,n]: one tall [B·m, k] product shares the weight across the batch.
    const batch = a.shape[0];
    return reshape(matmul(reshape(a, [batch * m, k]), b), [batch, m, n]);
  }
  // [m,k] @ [B,k,n]: lay the batch side by side as [k, B·n], multiply once, and restore.
  const batch = b.shape[0];
  const wide = reshape(transpose(b, 0, 1), [k, batch * n]);
  return transpose(reshape(matmul(a, wide), [m, batch, n]), 0, 1);
}

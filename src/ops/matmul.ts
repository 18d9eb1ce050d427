/** Matrix multiplication with PyTorch's rules: 1-D, 2-D and batched N-D operands with broadcast batch dimensions. */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { broadcastShapes, sizeOf, sameShape } from '../tensor/shape.ts';
import { checkFloat, checkTensor } from '../tensor/validate.ts';
import { backend } from '../backend/registry.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';
import { expand, reshape } from './view.ts';

/**
 * `batch` products of [m,k] by [k,n] matrices.  dA = dC·Bᵀ, dB = Aᵀ·dC, with the GEMM reading
 * the transposed operand in place (no transposed copy is made).
 */
function batched(a: Tensor, b: Tensor, batch: number, m: number, k: number, n: number, outShape: number[]): Tensor {
  const y = new Tensor(backend().matmul(a.storage, b.storage, batch, m, n, k, false, false), outShape);
  return record('matmul', y, [a, b], (dy, needs) => [
    needs[0] ? new Tensor(backend().matmul(dy.storage, b.storage, batch, m, k, n, false, true), a.shape) : null,
    needs[1] ? new Tensor(backend().matmul(a.storage, dy.storage, batch, k, n, m, true, false), b.shape) : null,
  ]);
}

/** a @ b. A 1-D operand is a vector (1-D · 1-D is a scalar []); batch dimensions broadcast. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', 'a', a);
  checkTensor('matmul', 'b', b);
  checkFloat('matmul', 'a', a);
  checkFloat('matmul', 'b', b);
  const differ = () => new ShapeError(`matmul: inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: operands need at least one dimension, got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
  return traced('matmul', [a, b], {}, () => {
    // Vectors become matrices and the extra dimension is dropped afterwards, as in PyTorch.
    if (a.ndim === 1 && b.ndim === 1) {
      if (a.shape[0] !== b.shape[0]) throw differ();
      return reshape(matmul(reshape(a, [1, a.shape[0]]), reshape(b, [b.shape[0], 1])), []);
    }
    if (a.ndim === 1) {
      if (a.shape[0] !== b.shape[b.ndim === 1 ? 0 : b.ndim - 2]) throw differ();
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
    if (b.ndim === 2) {
      // [..., m, k] @ [k, n]: one tall [(…·m), k] product shares the weight across the batch.
      const lead = a.shape.slice(0, -2);
      const rows = sizeOf(lead) * m;
      return reshape(batched(reshape(a, [rows, k]), b, 1, rows, k, n, [rows, n]), [...lead, m, n]);
    }
    let batchShape: number[];
    try {
      batchShape = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
    } catch {
      throw new ShapeError(`matmul: batch sizes differ and do not broadcast: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
    }
    const full = (t: Tensor, r: number, c: number) => {
      const target = [...batchShape, r, c];
      return sameShape(t.shape, target) ? t : expand(t, target);
    };
    const batch = sizeOf(batchShape);
    return batched(full(a, m, k), full(b, k, n), batch, m, k, n, [...batchShape, m, n]);
  });
}

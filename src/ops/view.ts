/** Shape ops: reshape, flatten, transpose. Tensors are contiguous, so reshape shares storage. */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { normalizeAxis, sizeOf, type Shape } from '../tensor/shape.ts';
import { backend } from '../backend/registry.ts';
import { result } from './record.ts';

/** The same values under a new shape; one dimension may be −1 and is inferred. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw new ShapeError(`reshape: only one dimension can be -1, got ${fmtShape(shape)}`);
  let target = [...shape];
  if (free === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}`);
    }
    target = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  if (target.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(target) !== x.size) {
    throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}`);
  }
  return result('reshape', x.storage, target, [x], (g) => [reshape(g, x.shape)]);
}

/** Collapses dimensions startDim… into one (startDim 0 gives a 1-D tensor, as in PyTorch). */
export function flatten(x: Tensor, startDim = 0): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', startDim, x.ndim);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s))]);
}

/** Swaps dimensions a and b (default: the last two), copying into a new contiguous tensor. */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  // Nothing to swap by default below two dimensions, as PyTorch's .t() on a vector.
  if (x.ndim < 2 && a === -2 && b === -1) return reshape(x, x.shape);
  const da = normalizeAxis('transpose', a, x.ndim);
  const db = normalizeAxis('transpose', b, x.ndim);
  if (da === db) return reshape(x, x.shape);
  const perm = x.shape.map((_, i) => i);
  perm[da] = db;
  perm[db] = da;
  const shape = perm.map((p) => x.shape[p]);
  const out = backend().permute(x.storage, x.shape, perm);
  // A swap is its own inverse, so the backward is the same swap.
  return result('transpose', out, shape, [x], (g) => [transpose(g, da, db)]);
}

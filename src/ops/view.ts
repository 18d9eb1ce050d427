/**
 * Shape ops. Tensors are contiguous, so reshape, flatten, squeeze and unsqueeze share the
 * input's storage; transpose, permute, expand and repeat copy through one strided read.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { sizeOf, stridesOf, type Shape } from '../tensor/shape.ts';
import { checkAxis, checkTensor, show } from '../tensor/validate.ts';
import { backend } from '../backend/registry.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';
import { sum } from './reduce.ts';

function checkDims(op: string, dims: unknown): number[] {
  if (!Array.isArray(dims) || dims.some((d) => typeof d !== 'number' || !Number.isInteger(d))) {
    throw new TypeError(`${op}: expected an array of integers, got ${show(dims)}`);
  }
  return dims;
}

/** The same values under a new shape; one dimension may be −1 and is inferred. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  checkTensor('reshape', 'x', x);
  const dims = checkDims('reshape', shape);
  const free = dims.filter((d) => d === -1).length;
  const bad = () => new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(dims)}`);
  if (free > 1) throw new ShapeError(`reshape: only one dimension can be -1, got ${fmtShape(dims)}`);
  if (dims.some((d) => d < -1)) throw bad();
  let target = dims;
  if (free === 1) {
    const known = sizeOf(dims.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) throw bad();
    target = dims.map((d) => (d === -1 ? x.size / known : d));
  }
  if (sizeOf(target) !== x.size) throw bad();
  return traced('reshape', [x], { shape: target }, () =>
    record('reshape', new Tensor(x.storage, target, { dtype: x.dtype }), [x], (dy) => [reshape(dy, x.shape)]));
}

/** Collapses dimensions startDim…endDim into one (a scalar becomes [1], as in PyTorch). */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor('flatten', 'x', x);
  if (x.ndim === 0) return reshape(x, [1]);
  const s = checkAxis('flatten', startDim, x.ndim);
  const e = checkAxis('flatten', endDim, x.ndim);
  if (s > e) throw new RangeError(`flatten: startDim ${startDim} comes after endDim ${endDim} for ${fmtShape(x.shape)}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Drops dimension `dim` if it has length 1, or every length-1 dimension when dim is left out. */
export function squeeze(x: Tensor, dim?: number): Tensor {
  checkTensor('squeeze', 'x', x);
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const d = checkAxis('squeeze', dim, x.ndim);
  return x.shape[d] === 1 ? reshape(x, x.shape.filter((_, i) => i !== d)) : x;
}

/** Inserts a length-1 dimension at `dim` (−1 appends, as in PyTorch). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor('unsqueeze', 'x', x);
  const d = checkAxis('unsqueeze', dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Reorders dimensions: output dimension i is input dimension dims[i].  dx = permute(dy, inverse). */
export function permute(x: Tensor, ...dims: number[]): Tensor {
  checkTensor('permute', 'x', x);
  const perm = checkDims('permute', dims.length === 1 && Array.isArray(dims[0]) ? dims[0] : dims).map((d) => checkAxis('permute', d, x.ndim));
  if (perm.length !== x.ndim || new Set(perm).size !== perm.length) {
    throw new RangeError(`permute: [${dims}] is not a permutation of the ${x.ndim} dimensions of ${fmtShape(x.shape)}`);
  }
  if (perm.every((p, i) => p === i)) return x;
  const inStrides = stridesOf(x.shape);
  const shape = perm.map((p) => x.shape[p]);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => { inverse[p] = i; });
  return traced('permute', [x], { dims: perm }, () => {
    const y = new Tensor(backend().strided(x.storage, x.dtype, shape, perm.map((p) => inStrides[p]), 0), shape, { dtype: x.dtype });
    return record('permute', y, [x], (dy) => [permute(dy, ...inverse)]);
  });
}

/** Swaps dimensions a and b (default: the last two; a tensor of fewer than two dimensions is returned as is). */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  checkTensor('transpose', 'x', x);
  if (x.ndim < 2 && a === -2 && b === -1) return x;
  const da = checkAxis('transpose', a, x.ndim);
  const db = checkAxis('transpose', b, x.ndim);
  const perm = x.shape.map((_, i) => i);
  perm[da] = db;
  perm[db] = da;
  return permute(x, ...perm);
}

/**
 * x broadcast to `shape` (−1 keeps a dimension; new dimensions go in front), as a copy.
 * Backward: dy summed over the stretched dimensions (record does it).
 */
export function expand(x: Tensor, shape: Shape): Tensor {
  checkTensor('expand', 'x', x);
  const dims = checkDims('expand', shape);
  const offset = dims.length - x.ndim;
  const bad = () => new ShapeError(`expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(dims)} (only length-1 dimensions stretch)`);
  if (offset < 0) throw bad();
  const target = dims.map((d, i) => (d === -1 && i >= offset ? x.shape[i - offset] : d));
  const own = stridesOf(x.shape);
  const strides = target.map((d, i) => {
    if (i < offset) { if (d < 0) throw bad(); return 0; }
    const s = x.shape[i - offset];
    if (s === d) return own[i - offset];
    if (s === 1 && d >= 0) return 0;
    throw bad();
  });
  return traced('expand', [x], { shape: target }, () => {
    const y = new Tensor(backend().strided(x.storage, x.dtype, target, strides, 0), target, { dtype: x.dtype });
    return record('expand', y, [x], (dy) => [dy]);
  });
}

/** Tiles x `times[d]` times along each dimension (more times than dimensions adds leading ones), as torch.repeat. */
export function repeat(x: Tensor, ...times: number[]): Tensor {
  checkTensor('repeat', 'x', x);
  const reps = checkDims('repeat', times.length === 1 && Array.isArray(times[0]) ? times[0] : times);
  if (reps.length < x.ndim || reps.some((r) => r < 0)) {
    throw new RangeError(`repeat: needs one non-negative count per dimension of ${fmtShape(x.shape)} (or more), got [${reps}]`);
  }
  const shape = [...new Array<number>(reps.length - x.ndim).fill(1), ...x.shape];
  const own = stridesOf(shape);
  // Read x as [r0, s0, r1, s1, …] with stride 0 along each repeat, then merge the pairs.
  const paired = shape.flatMap((s, i) => [reps[i], s]);
  const strides = shape.flatMap((_, i) => [0, own[i]]);
  const out = shape.map((s, i) => s * reps[i]);
  return traced('repeat', [x], { times: reps }, () => {
    const y = new Tensor(backend().strided(x.storage, x.dtype, paired, strides, 0), out, { dtype: x.dtype });
    return record('repeat', y, [x], (dy) => [
      reshape(sum(reshape(dy, paired), paired.map((_, i) => i).filter((i) => i % 2 === 0)), x.shape),
    ]);
  });
}

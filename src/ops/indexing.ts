/**
 * Indexing: narrow and select (slices), indexSelect and gather (integer indices).
 * Indices are int32 tensors; an index out of range is an error, never a silent read.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { stridesOf } from '../tensor/shape.ts';
import { isHost } from '../tensor/storage.ts';
import { checkAxis, checkIndexTensor, checkTensor, show } from '../tensor/validate.ts';
import { backend } from '../backend/registry.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';
import { reshape } from './view.ts';

function checkInteger(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${op}: ${name} must be an integer, got ${show(v)}`);
  return v;
}

/** The elements start … start+length−1 along `dim` (a negative start counts from the end).  dx = dy padded with zeros. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor('narrow', 'x', x);
  const d = checkAxis('narrow', dim, x.ndim);
  const n = x.shape[d];
  let s = checkInteger('narrow', 'start', start);
  checkInteger('narrow', 'length', length);
  if (s < 0) s += n;
  if (s < 0 || length < 0 || s + length > n) {
    throw new RangeError(`narrow: start ${start} and length ${length} do not fit dimension ${dim} of ${fmtShape(x.shape)}`);
  }
  const shape = x.shape.map((v, i) => (i === d ? length : v));
  const strides = stridesOf(x.shape);
  return traced('narrow', [x], { dim: d, start: s, length }, () => {
    const y = new Tensor(backend().strided(x.storage, x.dtype, shape, strides, s * strides[d]), shape, { dtype: x.dtype });
    const begin = x.shape.map((_, i) => (i === d ? s : 0));
    return record('narrow', y, [x], (dy) => [new Tensor(backend().pad(dy.storage, dy.dtype, dy.shape, x.shape, begin), x.shape)]);
  });
}

/** The slice at `index` along `dim`, that dimension removed (a negative index counts from the end). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  checkTensor('select', 'x', x);
  const d = checkAxis('select', dim, x.ndim);
  const n = x.shape[d];
  const i = checkInteger('select', 'index', index);
  if (i < -n || i >= n) throw new RangeError(`select: index ${index} is out of range for dimension ${dim} of ${fmtShape(x.shape)}`);
  return traced('select', [x], { dim: d, index: i < 0 ? i + n : i }, () =>
    reshape(narrow(x, d, i < 0 ? i + n : i, 1), x.shape.filter((_, k) => k !== d)));
}

/** Refuses indices outside [0, n): checked on the values (on a device, by two one-element reads). */
function checkRange(op: string, index: Tensor, n: number, where: string): void {
  if (index.size === 0) return;
  let lo = Infinity, hi = -Infinity;
  const s = index.storage;
  if (isHost(s)) {
    for (let i = 0; i < s.length; i++) { const v = s[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
  } else {
    const all = index.shape.map((_, i) => i);
    lo = new Tensor(backend().reduce('min', s, index.shape, all, 'int32', 'int32'), [], { dtype: 'int32' }).item();
    hi = new Tensor(backend().reduce('max', s, index.shape, all, 'int32', 'int32'), [], { dtype: 'int32' }).item();
  }
  if (lo < 0 || hi >= n) throw new RangeError(`${op}: index ${lo < 0 ? lo : hi} is out of range for ${where} of size ${n}`);
}

/** The entries of x at `indices` (1-D int32) along `dim`.  dx = dy scattered back, repeated indices adding up. */
export function indexSelect(x: Tensor, dim: number, indices: Tensor): Tensor {
  checkTensor('indexSelect', 'x', x);
  const d = checkAxis('indexSelect', dim, x.ndim);
  checkIndexTensor('indexSelect', 'indices', indices);
  if (indices.ndim > 1) throw new ShapeError(`indexSelect: indices must be 1-D, got ${fmtShape(indices.shape)}`);
  checkRange('indexSelect', indices, x.shape[d], `dimension ${dim} of ${fmtShape(x.shape)}`);
  const k = indices.size;
  const outShape = x.shape.map((v, i) => (i === d ? k : v));
  // The index read along dim only: [1, …, k, …, 1] broadcasts over the other dimensions.
  const indexShape = x.shape.map((_, i) => (i === d ? k : 1));
  return traced('indexSelect', [x, indices], { dim: d }, () => {
    const y = new Tensor(backend().gather(x.storage, x.shape, x.dtype, d, indices.storage, indexShape, outShape), outShape, { dtype: x.dtype });
    return record('indexSelect', y, [x, indices], (dy) => [
      new Tensor(backend().scatterAdd(dy.storage, dy.shape, d, indices.storage, indexShape, x.shape), x.shape),
    ]);
  });
}

/**
 * torch.gather: out[i][j][k] = x[index[i][j][k]][j][k] for dim 0 (likewise for other dims);
 * `index` has x's number of dimensions and is no larger than x outside `dim`.
 * dx = dy scatter-added back to the positions it was read from.
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('gather', 'x', x);
  const d = checkAxis('gather', dim, x.ndim);
  checkIndexTensor('gather', 'index', index);
  if (index.ndim !== x.ndim || index.shape.some((v, i) => i !== d && v > x.shape[i])) {
    throw new ShapeError(`gather: index ${fmtShape(index.shape)} must have the ${x.ndim} dimensions of x ${fmtShape(x.shape)} and be no larger outside dimension ${dim}`);
  }
  checkRange('gather', index, x.shape[d], `dimension ${dim} of ${fmtShape(x.shape)}`);
  return traced('gather', [x, index], { dim: d }, () => {
    const y = new Tensor(backend().gather(x.storage, x.shape, x.dtype, d, index.storage, index.shape, index.shape), index.shape, { dtype: x.dtype });
    return record('gather', y, [x, index], (dy) => [
      new Tensor(backend().scatterAdd(dy.storage, dy.shape, d, index.storage, index.shape, x.shape), x.shape),
    ]);
  });
}

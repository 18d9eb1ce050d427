/** Joining and splitting: cat, stack, split, chunk. */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { promoteTypes } from '../tensor/dtype.ts';
import { checkAxis, checkTensor, show } from '../tensor/validate.ts';
import { backend } from '../backend/registry.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';
import { cast } from './arithmetic.ts';
import { narrow } from './indexing.ts';
import { unsqueeze } from './view.ts';

function checkList(op: string, tensors: unknown): Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new TypeError(`${op}: expected a non-empty array of Tensors, got ${show(tensors)}`);
  tensors.forEach((t, i) => checkTensor(op, `tensors[${i}]`, t));
  return tensors;
}

/** The tensors joined along `dim` (their other dimensions agree; dtypes promote).  Each input gets its slice of dy. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const list = checkList('cat', tensors);
  const first = list[0];
  const d = checkAxis('cat', dim, first.ndim);
  for (const t of list) {
    if (t.ndim !== first.ndim || t.shape.some((v, i) => i !== d && v !== first.shape[i])) {
      throw new ShapeError(`cat: shapes ${list.map((x) => fmtShape(x.shape)).join(', ')} differ outside dimension ${dim}`);
    }
  }
  const dtype = list.map((t) => t.dtype).reduce(promoteTypes);
  return traced('cat', list, { dim: d }, () => {
    const parts = list.map((t) => cast(t, dtype));
    const shape = first.shape.map((v, i) => (i === d ? list.reduce((s, t) => s + t.shape[d], 0) : v));
    const y = new Tensor(backend().concat(parts.map((p) => p.storage), parts.map((p) => p.shape), d, dtype), shape, { dtype });
    const starts: number[] = [];
    list.reduce((s, t) => { starts.push(s); return s + t.shape[d]; }, 0);
    return record('cat', y, parts, (dy, needs) => parts.map((p, i) => (needs[i] ? narrow(dy, d, starts[i], p.shape[d]) : null)));
  });
}

/** The tensors (all of one shape) stacked along a new dimension `dim`. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const list = checkList('stack', tensors);
  for (const t of list) {
    if (t.ndim !== list[0].ndim || t.shape.some((v, i) => v !== list[0].shape[i])) {
      throw new ShapeError(`stack: all tensors must have one shape, got ${list.map((x) => fmtShape(x.shape)).join(', ')}`);
    }
  }
  const d = checkAxis('stack', dim, list[0].ndim + 1);
  return traced('stack', list, { dim: d }, () => cat(list.map((t) => unsqueeze(t, d)), d));
}

/**
 * Pieces along `dim`: of `size` each (the last may be smaller), or of the given sizes, which
 * must add up to the dimension.
 */
export function split(x: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
  checkTensor('split', 'x', x);
  const d = checkAxis('split', dim, x.ndim);
  const n = x.shape[d];
  let sizes: number[];
  if (typeof sizeOrSizes === 'number') {
    if (!Number.isInteger(sizeOrSizes) || sizeOrSizes <= 0) throw new RangeError(`split: size must be a positive integer, got ${sizeOrSizes}`);
    sizes = [];
    for (let s = 0; s < n; s += sizeOrSizes) sizes.push(Math.min(sizeOrSizes, n - s));
    if (n === 0) sizes.push(0);
  } else if (Array.isArray(sizeOrSizes)) {
    sizes = [...sizeOrSizes];
    if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((a, b) => a + b, 0) !== n) {
      throw new RangeError(`split: sizes [${sizes}] must be non-negative integers adding up to ${n}, dimension ${dim} of ${fmtShape(x.shape)}`);
    }
  } else {
    throw new TypeError(`split: expected a size or an array of sizes, got ${show(sizeOrSizes)}`);
  }
  return traced('split', [x], { sizes, dim: d }, () => {
    let start = 0;
    return sizes.map((s) => { const piece = narrow(x, d, start, s); start += s; return piece; });
  });
}

/** `chunks` pieces of ⌈n/chunks⌉ along `dim` (fewer when n does not need them all, as in PyTorch). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor('chunk', 'x', x);
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RangeError(`chunk: chunks must be a positive integer, got ${show(chunks)}`);
  const d = checkAxis('chunk', dim, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}

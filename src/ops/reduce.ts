/**
 * Reductions: sum, mean, max, min (over all elements, one axis or several, keepDim), argmax,
 * argmin, and the compositions var, std and logsumexp.
 */
import { Tensor } from '../tensor/tensor.ts';
import { DTypeError, ShapeError, fmtShape } from '../tensor/errors.ts';
import { sizeOf, type Shape } from '../tensor/shape.ts';
import { checkAxis, checkTensor, show } from '../tensor/validate.ts';
import { noGrad } from '../tensor/autograd.ts';
import { backend } from '../backend/registry.ts';
import { axisLayout } from '../backend/plan.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';
import { pointwise } from './pointwise.ts';
import { div, mul, sub, add } from './arithmetic.ts';
import { log, sqrt, exp } from './math.ts';
import { expand, reshape } from './view.ts';
import { gather } from './indexing.ts';

/** Axis or axes to reduce; undefined reduces over every element. */
export type Axes = number | readonly number[] | undefined;

function resolveAxes(op: string, x: Tensor, axis: Axes): number[] {
  if (axis === undefined || axis === null) return x.shape.map((_, i) => i);
  if (typeof axis !== 'number' && !Array.isArray(axis)) throw new TypeError(`${op}: axis must be a number or an array of numbers, got ${show(axis)}`);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const axes = [...new Set(list.map((a) => checkAxis(op, a, x.ndim)))].sort((a, b) => a - b);
  if (axes.length !== list.length) throw new RangeError(`${op}: repeated axis in [${list.join(',')}]`);
  return axes;
}

function reducedShape(shape: Shape, axes: number[], keepDim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDim) out.push(1);
  });
  return out;
}

/** dy spread back over the input's shape: the backward of any sum. */
function spread(dy: Tensor, inShape: Shape, axes: number[]): Tensor {
  return expand(reshape(dy, reducedShape(inShape, axes, true)), inShape);
}

/** Σ over all elements or `axis` (a number or a list). Bools and ints sum to int32.  dx = dy spread back. */
export function sum(x: Tensor, axis?: Axes, keepDim = false): Tensor {
  checkTensor('sum', 'x', x);
  const axes = resolveAxes('sum', x, axis);
  const outDtype = x.dtype === 'float32' ? 'float32' : 'int32';
  return traced('sum', [x], { axis: axes, keepDim }, () => {
    const y = new Tensor(backend().reduce('sum', x.storage, x.shape, axes, x.dtype, outDtype), reducedShape(x.shape, axes, keepDim), { dtype: outDtype });
    return record('sum', y, [x], (dy) => [spread(dy, x.shape, axes)]);
  });
}

/** The mean over all elements or `axis` (float32 tensors only, as in PyTorch).  dx = dy/n spread back. */
export function mean(x: Tensor, axis?: Axes, keepDim = false): Tensor {
  checkTensor('mean', 'x', x);
  if (x.dtype !== 'float32') throw new DTypeError(`mean: expects a float32 tensor, got ${x.dtype} (cast it first)`);
  const axes = resolveAxes('mean', x, axis);
  const count = sizeOf(axes.map((a) => x.shape[a]));
  return traced('mean', [x], { axis: axes, keepDim }, () => div(sum(x, axes, keepDim), count));
}

/**
 * The largest (smallest) value over all elements or along one axis; NaN if any is NaN. Along
 * an axis the gradient goes to the first extreme element; over all elements it is shared
 * equally among ties — both as in PyTorch.
 */
function extreme(op: 'max' | 'min', x: Tensor, axis: number | undefined, keepDim: boolean): Tensor {
  checkTensor(op, 'x', x);
  if (axis !== undefined && axis !== null && typeof axis !== 'number') {
    throw new TypeError(`${op}: axis must be a single integer (reduce several axes one at a time), got ${show(axis)}`);
  }
  const axes = resolveAxes(op, x, axis ?? undefined);
  if (axes.some((a) => x.shape[a] === 0) || x.size === 0) {
    throw new ShapeError(`${op}: cannot reduce an empty dimension of ${fmtShape(x.shape)}`);
  }
  return traced(op, [x], { axis: axis ?? null, keepDim }, () => {
    if (axis === undefined || axis === null) {
      const y = new Tensor(backend().reduce(op, x.storage, x.shape, axes, x.dtype, x.dtype), reducedShape(x.shape, axes, keepDim), { dtype: x.dtype });
      return record(op, y, [x], (dy) => {
        const ties = pointwise(`${op}.grad`, 'x == y', { x, y: reshape(y, reducedShape(x.shape, axes, true)) });
        return [div(mul(spread(dy, x.shape, axes), ties), sum(ties))];
      });
    }
    const ax = axes[0];
    const idx = argReduce(op === 'max' ? 'argmax' : 'argmin', x, ax, true);
    const values = gather(x, ax, idx);
    return keepDim ? values : reshape(values, reducedShape(x.shape, [ax], false));
  });
}

export function max(x: Tensor, axis?: number, keepDim = false): Tensor {
  return extreme('max', x, axis, keepDim);
}

export function min(x: Tensor, axis?: number, keepDim = false): Tensor {
  return extreme('min', x, axis, keepDim);
}

function argReduce(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepDim: boolean): Tensor {
  checkTensor(op, 'x', x);
  if (x.size === 0) throw new ShapeError(`${op}: empty tensor of shape ${fmtShape(x.shape)}`);
  if (axis === undefined) {
    const idx = backend().argReduce(op, x.storage, { outer: 1, n: x.size, inner: 1 });
    return new Tensor(idx, [], { dtype: 'int32' });
  }
  const ax = checkAxis(op, axis, x.ndim);
  const idx = backend().argReduce(op, x.storage, axisLayout(x.shape, ax));
  return new Tensor(idx, reducedShape(x.shape, [ax], keepDim), { dtype: 'int32' });
}

/** Index (int32) of the first maximum along `axis` (of the flattened tensor when left out). */
export function argmax(x: Tensor, axis?: number, keepDim = false): Tensor {
  return traced('argmax', [x], { axis: axis ?? null, keepDim }, () => argReduce('argmax', x, axis, keepDim));
}

export function argmin(x: Tensor, axis?: number, keepDim = false): Tensor {
  return traced('argmin', [x], { axis: axis ?? null, keepDim }, () => argReduce('argmin', x, axis, keepDim));
}

/**
 * The variance over all elements or `axis`: Σ(x − x̄)² / (n − correction), unbiased
 * (correction 1) by default as in PyTorch; pass unbiased false for the population variance.
 */
export function variance(x: Tensor, axis?: Axes, keepDim = false, unbiased = true): Tensor {
  checkTensor('var', 'x', x);
  if (x.dtype !== 'float32') throw new DTypeError(`var: expects a float32 tensor, got ${x.dtype}`);
  const axes = resolveAxes('var', x, axis);
  const n = sizeOf(axes.map((a) => x.shape[a]));
  return traced('var', [x], { axis: axes, keepDim, unbiased }, () => {
    const centered = sub(x, mean(x, axes, true));
    return div(sum(mul(centered, centered), axes, keepDim), n - (unbiased ? 1 : 0));
  });
}

export function std(x: Tensor, axis?: Axes, keepDim = false, unbiased = true): Tensor {
  checkTensor('std', 'x', x);
  return traced('std', [x], { axis: axis ?? null, keepDim, unbiased }, () => sqrt(variance(x, axis, keepDim, unbiased)));
}

/**
 * ln Σ eˣ over `axis` without overflow: the max is subtracted first (and added back), and
 * treated as a constant — the gradient, softmax(x), does not depend on it.
 */
export function logsumexp(x: Tensor, axis?: Axes, keepDim = false): Tensor {
  checkTensor('logsumexp', 'x', x);
  const axes = resolveAxes('logsumexp', x, axis);
  return traced('logsumexp', [x], { axis: axes, keepDim }, () => {
    // An all −∞ (or ∞) slice shifts by 0, so it gives −∞ (∞) instead of NaN.
    const m = noGrad(() => {
      let mx = x;
      for (const a of [...axes].reverse()) mx = max(mx, a, true);
      return pointwise('logsumexp', 'abs(m) == inf ? 0 : m', { m: mx });
    });
    const s = log(sum(exp(sub(x, m)), axes, true));
    const out = add(s, m);
    return keepDim ? out : reshape(out, reducedShape(x.shape, axes, false));
  });
}

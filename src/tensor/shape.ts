/** Shape arithmetic: sizes, strides, axes and NumPy broadcasting. */
import { AxisError, ShapeError, fmtShape } from './errors.ts';

/** A tensor shape: one length per dimension, outermost first. */
export type Shape = readonly number[];

/** Number of elements in a tensor of this shape (1 for a scalar `[]`). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** True when both shapes have the same dimensions. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks that every dimension is a non-negative integer. */
export function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid shape ${fmtShape(shape)}: dimensions must be non-negative integers`);
    }
  }
}

/** Turns a possibly negative axis into an index in [0, ndim), or throws naming the op. */
export function normalizeAxis(op: string, axis: number, ndim: number): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new AxisError(`${op}: axis ${axis} is out of range for a tensor with ${ndim} dimension(s)`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** The shape two operands broadcast to, NumPy rules: align right, 1 stretches. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading `shape` as if it had been broadcast to `outShape`:
 * a stretched dimension gets stride 0, so the same element is read again.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  const strides = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    strides[offset + i] = shape[i] === 1 ? 0 : own[i];
  }
  return strides;
}

/**
 * The axes of `outShape` that were stretched to broadcast `shape` up to it: summing a
 * gradient over these axes brings it back to `shape`.
 */
export function broadcastedAxes(shape: Shape, outShape: Shape): number[] {
  const axes: number[] = [];
  const offset = outShape.length - shape.length;
  for (let i = 0; i < outShape.length; i++) {
    const d = i < offset ? 1 : shape[i - offset];
    if (d === 1 && (outShape[i] !== 1 || i < offset)) axes.push(i);
  }
  return axes;
}

/** Describing "along this axis" as [outer, n, inner] for the axis kernels. */
import type { AxisLayout } from '../backend/core-kernels.ts';
import { normalizeAxis, sizeOf, type Shape } from '../tensor/shape.ts';

/** The [outer, n, inner] view of `shape` around `axis` (negative axes count from the end). */
export function axisLayout(op: string, shape: Shape, axis: number): { axis: number; layout: AxisLayout } {
  const ax = normalizeAxis(op, axis, shape.length);
  return {
    axis: ax,
    layout: { outer: sizeOf(shape.slice(0, ax)), n: shape[ax], inner: sizeOf(shape.slice(ax + 1)) },
  };
}

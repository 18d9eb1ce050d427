/**
 * Index planning shared by the backends: how a loop over an N-D output walks each operand.
 * Written once here so that the cpu's loops and the gpu's generated index math agree.
 */
import { sizeOf, stridesOf, type Shape } from '../tensor/shape.ts';

/**
 * Strides for reading `shape` as if broadcast to `outShape`: a stretched dimension gets
 * stride 0, so the same element is read again.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  const strides = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) strides[offset + i] = shape[i] === 1 ? 0 : own[i];
  return strides;
}

/**
 * Drops length-1 dimensions and merges neighbours that every operand walks contiguously
 * (or that every operand broadcasts), so a loop needs as few index updates as possible:
 * adding a [64,10] tensor to a [10] one is a [64,10] walk, adding two [2,3,4] tensors a flat
 * one. `strides[k][d]` is how far operand k moves when output coordinate d grows by one.
 */
export function coalesce(shape: Shape, strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    // d merges into the previous kept dim when, for every operand, stepping the previous
    // dim equals stepping d across its whole length.
    if (last >= 0 && strides.every((s, k) => st[k][last] === s[d] * shape[d])) {
      dims[last] *= shape[d];
      strides.forEach((s, k) => { st[k][last] = s[d]; });
    } else {
      dims.push(shape[d]);
      strides.forEach((s, k) => st[k].push(s[d]));
    }
  }
  return { shape: dims, strides: st };
}

/**
 * A reduction over `axes` as alternating runs of kept and reduced dimensions, length-1
 * dimensions dropped: summing [a, b, c] over (0, 2) is the runs a(reduced) b(kept) c(reduced).
 */
export function reductionRuns(shape: Shape, axes: readonly number[]): { size: number; reduced: boolean }[] {
  const reduced = new Set(axes);
  const runs: { size: number; reduced: boolean }[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const r = reduced.has(i);
    const last = runs[runs.length - 1];
    if (last && last.reduced === r) last.size *= d;
    else runs.push({ size: d, reduced: r });
  });
  return runs;
}

/** A reduction along one axis, described as [outer, n, inner]: the axis has length n. */
export interface AxisLayout {
  outer: number;
  n: number;
  inner: number;
}

/** The [outer, n, inner] view of `shape` around the (already normalized) `axis`. */
export function axisLayout(shape: Shape, axis: number): AxisLayout {
  return { outer: sizeOf(shape.slice(0, axis)), n: shape[axis], inner: sizeOf(shape.slice(axis + 1)) };
}

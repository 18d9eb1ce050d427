/** CPU reduction kernels: sums over any set of axes, max along an axis and its inverse placement. */
import type { AxisLayout, MaxResult } from '../core-kernels.ts';
import { toHost, type Storage } from '../../tensor/storage.ts';
import { sizeOf, type Shape } from '../../tensor/shape.ts';

/** Sums over `axes`, accumulating in float64 so long sums do not drift. */
export function sumAxes(xs: Storage, shape: Shape, axes: readonly number[]): Float32Array {
  const x = toHost(xs);
  if (axes.length === 0) return x.slice();
  const nd = shape.length;
  const reduced = new Set(axes);
  // Merge runs of adjacent dimensions that are all reduced or all kept: a reduction over
  // axes (0, 2) of [a, b, c] becomes an [outer, n, inner]-style sweep with fewer index updates.
  const dims: number[] = [];
  const isRed: boolean[] = [];
  for (let d = 0; d < nd; d++) {
    const r = reduced.has(d);
    if (shape[d] === 1) continue; // length-1 dims change nothing
    if (dims.length > 0 && isRed[isRed.length - 1] === r) dims[dims.length - 1] *= shape[d];
    else { dims.push(shape[d]); isRed.push(r); }
  }
  const outSize = sizeOf(shape.filter((_, d) => !reduced.has(d)));
  const acc = new Float64Array(outSize);
  if (dims.length === 0) {
    acc[0] = x.length ? x[0] : 0;
  } else if (dims.length === 1) {
    if (isRed[0]) { let s = 0; for (let i = 0; i < x.length; i++) s += x[i]; acc[0] = s; }
    else for (let i = 0; i < x.length; i++) acc[i] = x[i];
  } else if (dims.length === 2 && isRed[1]) {
    // [kept, reduced]: row sums
    const [rows, n] = dims;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      const base = r * n;
      for (let j = 0; j < n; j++) s += x[base + j];
      acc[r] = s;
    }
  } else if (dims.length === 2) {
    // [reduced, kept]: column sums, e.g. a bias gradient over the batch
    const [n, cols] = dims;
    for (let r = 0; r < n; r++) {
      const base = r * cols;
      for (let j = 0; j < cols; j++) acc[j] += x[base + j];
    }
  } else if (dims.length === 3 && isRed[0]) {
    // [reduced, kept, reduced]: per-channel sums over batch and positions, e.g. a conv bias gradient
    const [outer, kept, inner] = dims;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < kept; k++) {
        const base = (o * kept + k) * inner;
        let s = 0;
        for (let j = 0; j < inner; j++) s += x[base + j];
        acc[k] += s;
      }
    }
  } else {
    // General case: walk the input once, tracking where each element lands in the output.
    const outStrides = new Array<number>(dims.length);
    let s = 1;
    for (let d = dims.length - 1; d >= 0; d--) {
      outStrides[d] = isRed[d] ? 0 : s;
      if (!isRed[d]) s *= dims[d];
    }
    const idx = new Array<number>(dims.length).fill(0);
    let o = 0;
    const last = dims.length - 1;
    for (let i = 0; i < x.length; i++) {
      acc[o] += x[i];
      for (let d = last; d >= 0; d--) {
        idx[d]++;
        o += outStrides[d];
        if (idx[d] < dims[d]) break;
        o -= outStrides[d] * dims[d];
        idx[d] = 0;
      }
    }
  }
  return Float32Array.from(acc);
}

/** Max along the middle axis of an [outer, n, inner] layout; ties go to the first index. */
export function maxAxis(xs: Storage, { outer, n, inner }: AxisLayout): MaxResult {
  const x = toHost(xs);
  const values = new Float32Array(outer * inner);
  const indices = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = x[base], arg = 0;
      for (let j = 1; j < n; j++) {
        const v = x[base + j * inner];
        // `v !== v` lets a NaN win, as PyTorch's max propagates NaN.
        if (v > best || (v !== v && best === best)) { best = v; arg = j; }
      }
      values[o * inner + i] = best;
      indices[o * inner + i] = arg;
    }
  }
  return { values, indices };
}

/** Places dy[o, i] at position indices[o, i] along the axis; zeros elsewhere. */
export function scatterAxis(dys: Storage, indices: Int32Array, { outer, n, inner }: AxisLayout): Float32Array {
  const dy = toHost(dys);
  const dx = new Float32Array(outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const k = o * inner + i;
      dx[o * n * inner + indices[k] * inner + i] += dy[k];
    }
  }
  return dx;
}

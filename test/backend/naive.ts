/**
 * Naive float64 references for the cpu kernels: each walks every coordinate of its output
 * (or input) with plain nested-index arithmetic, written from the kernel's contract in
 * src/backend/backend.ts and nn-kernels.ts — no coalescing, no runs, no GEMM, nothing shared
 * with the code under test.
 */
import type { Conv2dGeometry, Pool2dGeometry } from '../../src/backend/nn-kernels.ts';

export type Shape = readonly number[];

export function size(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Row-major strides, in elements. */
export function strides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
  return s;
}

/** Every coordinate of `shape`, in row-major order. */
export function coords(shape: Shape): number[][] {
  const out: number[][] = [];
  const n = size(shape);
  for (let i = 0; i < n; i++) {
    const c = new Array<number>(shape.length);
    let rest = i;
    for (let d = shape.length - 1; d >= 0; d--) { c[d] = rest % shape[d]; rest = Math.floor(rest / shape[d]); }
    out.push(c);
  }
  return out;
}

/** The flat index of `x` (of `shape`) read at output coordinate `c` under NumPy broadcasting. */
export function broadcastIndex(shape: Shape, c: readonly number[]): number {
  const off = c.length - shape.length;
  const st = strides(shape);
  let i = 0;
  for (let d = 0; d < shape.length; d++) i += (shape[d] === 1 ? 0 : c[off + d]) * st[d];
  return i;
}

/** out[c] = f(inputs read at c), inputs broadcast to outShape. */
export function elementwise(f: (...v: number[]) => number, inputs: { data: ArrayLike<number>; shape: Shape }[], outShape: Shape): number[] {
  return coords(outShape).map((c) => f(...inputs.map((a) => a.data[broadcastIndex(a.shape, c)])));
}

/** Sum, max or min over `axes`; max/min return NaN when any element is NaN. */
export function reduce(op: 'sum' | 'max' | 'min', x: ArrayLike<number>, shape: Shape, axes: readonly number[]): number[] {
  const outShape = shape.filter((_, d) => !axes.includes(d));
  const acc = new Array<number>(size(outShape)).fill(op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity);
  const nan = new Array<boolean>(acc.length).fill(false);
  const os = strides(outShape);
  coords(shape).forEach((c, i) => {
    let o = 0, k = 0;
    c.forEach((v, d) => { if (!axes.includes(d)) o += v * os[k++]; });
    const v = x[i];
    if (Number.isNaN(v)) nan[o] = true;
    else if (op === 'sum') acc[o] += v;
    else if (op === 'max') acc[o] = Math.max(acc[o], v);
    else acc[o] = Math.min(acc[o], v);
  });
  return acc.map((v, o) => (nan[o] ? NaN : v));
}

/** Index of the first max (min) along the middle axis of [outer, n, inner]; the first NaN wins. */
export function argReduce(op: 'argmax' | 'argmin', x: ArrayLike<number>, outer: number, n: number, inner: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const row = Array.from({ length: n }, (_, j) => x[(o * n + j) * inner + i]);
      const firstNaN = row.findIndex(Number.isNaN);
      if (firstNaN >= 0) { out.push(firstNaN); continue; }
      const best = op === 'argmax' ? Math.max(...row) : Math.min(...row);
      out.push(row.indexOf(best));
    }
  }
  return out;
}

/** out[c] = x[offset + Σ c_d·strides_d]. */
export function strided(x: ArrayLike<number>, outShape: Shape, st: readonly number[], offset: number): number[] {
  return coords(outShape).map((c) => x[offset + c.reduce((s, v, d) => s + v * st[d], 0)]);
}

/** zeros(outShape) with x placed at `begin`. */
export function pad(x: ArrayLike<number>, shape: Shape, outShape: Shape, begin: readonly number[]): number[] {
  const out = new Array<number>(size(outShape)).fill(0);
  const os = strides(outShape);
  coords(shape).forEach((c, i) => { out[c.reduce((s, v, d) => s + (v + begin[d]) * os[d], 0)] = x[i]; });
  return out;
}

/** The parts joined along `axis`: output coordinate c reads the part whose range holds c[axis]. */
export function concat(parts: ArrayLike<number>[], shapes: Shape[], axis: number): number[] {
  const outShape = shapes[0].map((v, d) => (d === axis ? shapes.reduce((s, sh) => s + sh[axis], 0) : v));
  return coords(outShape).map((c) => {
    let j = c[axis], k = 0;
    while (j >= shapes[k][axis]) { j -= shapes[k][axis]; k++; }
    const local = c.map((v, d) => (d === axis ? j : v));
    return parts[k][local.reduce((s, v, d) => s + v * strides(shapes[k])[d], 0)];
  });
}

/** out[c] = x[c with c[axis] = index[c]], index broadcast to outShape. */
export function gather(x: ArrayLike<number>, xShape: Shape, axis: number, index: ArrayLike<number>, indexShape: Shape, outShape: Shape): number[] {
  const xs = strides(xShape);
  return coords(outShape).map((c) => {
    const j = index[broadcastIndex(indexShape, c)];
    return x[c.reduce((s, v, d) => s + (d === axis ? j : v) * xs[d], 0)];
  });
}

/** zeros(outShape); src[c] added at c with c[axis] = index[c], index broadcast to srcShape. */
export function scatterAdd(src: ArrayLike<number>, srcShape: Shape, axis: number, index: ArrayLike<number>, indexShape: Shape, outShape: Shape): number[] {
  const out = new Array<number>(size(outShape)).fill(0);
  const os = strides(outShape);
  coords(srcShape).forEach((c, i) => {
    const j = index[broadcastIndex(indexShape, c)];
    out[c.reduce((s, v, d) => s + (d === axis ? j : v) * os[d], 0)] += src[i];
  });
  return out;
}

/** `batch` products op(A)·op(B) (+ bias per column), with A stored k×m when transposed and B n×k. */
export function matmul(
  a: ArrayLike<number>, b: ArrayLike<number>, batch: number, m: number, n: number, k: number,
  transA: boolean, transB: boolean, bias?: ArrayLike<number> | null,
): number[] {
  const out: number[] = [];
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = bias ? bias[j] : 0;
        for (let p = 0; p < k; p++) {
          const av = a[t * m * k + (transA ? p * m + i : i * k + p)];
          const bv = b[t * k * n + (transB ? j * k + p : p * n + j)];
          s += av * bv;
        }
        out.push(s);
      }
    }
  }
  return out;
}

/** softmax (or log-softmax) along the middle axis, in float64 with the textbook formula. */
export function softmax(x: ArrayLike<number>, outer: number, n: number, inner: number, log: boolean): number[] {
  const out = new Array<number>(outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => (o * n + j) * inner + i;
      const m = Math.max(...Array.from({ length: n }, (_, j) => x[at(j)]));
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(x[at(j)] - m);
      for (let j = 0; j < n; j++) out[at(j)] = log ? x[at(j)] - m - Math.log(s) : Math.exp(x[at(j)] - m) / s;
    }
  }
  return out;
}

/** The Jacobian-vector product of softmax at output y: dx_j = Σ_i dy_i·∂y_i/∂x_j, written as the full sum. */
export function softmaxGrad(y: ArrayLike<number>, dy: ArrayLike<number>, outer: number, n: number, inner: number, log: boolean): number[] {
  const dx = new Array<number>(outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => (o * n + j) * inner + i;
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let r = 0; r < n; r++) {
          // softmax: ∂y_r/∂x_j = y_r(δ_rj − y_j); log-softmax: ∂y_r/∂x_j = δ_rj − softmax_j.
          const jac = log ? (r === j ? 1 : 0) - Math.exp(y[at(j)]) : y[at(r)] * ((r === j ? 1 : 0) - y[at(j)]);
          s += dy[at(r)] * jac;
        }
        dx[at(j)] = s;
      }
    }
  }
  return dx;
}

/** y[n,o,i,j] = Σ_c,p,q x[n,c,i·s−pad+p, j·s−pad+q]·w[o,c,p,q] + bias[o], reading zeros outside. */
export function conv2d(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null, g: Conv2dGeometry): number[] {
  const out: number[] = [];
  for (let n = 0; n < g.n; n++) for (let o = 0; o < g.o; o++) for (let i = 0; i < g.oh; i++) for (let j = 0; j < g.ow; j++) {
    let s = bias ? bias[o] : 0;
    for (let c = 0; c < g.c; c++) for (let p = 0; p < g.kh; p++) for (let q = 0; q < g.kw; q++) {
      const y = i * g.stride - g.padding + p, xx = j * g.stride - g.padding + q;
      if (y < 0 || y >= g.h || xx < 0 || xx >= g.w) continue;
      s += x[((n * g.c + c) * g.h + y) * g.w + xx] * w[((o * g.c + c) * g.kh + p) * g.kw + q];
    }
    out.push(s);
  }
  return out;
}

/** The adjoints of conv2d: dx and dw such that Σ dy·conv(x, w) has these partial derivatives. */
export function conv2dGrads(dy: ArrayLike<number>, x: ArrayLike<number>, w: ArrayLike<number>, g: Conv2dGeometry): { dx: number[]; dw: number[] } {
  const dx = new Array<number>(g.n * g.c * g.h * g.w).fill(0);
  const dw = new Array<number>(g.o * g.c * g.kh * g.kw).fill(0);
  for (let n = 0; n < g.n; n++) for (let o = 0; o < g.o; o++) for (let i = 0; i < g.oh; i++) for (let j = 0; j < g.ow; j++) {
    const d = dy[((n * g.o + o) * g.oh + i) * g.ow + j];
    for (let c = 0; c < g.c; c++) for (let p = 0; p < g.kh; p++) for (let q = 0; q < g.kw; q++) {
      const y = i * g.stride - g.padding + p, xx = j * g.stride - g.padding + q;
      if (y < 0 || y >= g.h || xx < 0 || xx >= g.w) continue;
      const xi = ((n * g.c + c) * g.h + y) * g.w + xx, wi = ((o * g.c + c) * g.kh + p) * g.kw + q;
      dx[xi] += d * w[wi];
      dw[wi] += d * x[xi];
    }
  }
  return { dx, dw };
}

/** Each window's maximum (the first, in row-major order, on ties; the first NaN wins) and its offset h·W + w. */
export function maxPool2d(x: ArrayLike<number>, g: Pool2dGeometry): { values: number[]; argmax: number[] } {
  const values: number[] = [], argmax: number[] = [];
  for (let pl = 0; pl < g.n * g.c; pl++) for (let i = 0; i < g.oh; i++) for (let j = 0; j < g.ow; j++) {
    let best = NaN, at = -1;
    for (let p = 0; p < g.kernel; p++) for (let q = 0; q < g.kernel; q++) {
      const off = (i * g.stride + p) * g.w + j * g.stride + q;
      const v = x[pl * g.h * g.w + off];
      if (at >= 0 && Number.isNaN(best)) continue;
      if (at < 0 || Number.isNaN(v) || v > best) { best = v; at = off; }
    }
    values.push(best);
    argmax.push(at);
  }
  return { values, argmax };
}

/** dx: each dy added at its window's argmax. */
export function maxPool2dGrad(dy: ArrayLike<number>, argmax: ArrayLike<number>, g: Pool2dGeometry): number[] {
  const dx = new Array<number>(g.n * g.c * g.h * g.w).fill(0);
  const per = g.oh * g.ow;
  for (let q = 0; q < dy.length; q++) dx[Math.floor(q / per) * g.h * g.w + argmax[q]] += dy[q];
  return dx;
}

/** Output length of a convolution or pooling along one axis. */
export function outLength(len: number, k: number, stride: number, padding: number): number {
  return Math.floor((len + 2 * padding - k) / stride) + 1;
}

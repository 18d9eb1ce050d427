/**
 * Float64 references, written from the ops' definitions (PyTorch's documented semantics),
 * for the ops the exporter converts that tsgrad's core does not have yet: a test compares
 * onnxruntime's output with these, independently of the exporter.
 */
import { Tensor } from '../../../src/tensor/tensor.ts';

type Index = number[];

/** A tensor whose element at each multi-index is f(index). */
export function gen(shape: readonly number[], f: (idx: Index) => number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const idx = shape.map(() => 0);
  for (let i = 0; i < size; i++) {
    out[i] = f(idx);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return new Tensor(out, [...shape]);
}

/** x's element at idx; idx may be longer than x's rank and size-1 dims broadcast (NumPy rules). */
export function at(x: Tensor, idx: Index): number {
  let off = 0;
  let stride = 1;
  const lead = idx.length - x.shape.length;
  for (let d = x.shape.length - 1; d >= 0; d--) {
    const n = x.shape[d];
    off += (n === 1 ? 0 : idx[d + lead]) * stride;
    stride *= n;
  }
  return x.data[off];
}

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    return x === 1 ? y : x;
  });
}

export const map = (x: Tensor, f: (v: number) => number) => gen(x.shape, (i) => f(at(x, i)));
export const zip = (a: Tensor, b: Tensor, f: (x: number, y: number) => number) => gen(broadcastShape(a.shape, b.shape), (i) => f(at(a, i), at(b, i)));

/** erf to ~1e-7 relative (Numerical Recipes' erfc Chebyshev fit). */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

/** Values of x along `axes` at the positions of `idx` elsewhere (keepDim layout). */
function along(x: Tensor, idx: Index, axes: number[]): number[] {
  const out: number[] = [];
  const sizes = axes.map((a) => x.shape[a]);
  const total = sizes.reduce((p, s) => p * s, 1);
  const full = [...idx];
  for (let k = 0; k < total; k++) {
    let r = k;
    for (let j = axes.length - 1; j >= 0; j--) { full[axes[j]] = r % sizes[j]; r = Math.floor(r / sizes[j]); }
    out.push(at(x, full));
  }
  return out;
}

/** A reduction over `axes` with keepDim, then reshaped to drop them when !keepDim. */
export function reduceRef(x: Tensor, axes: number[], keepDim: boolean, f: (vs: number[]) => number): Tensor {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const r = gen(kept, (idx) => f(along(x, idx, axes)));
  return keepDim ? r : new Tensor(r.data, x.shape.filter((_, i) => !axes.includes(i)));
}

export const sumOf = (v: number[]) => v.reduce((a, b) => a + b, 0);
export const meanOf = (v: number[]) => sumOf(v) / v.length;
export const varOf = (v: number[], correction: number) => { const m = meanOf(v); return sumOf(v.map((x) => (x - m) ** 2)) / (v.length - correction); };

export function conv1d(x: Tensor, w: Tensor, b: Tensor | null, stride: number, padding: number, dilation: number, groups: number): Tensor {
  const [n, , l] = x.shape;
  const [o, cg, k] = w.shape;
  const ol = Math.floor((l + 2 * padding - dilation * (k - 1) - 1) / stride) + 1;
  const perGroup = o / groups;
  return gen([n, o, ol], ([ni, oi, li]) => {
    let s = b ? b.data[oi] : 0;
    const g = Math.floor(oi / perGroup);
    for (let ci = 0; ci < cg; ci++) {
      for (let ki = 0; ki < k; ki++) {
        const pos = li * stride - padding + ki * dilation;
        if (pos >= 0 && pos < l) s += at(x, [ni, g * cg + ci, pos]) * at(w, [oi, ci, ki]);
      }
    }
    return s;
  });
}

/** Transposed 2-D convolution (groups 1): each input pixel scatters weight·x into the output. */
export function convTranspose2d(x: Tensor, w: Tensor, b: Tensor | null, stride: number, padding: number, outputPadding: number): Tensor {
  const [n, ci, h, wd] = x.shape;
  const [, co, kh, kw] = w.shape;
  const oh = (h - 1) * stride - 2 * padding + kh + outputPadding;
  const ow = (wd - 1) * stride - 2 * padding + kw + outputPadding;
  const out = new Float64Array(n * co * oh * ow);
  for (let ni = 0; ni < n; ni++) for (let c = 0; c < ci; c++) for (let y = 0; y < h; y++) for (let xx = 0; xx < wd; xx++) {
    const v = at(x, [ni, c, y, xx]);
    for (let o = 0; o < co; o++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const oy = y * stride - padding + i;
      const ox = xx * stride - padding + j;
      if (oy >= 0 && oy < oh && ox >= 0 && ox < ow) out[((ni * co + o) * oh + oy) * ow + ox] += v * at(w, [c, o, i, j]);
    }
  }
  return gen([n, co, oh, ow], ([ni, o, y, xx]) => out[((ni * co + o) * oh + y) * ow + xx] + (b ? b.data[o] : 0));
}

/** Average pooling with zero padding counted in the divisor (PyTorch's default). */
export function avgPool2d(x: Tensor, k: number, s: number, p: number): Tensor {
  const [n, c, h, w] = x.shape;
  const oh = Math.floor((h + 2 * p - k) / s) + 1;
  const ow = Math.floor((w + 2 * p - k) / s) + 1;
  return gen([n, c, oh, ow], ([ni, ci, y, xx]) => {
    let sum = 0;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
      const yy = y * s - p + i;
      const x2 = xx * s - p + j;
      if (yy >= 0 && yy < h && x2 >= 0 && x2 < w) sum += at(x, [ni, ci, yy, x2]);
    }
    return sum / (k * k);
  });
}

/** Adaptive average pooling: window i spans [floor(i·H/oH), ceil((i+1)·H/oH)). */
export function adaptiveAvgPool2d(x: Tensor, oh: number, ow: number): Tensor {
  const [n, c, h, w] = x.shape;
  return gen([n, c, oh, ow], ([ni, ci, y, xx]) => {
    const [y0, y1] = [Math.floor((y * h) / oh), Math.ceil(((y + 1) * h) / oh)];
    const [x0, x1] = [Math.floor((xx * w) / ow), Math.ceil(((xx + 1) * w) / ow)];
    let s = 0;
    for (let i = y0; i < y1; i++) for (let j = x0; j < x1; j++) s += at(x, [ni, ci, i, j]);
    return s / ((y1 - y0) * (x1 - x0));
  });
}

/** Nearest upsampling: output pixel o reads input floor(o / scale). */
export function upsampleNearest(x: Tensor, scale: number): Tensor {
  const [n, c, h, w] = x.shape;
  return gen([n, c, h * scale, w * scale], ([ni, ci, y, xx]) => at(x, [ni, ci, Math.floor(y / scale), Math.floor(xx / scale)]));
}

/** Bilinear upsampling, align_corners false: source = (o + 0.5)/scale − 0.5, clamped at 0. */
export function upsampleBilinear(x: Tensor, scale: number): Tensor {
  const [n, c, h, w] = x.shape;
  const src = (o: number, size: number) => {
    const s = Math.max((o + 0.5) / scale - 0.5, 0);
    const i0 = Math.min(Math.floor(s), size - 1);
    const i1 = Math.min(i0 + 1, size - 1);
    return [i0, i1, s - i0] as const;
  };
  return gen([n, c, h * scale, w * scale], ([ni, ci, y, xx]) => {
    const [y0, y1, fy] = src(y, h);
    const [x0, x1, fx] = src(xx, w);
    const v = (i: number, j: number) => at(x, [ni, ci, i, j]);
    return (1 - fy) * ((1 - fx) * v(y0, x0) + fx * v(y0, x1)) + fy * ((1 - fx) * v(y1, x0) + fx * v(y1, x1));
  });
}

export function batchNorm(x: Tensor, mean: Tensor, variance: Tensor, w: Tensor, b: Tensor, eps: number): Tensor {
  return gen(x.shape, (idx) => {
    const c = idx[1];
    return ((at(x, idx) - mean.data[c]) / Math.sqrt(variance.data[c] + eps)) * w.data[c] + b.data[c];
  });
}

export function layerNorm(x: Tensor, dims: number, w: Tensor | null, b: Tensor | null, eps: number): Tensor {
  const axes = Array.from({ length: dims }, (_, i) => x.shape.length - dims + i);
  return gen(x.shape, (idx) => {
    const vs = along(x, idx, axes);
    const m = meanOf(vs);
    const v = varOf(vs, 0);
    let flat = 0;
    for (const a of axes) flat = flat * x.shape[a] + idx[a];
    return ((at(x, idx) - m) / Math.sqrt(v + eps)) * (w ? w.data[flat] : 1) + (b ? b.data[flat] : 0);
  });
}

export function groupNorm(x: Tensor, groups: number, w: Tensor, b: Tensor, eps: number): Tensor {
  const c = x.shape[1];
  const per = c / groups;
  return gen(x.shape, (idx) => {
    const g = Math.floor(idx[1] / per);
    const vs: number[] = [];
    const probe = [...idx];
    for (let ch = g * per; ch < (g + 1) * per; ch++) {
      probe[1] = ch;
      vs.push(...along(x, probe, x.shape.map((_, i) => i).slice(2)));
    }
    return ((at(x, idx) - meanOf(vs)) / Math.sqrt(varOf(vs, 0) + eps)) * w.data[idx[1]] + b.data[idx[1]];
  });
}

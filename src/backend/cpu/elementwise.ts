/** CPU elementwise kernels: unary math, activation gradients, broadcasting binary ops. */
import type { BinaryOp, ScalarOp, UnaryGradOp, UnaryOp } from '../core-kernels.ts';
import { toHost, type Storage } from '../../tensor/storage.ts';
import { broadcastStrides, sameShape, sizeOf, type Shape } from '../../tensor/shape.ts';

// One tight loop per op: a switch inside the loop would be re-evaluated per element.
const UNARY: Record<UnaryOp, (x: Float32Array, y: Float32Array) => void> = {
  copy: (x, y) => y.set(x),
  neg: (x, y) => { for (let i = 0; i < x.length; i++) y[i] = -x[i]; },
  exp: (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.exp(x[i]); },
  log: (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.log(x[i]); },
  sqrt: (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.sqrt(x[i]); },
  abs: (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.abs(x[i]); },
  sign: (x, y) => { for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? 1 : x[i] < 0 ? -1 : 0; },
  relu: (x, y) => { for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0; },
  // The two branches keep exp() from overflowing for large |x|.
  sigmoid: (x, y) => {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
      else { const e = Math.exp(v); y[i] = e / (1 + e); }
    }
  },
  tanh: (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]); },
};

/** y = f(x). */
export function unary(op: UnaryOp, x: Storage, size: number): Float32Array {
  const y = new Float32Array(size);
  UNARY[op](toHost(x), y);
  return y;
}

/** dx = dy · f′(x), using whichever of x or y gives f′ most cheaply. */
export function unaryGrad(op: UnaryGradOp, xs: Storage, ys: Storage, dys: Storage, size: number): Float32Array {
  const dy = toHost(dys);
  const dx = new Float32Array(size);
  switch (op) {
    case 'relu': {
      const x = toHost(xs);
      for (let i = 0; i < size; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
      break;
    }
    case 'sigmoid': {
      const y = toHost(ys);
      for (let i = 0; i < size; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
      break;
    }
    case 'tanh': {
      const y = toHost(ys);
      for (let i = 0; i < size; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
      break;
    }
  }
  return dx;
}

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

/** Same-shape loops, the common case, written out so V8 can inline the arithmetic. */
function binarySameShape(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array): void {
  const n = out.length;
  switch (op) {
    case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; break;
    case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; break;
    case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; break;
    case 'div': for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; break;
  }
}

/** out = a op b with NumPy broadcasting. */
export function binary(op: BinaryOp, as: Storage, aShape: Shape, bs: Storage, bShape: Shape, outShape: Shape): Float32Array {
  const a = toHost(as), b = toHost(bs);
  const out = new Float32Array(sizeOf(outShape));
  if (sameShape(aShape, bShape)) {
    binarySameShape(op, a, b, out);
    return out;
  }
  const f = BINARY[op];
  const nd = outShape.length;
  if (nd === 0) { out[0] = f(a[0], b[0]); return out; }
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  // Odometer over all but the last dimension; the innermost dimension is a plain loop.
  const last = nd - 1;
  const inner = outShape[last];
  const saL = sa[last], sbL = sb[last];
  const idx = new Array<number>(nd).fill(0);
  let ia = 0, ib = 0;
  for (let o = 0; o < out.length; o += inner) {
    for (let j = 0; j < inner; j++) out[o + j] = f(a[ia + j * saL], b[ib + j * sbL]);
    for (let d = last - 1; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < outShape[d]) break;
      ia -= sa[d] * outShape[d];
      ib -= sb[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** out = x op s. */
export function scalar(op: ScalarOp, xs: Storage, s: number, size: number): Float32Array {
  const x = toHost(xs);
  const y = new Float32Array(size);
  switch (op) {
    case 'add': for (let i = 0; i < size; i++) y[i] = x[i] + s; break;
    case 'mul': for (let i = 0; i < size; i++) y[i] = x[i] * s; break;
    case 'rsub': for (let i = 0; i < size; i++) y[i] = s - x[i]; break;
    case 'rdiv': for (let i = 0; i < size; i++) y[i] = s / x[i]; break;
    case 'clampMin': for (let i = 0; i < size; i++) y[i] = x[i] < s ? s : x[i]; break;
    case 'clampMax': for (let i = 0; i < size; i++) y[i] = x[i] > s ? s : x[i]; break;
    case 'pow':
      if (s === 2) for (let i = 0; i < size; i++) y[i] = x[i] * x[i];
      else for (let i = 0; i < size; i++) y[i] = Math.pow(x[i], s);
      break;
  }
  return y;
}

/** Copies x broadcast from `shape` to `outShape`. */
export function broadcastTo(xs: Storage, shape: Shape, outShape: Shape): Float32Array {
  const x = toHost(xs);
  if (sameShape(shape, outShape)) return x.slice();
  const out = new Float32Array(sizeOf(outShape));
  if (x.length === 1) return out.fill(x[0]);
  const zero = new Float32Array(1);
  // Adding a broadcast zero reuses the broadcasting loop rather than writing a second one.
  return binary('add', x, shape, zero, [], outShape);
}

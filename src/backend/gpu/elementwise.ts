/** GPU elementwise kernels: unary math, activation gradients, broadcasting binary ops, scalars, broadcastTo, permute. */
import type { BinaryOp, CoreKernels, ScalarOp, UnaryGradOp, UnaryOp } from '../core-kernels.ts';
import type { Storage } from '../../tensor/storage.ts';
import { broadcastStrides, sameShape, sizeOf, stridesOf, type Shape } from '../../tensor/shape.ts';
import { indexLines } from './codegen.ts';
import type { GpuRuntime } from './runtime.ts';

/** Kernel bodies computing f(v); each ends in a return. */
const UNARY_BODY: Record<UnaryOp, string> = {
  copy: 'return v;',
  neg: 'return -v;',
  exp: 'return Math.exp(v);',
  log: 'return Math.log(v);',
  sqrt: 'return Math.sqrt(v);',
  abs: 'return Math.abs(v);',
  relu: 'if (v > 0) { return v; } return 0;',
  sign: 'if (v > 0) { return 1; } if (v < 0) { return -1; } return 0;',
  // exp of a non-positive number only, so large |v| neither overflows nor loses the answer.
  sigmoid: 'const e = Math.exp(-Math.abs(v)); if (v >= 0) { return 1 / (1 + e); } return e / (1 + e);',
  // GLSL ES 1.0 has no tanh (gpu.js's stand-in overflows to NaN above |v| ≈ 44). Near zero,
  // (1 − e)/(1 + e) cancels, so small |v| uses the series, accurate to 1e-8 below 0.25.
  tanh:
    'const a = Math.abs(v); let t = 0;' +
    'if (a < 0.25) { const a2 = a * a; t = a * (1 + a2 * (-0.3333333333333333 + a2 * (0.13333333333333333 + a2 * (-0.05396825396825397 + a2 * 0.021869488536155203)))); }' +
    'else { const e = Math.exp(-2 * a); t = (1 - e) / (1 + e); }' +
    'if (v < 0) { return -t; } return t;',
};

/** dx from the saved input x (relu) or output y (sigmoid, tanh) and dy. */
const UNARY_GRAD: Record<UnaryGradOp, string> = {
  relu: 'function (x, y, dy) { const i = this.thread.x; if (x[i] > 0) { return dy[i]; } return 0; }',
  sigmoid: 'function (x, y, dy) { const i = this.thread.x; const s = y[i]; return dy[i] * s * (1 - s); }',
  tanh: 'function (x, y, dy) { const i = this.thread.x; const t = y[i]; return dy[i] * (1 - t * t); }',
};

const BINARY_OP: Record<BinaryOp, string> = { add: '+', sub: '-', mul: '*', div: '/' };

/** Body of `x op s` with s a uniform (pow is generated separately: its exponent shapes the code). */
const SCALAR_BODY: Record<Exclude<ScalarOp, 'pow'>, string> = {
  add: 'return v + s;',
  mul: 'return v * s;',
  rsub: 'return s - v;',
  rdiv: 'return s / v;',
  clampMin: 'if (v < s) { return s; } return v;',
  clampMax: 'if (v > s) { return s; } return v;',
};

/**
 * xᵖ with JS's Math.pow semantics where GLSL's pow is undefined (negative bases, zero).
 * Small integer powers are multiplications, which are exact to rounding; other integer
 * powers take |v|ᵖ and restore the sign; a fractional power of a negative number is NaN.
 */
function powBody(p: number): string {
  if (p === 0) return 'return 1;';
  if (Number.isInteger(p) && Math.abs(p) <= 4) {
    const prod = new Array(Math.abs(p)).fill('v').join(' * ');
    return p > 0 ? `return ${prod};` : `return 1 / (${prod});`;
  }
  if (Number.isInteger(p)) {
    const mag = p > 0 ? `Math.pow(a, ${Math.abs(p)})` : `1 / Math.pow(a, ${Math.abs(p)})`;
    const odd = Math.abs(p) % 2 === 1;
    return `const a = Math.abs(v); const m = ${mag};` + (odd ? ' if (v < 0) { return -m; }' : '') + ' return m;';
  }
  if (p === 0.5) return 'if (v < 0) { return nan; } return Math.sqrt(v);';
  // GLSL pow(0, y) is undefined; 0^p is 0 for p > 0 and +∞ for p < 0.
  const zero = p > 0 ? 'return 0;' : 'return inf;';
  return `if (v < 0) { return nan; } if (v == 0) { ${zero} } return Math.pow(v, ${p});`;
}

/** The elementwise kernels of the gpu backend. */
export function elementwiseKernels(rt: GpuRuntime): Pick<CoreKernels, 'unary' | 'unaryGrad' | 'binary' | 'scalar' | 'broadcastTo' | 'permute'> {
  return {
    unary(op: UnaryOp, x: Storage, size: number): Storage {
      return rt.run(`function (x) { const v = x[this.thread.x]; ${UNARY_BODY[op]} }`, size, [x]);
    },

    unaryGrad(op: UnaryGradOp, x: Storage, y: Storage, dy: Storage, size: number): Storage {
      return rt.run(UNARY_GRAD[op], size, [x, y, dy]);
    },

    binary(op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, outShape: Shape): Storage {
      const sym = BINARY_OP[op];
      const size = sizeOf(outShape);
      if (sameShape(aShape, bShape)) {
        return rt.run(`function (a, b) { const i = this.thread.x; return a[i] ${sym} b[i]; }`, size, [a, b]);
      }
      const index = indexLines('this.thread.x', outShape, [broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)], ['ia', 'ib']);
      return rt.run(`function (a, b) {\n${index}\nreturn a[ia] ${sym} b[ib]; }`, size, [a, b]);
    },

    scalar(op: ScalarOp, x: Storage, s: number, size: number): Storage {
      if (op === 'pow') {
        // NaN and ∞ go in as uniforms: GLSL has no literal for them.
        return rt.run(`function (x, nan, inf) { const v = x[this.thread.x]; ${powBody(s)} }`, size, [x, NaN, Infinity]);
      }
      return rt.run(`function (x, s) { const v = x[this.thread.x]; ${SCALAR_BODY[op]} }`, size, [x, s]);
    },

    broadcastTo(x: Storage, shape: Shape, outShape: Shape): Storage {
      const index = indexLines('this.thread.x', outShape, [broadcastStrides(shape, outShape)], ['ix']);
      return rt.run(`function (x) {\n${index}\nreturn x[ix]; }`, sizeOf(outShape), [x]);
    },

    permute(x: Storage, shape: Shape, perm: readonly number[]): Storage {
      const inStrides = stridesOf(shape);
      const outShape = perm.map((p) => shape[p]);
      const index = indexLines('this.thread.x', outShape, [perm.map((p) => inStrides[p])], ['ix']);
      return rt.run(`function (x) {\n${index}\nreturn x[ix]; }`, sizeOf(shape), [x]);
    },
  };
}

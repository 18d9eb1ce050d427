/**
 * GPU data movement. GLSL cannot scatter, so every kernel is written from its output's point
 * of view: each output element works out which input element (if any) lands on it. Strided
 * reads, padding, concatenation and gather are one read per element; scatter-add loops over
 * the source positions that could land on its element.
 */
import { broadcastStrides } from '../plan.ts';
import type { Storage } from '../../tensor/storage.ts';
import { sizeOf, stridesOf, type Shape } from '../../tensor/shape.ts';
import { indexLines } from './codegen.ts';
import type { GpuRuntime } from './runtime.ts';

export function strided(rt: GpuRuntime, x: Storage, outShape: Shape, strides: readonly number[], offset: number): Storage {
  const index = indexLines('this.thread.x', outShape, [strides], ['ix']);
  return rt.run(`function (x) {\n${index}\nreturn x[${offset} + ix]; }`, sizeOf(outShape), [x]);
}

export function pad(rt: GpuRuntime, x: Storage, shape: Shape, outShape: Shape, begin: readonly number[]): Storage {
  // One coordinate per output dimension: inside the placed block it reads x, else 0.
  const unit = (d: number) => outShape.map((_, k) => (k === d ? 1 : 0));
  const names = outShape.map((_, d) => `c${d}`);
  const index = indexLines('this.thread.x', outShape, outShape.map((_, d) => unit(d)), names);
  const inside = outShape.map((_, d) => `c${d} >= ${begin[d]} && c${d} < ${begin[d] + shape[d]}`).join(' && ') || 'true';
  const xs = stridesOf(shape);
  const at = outShape.map((_, d) => `(c${d} - ${begin[d]}) * ${xs[d]}`).join(' + ') || '0';
  return rt.run(`function (x) {\n${index}\nif (${inside}) { return x[${at}]; } return 0; }`, sizeOf(outShape), [x]);
}

export function concat(rt: GpuRuntime, parts: readonly Storage[], shapes: readonly Shape[], axis: number): Storage {
  const outer = sizeOf(shapes[0].slice(0, axis));
  const inner = sizeOf(shapes[0].slice(axis + 1));
  const total = shapes.reduce((s, sh) => s + sh[axis], 0);
  const index = indexLines('this.thread.x', [outer, total, inner], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], ['o', 'j', 'i']);
  let at = 0;
  const branches = shapes.map((sh, k) => {
    const n = sh[axis];
    const line = `if (j < ${at + n}) { return p${k}[(o * ${n} + (j - ${at})) * ${inner} + i]; }`;
    at += n;
    return line;
  });
  const params = parts.map((_, k) => `p${k}`).join(', ');
  return rt.run(`function (${params}) {\n${index}\n${branches.join('\n')}\nreturn 0; }`, outer * total * inner, parts);
}

export function gather(rt: GpuRuntime, x: Storage, xShape: Shape, axis: number, index: Storage, indexShape: Shape, outShape: Shape): Storage {
  const xs = stridesOf(xShape);
  const base = xs.map((s, d) => (d === axis ? 0 : s));
  const lines = indexLines('this.thread.x', outShape, [base, broadcastStrides(indexShape, outShape)], ['xb', 'ib']);
  return rt.run(`function (x, idx) {\n${lines}\nreturn x[xb + idx[ib] * ${xs[axis]}]; }`, sizeOf(outShape), [x, index]);
}

export function scatterAdd(rt: GpuRuntime, src: Storage, srcShape: Shape, axis: number, index: Storage, indexShape: Shape, outShape: Shape): Storage {
  // out[…, q, …] sums src[…, t, …] over the t whose index is q: a loop along the source axis.
  // Outside the source's extent in the other dimensions nothing lands.
  const ss = stridesOf(srcShape);
  const is = broadcastStrides(indexShape, srcShape);
  const n = srcShape[axis];
  const names = outShape.map((_, d) => `c${d}`);
  const lines = indexLines('this.thread.x', outShape, outShape.map((_, d) => outShape.map((__, k) => (k === d ? 1 : 0))), names);
  const others = outShape.map((_, d) => d).filter((d) => d !== axis);
  const inside = others.map((d) => `c${d} < ${srcShape[d]}`).join(' && ') || 'true';
  const sb = others.map((d) => `c${d} * ${ss[d]}`).join(' + ') || '0';
  const ib = others.map((d) => `c${d} * ${is[d]}`).join(' + ') || '0';
  const source =
    `function (src, idx) {\n${lines}\nif (!(${inside})) { return 0; }\nconst sb = ${sb}; const ib = ${ib}; let acc = 0;\n` +
    `for (let t = 0; t < ${n}; t++) { if (idx[ib + t * ${is[axis]}] == c${axis}) { acc += src[sb + t * ${ss[axis]}]; } }\nreturn acc; }`;
  return rt.run(source, sizeOf(outShape), [src, index]);
}

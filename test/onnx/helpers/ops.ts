/**
 * Ops that record themselves into the stand-in trace, named and with arguments as the
 * core's trace names them. Ops tsgrad has are computed by tsgrad; the others by the float64
 * references, so the expected values never come from the exporter.
 */
import '../../../src/index.ts'; // registers the cpu backend and the Tensor methods
import * as ops from '../../../src/ops/index.ts';
import { Tensor } from '../../../src/tensor/tensor.ts';
import { record } from './stand-in-trace.ts';
import * as ref from './reference.ts';

const rec = (op: string, inputs: Tensor[], attrs: Record<string, unknown>, compute: () => Tensor) => record(op, inputs, attrs, compute);

export const r = {
  add: (a: Tensor, b: Tensor | number) => (typeof b === 'number' ? rec('add', [a], { other: b }, () => ops.add(a, b)) : rec('add', [a, b], {}, () => ops.add(a, b))),
  sub: (a: Tensor, b: Tensor | number) => (typeof b === 'number' ? rec('sub', [a], { other: b }, () => ops.sub(a, b)) : rec('sub', [a, b], {}, () => ops.sub(a, b))),
  mul: (a: Tensor, b: Tensor | number) => (typeof b === 'number' ? rec('mul', [a], { other: b }, () => ops.mul(a, b)) : rec('mul', [a, b], {}, () => ops.mul(a, b))),
  div: (a: Tensor, b: Tensor | number) => (typeof b === 'number' ? rec('div', [a], { other: b }, () => ops.div(a, b)) : rec('div', [a, b], {}, () => ops.div(a, b))),
  pow: (a: Tensor, p: number) => rec('pow', [a], { other: p }, () => ops.pow(a, p)),
  neg: (x: Tensor) => rec('neg', [x], {}, () => ops.neg(x)),
  exp: (x: Tensor) => rec('exp', [x], {}, () => ops.exp(x)),
  log: (x: Tensor) => rec('log', [x], {}, () => ops.log(x)),
  sqrt: (x: Tensor) => rec('sqrt', [x], {}, () => ops.sqrt(x)),
  abs: (x: Tensor) => rec('abs', [x], {}, () => ops.abs(x)),
  relu: (x: Tensor) => rec('relu', [x], {}, () => ops.relu(x)),
  sigmoid: (x: Tensor) => rec('sigmoid', [x], {}, () => ops.sigmoid(x)),
  tanh: (x: Tensor) => rec('tanh', [x], {}, () => ops.tanh(x)),
  softmax: (x: Tensor, axis = -1) => rec('softmax', [x], { axis }, () => ops.softmax(x, axis)),
  logSoftmax: (x: Tensor, axis = -1) => rec('logSoftmax', [x], { axis }, () => ops.logSoftmax(x, axis)),
  sum: (x: Tensor, axis?: number | number[], keepDim = false) => rec('sum', [x], { axis, keepDim }, () => ops.sum(x, axis, keepDim)),
  mean: (x: Tensor, axis?: number | number[], keepDim = false) => rec('mean', [x], { axis, keepDim }, () => ops.mean(x, axis, keepDim)),
  max: (x: Tensor, axis?: number, keepDim = false) => rec('max', [x], { axis, keepDim }, () => ops.max(x, axis, keepDim)),
  argmax: (x: Tensor, axis?: number) => rec('argmax', [x], { axis }, () => ops.argmax(x, axis)),
  reshape: (x: Tensor, shape: number[]) => rec('reshape', [x], { shape }, () => ops.reshape(x, shape)),
  flatten: (x: Tensor, startDim = 0) => rec('flatten', [x], { startDim }, () => ops.flatten(x, startDim)),
  transpose: (x: Tensor, a = -2, b = -1) => rec('transpose', [x], { a, b }, () => ops.transpose(x, a, b)),
  matmul: (a: Tensor, b: Tensor) => rec('matmul', [a, b], {}, () => ops.matmul(a, b)),
  linear: (x: Tensor, w: Tensor, b: Tensor | null) => rec('linear', b ? [x, w, b] : [x, w], {}, () => ops.linear(x, w, b)),
  conv2d: (x: Tensor, w: Tensor, b: Tensor | null, stride = 1, padding = 0) =>
    rec('conv2d', b ? [x, w, b] : [x, w], { stride, padding }, () => ops.conv2d(x, w, b, { stride, padding })),
  maxPool2d: (x: Tensor, kernel: number, stride = kernel) => rec('maxPool2d', [x], { kernel, stride }, () => ops.maxPool2d(x, kernel, stride)),
  dropout: (x: Tensor, p: number, training: boolean) => rec('dropout', [x], { p, training }, () => ops.dropout(x, p, training)),

  // Ops the core does not have yet: computed by the references.
  gelu: (x: Tensor, approximate = 'none') => rec('gelu', [x], { approximate }, () =>
    ref.map(x, (v) => (approximate === 'tanh'
      ? 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))
      : 0.5 * v * (1 + ref.erf(v / Math.SQRT2))))),
  erf: (x: Tensor) => rec('erf', [x], {}, () => ref.map(x, ref.erf)),
  conv1d: (x: Tensor, w: Tensor, b: Tensor | null, o: { stride?: number; padding?: number; dilation?: number; groups?: number } = {}) =>
    rec('conv1d', b ? [x, w, b] : [x, w], { ...o }, () => ref.conv1d(x, w, b, o.stride ?? 1, o.padding ?? 0, o.dilation ?? 1, o.groups ?? 1)),
  convTranspose2d: (x: Tensor, w: Tensor, b: Tensor | null, o: { stride?: number; padding?: number; outputPadding?: number } = {}) =>
    rec('convTranspose2d', b ? [x, w, b] : [x, w], { ...o }, () => ref.convTranspose2d(x, w, b, o.stride ?? 1, o.padding ?? 0, o.outputPadding ?? 0)),
  avgPool2d: (x: Tensor, kernel: number, stride = kernel, padding = 0) => rec('avgPool2d', [x], { kernel, stride, padding }, () => ref.avgPool2d(x, kernel, stride, padding)),
  adaptiveAvgPool2d: (x: Tensor, size: number) => rec('adaptiveAvgPool2d', [x], { outputSize: size }, () => ref.adaptiveAvgPool2d(x, size, size)),
  upsample: (x: Tensor, scaleFactor: number, mode: 'nearest' | 'bilinear') => rec('upsample', [x], { scaleFactor, mode },
    () => (mode === 'nearest' ? ref.upsampleNearest(x, scaleFactor) : ref.upsampleBilinear(x, scaleFactor))),
  batchNorm: (x: Tensor, mean: Tensor, variance: Tensor, w: Tensor, b: Tensor, eps = 1e-5) =>
    rec('batchNorm', [x, mean, variance, w, b], { training: false, momentum: 0.1, eps }, () => ref.batchNorm(x, mean, variance, w, b, eps)),
  groupNorm: (x: Tensor, groups: number, w: Tensor, b: Tensor, eps = 1e-5) => rec('groupNorm', [x, w, b], { numGroups: groups, eps }, () => ref.groupNorm(x, groups, w, b, eps)),
  embedding: (indices: Tensor, weight: Tensor) => rec('embedding', [indices, weight], {}, () =>
    ref.gen([...indices.shape, weight.shape[1]], (i) => ref.at(weight, [ref.at(indices, i.slice(0, -1)), i[i.length - 1]]))),
  var: (x: Tensor, axis: number, keepDim = false) => rec('var', [x], { axis, keepDim }, () => ref.reduceRef(x, [axis < 0 ? axis + x.ndim : axis], keepDim, (v) => ref.varOf(v, 1))),
  std: (x: Tensor, axis: number) => rec('std', [x], { axis, keepDim: false }, () => ref.reduceRef(x, [axis < 0 ? axis + x.ndim : axis], false, (v) => Math.sqrt(ref.varOf(v, 1)))),
  logsumexp: (x: Tensor, axis: number) => rec('logsumexp', [x], { axis, keepDim: false }, () => ref.reduceRef(x, [axis], false, (v) => Math.log(ref.sumOf(v.map(Math.exp))))),
  min: (x: Tensor, axis: number) => rec('min', [x], { axis, keepDim: false }, () => ref.reduceRef(x, [axis], false, (v) => Math.min(...v))),
  argmin: (x: Tensor, axis: number) => rec('argmin', [x], { axis }, () => ref.reduceRef(x, [axis], false, (v) => v.indexOf(Math.min(...v)))),
  sin: (x: Tensor) => rec('sin', [x], {}, () => ref.map(x, Math.sin)),
  cos: (x: Tensor) => rec('cos', [x], {}, () => ref.map(x, Math.cos)),
  clamp: (x: Tensor, min?: number, max?: number) => rec('clamp', [x], { min, max }, () => ref.map(x, (v) => Math.min(max ?? Infinity, Math.max(min ?? -Infinity, v)))),
  leakyRelu: (x: Tensor, slope = 0.01) => rec('leakyRelu', [x], { slope }, () => ref.map(x, (v) => (v > 0 ? v : slope * v))),
  elu: (x: Tensor, alpha = 1) => rec('elu', [x], { alpha }, () => ref.map(x, (v) => (v > 0 ? v : alpha * Math.expm1(v)))),
  silu: (x: Tensor) => rec('silu', [x], {}, () => ref.map(x, (v) => v / (1 + Math.exp(-v)))),
  softplus: (x: Tensor) => rec('softplus', [x], {}, () => ref.map(x, (v) => Math.log1p(Math.exp(v)))),
  logSigmoid: (x: Tensor) => rec('logSigmoid', [x], {}, () => ref.map(x, (v) => -Math.log1p(Math.exp(-v)))),
  minimum: (a: Tensor, b: Tensor) => rec('minimum', [a, b], {}, () => ref.zip(a, b, Math.min)),
  maximum: (a: Tensor, b: Tensor) => rec('maximum', [a, b], {}, () => ref.zip(a, b, Math.max)),
  permute: (x: Tensor, ...dims: number[]) => rec('permute', [x], { dims }, () => ref.gen(dims.map((d) => x.shape[d]), (i) => {
    const src: number[] = [];
    dims.forEach((d, k) => { src[d] = i[k]; });
    return ref.at(x, src);
  })),
  expand: (x: Tensor, shape: number[]) => rec('expand', [x], { shape }, () => ref.gen(shape, (i) => ref.at(x, i))),
  repeat: (x: Tensor, ...times: number[]) => rec('repeat', [x], { times }, () => {
    const lead = times.length - x.ndim;
    const shape = times.map((t, i) => t * (i < lead ? 1 : x.shape[i - lead]));
    return ref.gen(shape, (i) => ref.at(x, i.slice(lead).map((v, k) => v % x.shape[k])));
  }),
  cat: (ts: Tensor[], dim: number) => rec('cat', ts, { dim }, () => {
    const shape = [...ts[0].shape];
    shape[dim] = ts.reduce((s, t) => s + t.shape[dim], 0);
    return ref.gen(shape, (i) => {
      let k = i[dim];
      for (const t of ts) {
        if (k < t.shape[dim]) { const j = [...i]; j[dim] = k; return ref.at(t, j); }
        k -= t.shape[dim];
      }
      throw new Error('unreachable');
    });
  }),
  stack: (ts: Tensor[], dim: number) => rec('stack', ts, { dim }, () => {
    const shape = [...ts[0].shape];
    shape.splice(dim, 0, ts.length);
    return ref.gen(shape, (i) => ref.at(ts[i[dim]], i.filter((_, k) => k !== dim)));
  }),
  narrow: (x: Tensor, dim: number, start: number, length: number) => rec('narrow', [x], { dim, start, length }, () => {
    const shape = [...x.shape];
    shape[dim] = length;
    return ref.gen(shape, (i) => { const j = [...i]; j[dim] += start; return ref.at(x, j); });
  }),
  chunk: (x: Tensor, n: number, dim: number): Tensor[] => record('chunk', [x], { chunks: n, dim }, () => {
    const size = Math.ceil(x.shape[dim] / n);
    const out: Tensor[] = [];
    for (let s = 0; s < x.shape[dim]; s += size) out.push(r.narrow(x, dim, s, Math.min(size, x.shape[dim] - s)));
    return out;
  }),
  select: (x: Tensor, dim: number, index: number) => rec('select', [x], { dim, index }, () =>
    ref.gen(x.shape.filter((_, k) => k !== dim), (i) => { const j = [...i]; j.splice(dim, 0, index < 0 ? index + x.shape[dim] : index); return ref.at(x, j); })),
  indexSelect: (x: Tensor, dim: number, indices: Tensor) => rec('indexSelect', [x, indices], { dim }, () => {
    const shape = [...x.shape];
    shape[dim] = indices.size;
    return ref.gen(shape, (i) => { const j = [...i]; j[dim] = indices.data[i[dim]]; return ref.at(x, j); });
  }),
  gather: (x: Tensor, dim: number, index: Tensor) => rec('gather', [x, index], { dim }, () =>
    ref.gen(index.shape, (i) => { const j = [...i]; j[dim] = ref.at(index, i); return ref.at(x, j); })),
  where: (cond: Tensor, a: Tensor, b: Tensor) => rec('where', [cond, a, b], {}, () => ref.gen(ref.broadcastShape(cond.shape, ref.broadcastShape(a.shape, b.shape)), (i) => (ref.at(cond, i) ? ref.at(a, i) : ref.at(b, i)))),
  gt: (a: Tensor, b: number) => rec('gt', [a], { other: b }, () => asBool(ref.map(a, (v) => (v > b ? 1 : 0)))),
  maskedFill: (x: Tensor, mask: Tensor, value: number) => rec('maskedFill', [x, mask], { value }, () => ref.zip(x, mask, (v, m) => (m ? value : v))),
  layerNorm: (x: Tensor, normalizedShape: number[], w: Tensor | null, b: Tensor | null, eps = 1e-5) =>
    rec('layerNorm', [x, ...(w ? [w] : []), ...(b ? [b] : [])], { normalizedShape, eps }, () => ref.layerNorm(x, normalizedShape.length, w, b, eps)),
};

/** Marks a tensor as having the given dtype, the way tensors will once the core has dtypes. */
export function withDtype(t: Tensor, dtype: 'int32' | 'bool'): Tensor {
  Object.defineProperty(t, 'dtype', { value: dtype });
  return t;
}

const asBool = (t: Tensor) => withDtype(t, 'bool');

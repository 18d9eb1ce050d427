/**
 * The losses as fused ops: each computes its mean over all elements (or over the batch) in
 * one pass with float64 accumulation, and returns the gradient in closed form instead of
 * recording a chain of elementwise ops.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { sameShape } from '../tensor/shape.ts';
import { toHost } from '../tensor/storage.ts';
import { backend } from '../backend/registry.ts';
import { result } from './record.ts';

/** Class labels: one whole number per row, as an Int32Array, a plain array or a Tensor. */
export type Labels = Int32Array | ArrayLike<number> | Tensor;

function scalarResult(op: string, value: number, inputs: Tensor[], backward: (g: number) => (Tensor | null)[]): Tensor {
  return result(op, backend().upload(new Float32Array([value])), [], inputs, (g) => backward(toHost(g.storage)[0]));
}

function checkSameShape(op: string, pred: Tensor, target: Tensor): void {
  if (!(target instanceof Tensor)) throw new TypeError(`${op}: target must be a Tensor`);
  if (!sameShape(pred.shape, target.shape)) {
    throw new ShapeError(`${op}: prediction ${fmtShape(pred.shape)} and target ${fmtShape(target.shape)} must have the same shape`);
  }
  if (pred.size === 0) throw new ShapeError(`${op}: cannot average over zero elements of shape ${fmtShape(pred.shape)}`);
}

/** Mean of (pred − target)² over every element. */
export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  checkSameShape('mseLoss', pred, target);
  const p = pred.data, t = target.data, n = p.length;
  let s = 0;
  for (let i = 0; i < n; i++) { const d = p[i] - t[i]; s += d * d; }
  return scalarResult('mseLoss', s / n, [pred, target], (g) => {
    const dp = new Float32Array(n);
    const c = (2 * g) / n;
    for (let i = 0; i < n; i++) dp[i] = c * (p[i] - t[i]);
    const k = backend();
    const dt = target.requiresGrad ? new Tensor(k.scalar('mul', dp, -1, n), target.shape) : null;
    return [new Tensor(k.upload(dp), pred.shape), dt];
  });
}

/** Labels as validated integers: exactly n of them, each a whole number in [0, classes). */
export function checkLabels(op: string, labels: Labels, n: number, classes: number): Int32Array {
  let values: ArrayLike<number>;
  if (labels instanceof Tensor) {
    if (labels.ndim !== 1) throw new ShapeError(`${op}: labels must be 1-D [${n}], got a Tensor of shape ${fmtShape(labels.shape)}`);
    values = labels.data;
  } else if (labels !== null && typeof labels === 'object' && typeof labels.length === 'number') {
    values = labels;
  } else {
    throw new TypeError(`${op}: labels must be an Int32Array, an array of numbers or a Tensor`);
  }
  if (values.length !== n) throw new ShapeError(`${op}: got ${values.length} labels for a batch of ${n}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = values[i];
    if (typeof y !== 'number' || !Number.isInteger(y)) throw new RangeError(`${op}: label ${i} is ${String(y)}, not a whole number`);
    if (y < 0 || y >= classes) throw new RangeError(`${op}: label ${i} is ${y}, outside the ${classes} classes [0, ${classes - 1}]`);
    out[i] = y;
  }
  return out;
}

/**
 * Mean over the batch of −log softmax(logits)[label], for logits [N,C] and N integer labels.
 * Log-softmax and the negative log-likelihood are fused: the loss is formed from x − logΣexp(x)
 * (finite for logits of any size) and the gradient is (softmax − onehot)/N.
 */
export function crossEntropy(logits: Tensor, labels: Labels): Tensor {
  if (!(logits instanceof Tensor) || logits.ndim !== 2) {
    throw new ShapeError(`crossEntropy: logits must be 2-D [N,C], got ${logits instanceof Tensor ? fmtShape(logits.shape) : typeof logits}`);
  }
  const [n, c] = logits.shape;
  if (n === 0 || c === 0) throw new ShapeError(`crossEntropy: logits ${fmtShape(logits.shape)} hold no rows or no classes`);
  const y = checkLabels('crossEntropy', labels, n, c);
  const logp = toHost(backend().softmax(logits.storage, { outer: n, n: c, inner: 1 }, true));
  let s = 0;
  for (let i = 0; i < n; i++) s -= logp[i * c + y[i]];
  return scalarResult('crossEntropy', s / n, [logits], (g) => {
    const dx = new Float32Array(n * c);
    const scale = g / n;
    for (let i = 0; i < n * c; i++) dx[i] = Math.exp(logp[i]) * scale;
    for (let i = 0; i < n; i++) dx[i * c + y[i]] -= scale;
    return [new Tensor(backend().upload(dx), logits.shape)];
  });
}

/** PyTorch's floor on each log term, so a probability of exactly 0 or 1 costs 100, not ∞. */
const LOG_FLOOR = -100;
/** PyTorch's floor on p(1 − p) in the gradient, so saturated probabilities give a finite slope. */
const GRAD_EPS = 1e-12;

/**
 * Mean over every element of −[t·log p + (1 − t)·log(1 − p)] for probabilities p in [0, 1]
 * and targets t in [0, 1]. As in PyTorch, each log is clamped at −100 rather than the
 * probabilities being nudged, and the gradient is (p − t) / max(p(1 − p), 1e-12) / n.
 * The target receives no gradient.
 */
export function binaryCrossEntropy(pred: Tensor, target: Tensor): Tensor {
  checkSameShape('binaryCrossEntropy', pred, target);
  const p = pred.data, t = target.data, n = p.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const pi = p[i], ti = t[i];
    if (!(pi >= 0 && pi <= 1)) throw new RangeError(`binaryCrossEntropy: prediction ${i} is ${pi}; probabilities must lie in [0, 1] (apply sigmoid first)`);
    if (!(ti >= 0 && ti <= 1)) throw new RangeError(`binaryCrossEntropy: target ${i} is ${ti}; targets must lie in [0, 1]`);
    s -= ti * Math.max(Math.log(pi), LOG_FLOOR) + (1 - ti) * Math.max(Math.log(1 - pi), LOG_FLOOR);
  }
  return scalarResult('binaryCrossEntropy', s / n, [pred], (g) => {
    const dp = new Float32Array(n);
    const scale = g / n;
    for (let i = 0; i < n; i++) dp[i] = (scale * (p[i] - t[i])) / Math.max(p[i] * (1 - p[i]), GRAD_EPS);
    return [new Tensor(backend().upload(dp), pred.shape)];
  });
}

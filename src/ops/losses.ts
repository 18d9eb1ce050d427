/**
 * Loss functions, each a composition of ops (so each backward comes from its parts), with
 * PyTorch's definitions and `reduction: 'mean' | 'sum' | 'none'`. The one exception is binary
 * cross-entropy, whose clamped logarithms need PyTorch's own derivative (see below).
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { sameShape } from '../tensor/shape.ts';
import { tensor } from '../tensor/creation.ts';
import { checkFloat, checkNumber, checkOneOf, checkOptions, checkTensor, show } from '../tensor/validate.ts';
import { pointwise } from './pointwise.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';
import { add, cast, div, mul, neg, sub } from './arithmetic.ts';
import { abs } from './math.ts';
import { lt, ne, where } from './compare.ts';
import { mean, sum } from './reduce.ts';
import { logSoftmax } from './softmax.ts';
import { gather, indexSelect } from './indexing.ts';
import { reshape, unsqueeze } from './view.ts';

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  /** 'mean' (default) averages over elements (or weighted rows), 'sum' adds them up, 'none' keeps one loss per element. */
  reduction?: Reduction;
}

/** Class labels: int32 tensors, Int32Arrays, or arrays of whole numbers. */
export type Labels = Tensor | Int32Array | readonly number[];

function reductionOf(op: string, options: LossOptions | undefined, known: readonly string[] = []): Reduction {
  checkOptions(op, options, ['reduction', ...known]);
  const r = options?.reduction ?? 'mean';
  checkOneOf(op, 'reduction', r, ['mean', 'sum', 'none']);
  return r;
}

function reduce(losses: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? losses : reduction === 'sum' ? sum(losses) : mean(losses);
}

function checkPair(op: string, pred: unknown, target: unknown): [Tensor, Tensor] {
  const p = checkFloat(op, 'prediction', checkTensor(op, 'prediction', pred));
  const t = checkTensor(op, 'target', target);
  if (!sameShape(p.shape, t.shape)) throw new ShapeError(`${op}: prediction ${fmtShape(p.shape)} and target ${fmtShape(t.shape)} must have the same shape`);
  return [p, t.dtype === 'float32' ? t : cast(t, 'float32')];
}

/** (pred − target)². */
export function mseLoss(pred: Tensor, target: Tensor, options?: LossOptions): Tensor {
  const reduction = reductionOf('mseLoss', options);
  const [p, t] = checkPair('mseLoss', pred, target);
  return traced('mseLoss', [p, t], { reduction }, () => { const d = sub(p, t); return reduce(mul(d, d), reduction); });
}

/** |pred − target|. */
export function l1Loss(pred: Tensor, target: Tensor, options?: LossOptions): Tensor {
  const reduction = reductionOf('l1Loss', options);
  const [p, t] = checkPair('l1Loss', pred, target);
  return traced('l1Loss', [p, t], { reduction }, () => reduce(abs(sub(p, t)), reduction));
}

export interface SmoothL1Options extends LossOptions {
  /** Where the loss turns from quadratic to linear. Default 1. */
  beta?: number;
}

/** 0.5·d²/β where |d| < β, |d| − 0.5·β elsewhere (d = pred − target). */
export function smoothL1Loss(pred: Tensor, target: Tensor, options?: SmoothL1Options): Tensor {
  const reduction = reductionOf('smoothL1Loss', options, ['beta']);
  const beta = checkNumber('smoothL1Loss', 'beta', options?.beta ?? 1);
  if (!(beta >= 0)) throw new RangeError(`smoothL1Loss: beta must be ≥ 0, got ${beta}`);
  const [p, t] = checkPair('smoothL1Loss', pred, target);
  return traced('smoothL1Loss', [p, t], { reduction, beta }, () => {
    const d = abs(sub(p, t));
    if (beta === 0) return reduce(d, reduction);
    return reduce(where(lt(d, beta), div(mul(mul(d, d), 0.5), beta), sub(d, 0.5 * beta)), reduction);
  });
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear. Default 1. */
  delta?: number;
}

/** 0.5·d² where |d| < δ, δ·(|d| − 0.5·δ) elsewhere: smoothL1 scaled by δ. */
export function huberLoss(pred: Tensor, target: Tensor, options?: HuberOptions): Tensor {
  const reduction = reductionOf('huberLoss', options, ['delta']);
  const delta = checkNumber('huberLoss', 'delta', options?.delta ?? 1);
  if (!(delta > 0)) throw new RangeError(`huberLoss: delta must be > 0, got ${delta}`);
  const [p, t] = checkPair('huberLoss', pred, target);
  return traced('huberLoss', [p, t], { reduction, delta }, () => {
    const d = abs(sub(p, t));
    return reduce(where(lt(d, delta), mul(mul(d, d), 0.5), mul(sub(d, 0.5 * delta), delta)), reduction);
  });
}

/** PyTorch's floor on each log term, so a probability of exactly 0 or 1 costs 100, not ∞. */
const LOG_FLOOR = -100;
/** PyTorch's floor on p(1 − p) in the gradient, so saturated probabilities give a finite slope. */
const GRAD_EPS = 1e-12;

export interface BceOptions extends LossOptions {
  /** A rescaling weight for each element (broadcast to the prediction). */
  weight?: Tensor;
}

/**
 * −[t·ln p + (1 − t)·ln(1 − p)] for probabilities p in [0, 1]. As in PyTorch each log is
 * clamped at −100, and the derivative is PyTorch's dp = dy·(p − t)/max(p(1 − p), 1e-12) rather
 * than the clamp's own (which would be 0 or NaN at p ∈ {0, 1}). The target gets no gradient.
 */
export function binaryCrossEntropy(pred: Tensor, target: Tensor, options?: BceOptions): Tensor {
  const reduction = reductionOf('binaryCrossEntropy', options, ['weight']);
  const [p, t] = checkPair('binaryCrossEntropy', pred, target);
  const weight = options?.weight === undefined ? null : checkFloat('binaryCrossEntropy', 'weight', checkTensor('binaryCrossEntropy', 'weight', options.weight));
  const bad = sum(pointwise('binaryCrossEntropy', '!(p >= 0 && p <= 1) || !(t >= 0 && t <= 1)', { p, t })).item();
  if (bad > 0) {
    // Only on this error path are the values read back to name the first bad one.
    const pv = p.detach().data, tv = t.detach().data;
    const i = pv.findIndex((v, k) => !(v >= 0 && v <= 1) || !(tv[k] >= 0 && tv[k] <= 1));
    const which = !(pv[i] >= 0 && pv[i] <= 1) ? `prediction ${i} is ${pv[i]}` : `target ${i} is ${tv[i]}`;
    throw new RangeError(`binaryCrossEntropy: ${which}; probabilities and targets must lie in [0, 1] (apply sigmoid first, or use binaryCrossEntropyWithLogits)`);
  }
  return traced('binaryCrossEntropy', [p, t], { reduction }, () => {
    const args = { p, t, lo: LOG_FLOOR, eps: GRAD_EPS };
    const elems = pointwise('binaryCrossEntropy', '-(t * max(log(p), lo) + (1 - t) * max(log(1 - p), lo))', args);
    const losses = record('binaryCrossEntropy', elems, [p], (dy) => [pointwise('binaryCrossEntropy.grad', 'dy * (p - t) / max(p * (1 - p), eps)', { ...args, dy })]);
    return reduce(weight ? mul(losses, weight) : losses, reduction);
  });
}

export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of the positive term per class (broadcast along the last dimension). */
  posWeight?: Tensor;
}

/**
 * Binary cross-entropy on logits x: −[t·ln σ(x) + (1 − t)·ln(1 − σ(x))], computed as
 * (1 − t)·x + (1 + (pw − 1)·t)·softplus(−x) with softplus(z) = max(z, 0) + ln(1 + e^(−|z|)),
 * finite for logits of any size.
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, options?: BceWithLogitsOptions): Tensor {
  const reduction = reductionOf('binaryCrossEntropyWithLogits', options, ['weight', 'posWeight']);
  const [x, t] = checkPair('binaryCrossEntropyWithLogits', logits, target);
  const weight = options?.weight;
  const posWeight = options?.posWeight;
  return traced('binaryCrossEntropyWithLogits', [x, t], { reduction }, () => {
    const softplusNeg = pointwise('binaryCrossEntropyWithLogits', 'max(-x, 0) + log1p(exp(-abs(x)))', { x });
    const sp = record('binaryCrossEntropyWithLogits', softplusNeg, [x], (dy) => [
      // d/dx softplus(−x) = −σ(−x), written to stay finite for any x.
      pointwise('binaryCrossEntropyWithLogits.grad', 'x >= 0 ? -dy * exp(-x) / (1 + exp(-x)) : -dy / (1 + exp(x))', { x, dy }),
    ]);
    const coef = posWeight ? add(mul(sub(posWeight, 1), t), 1) : null;
    let losses = add(mul(sub(1, t), x), coef ? mul(coef, sp) : sp);
    if (weight) losses = mul(losses, weight);
    return reduce(losses, reduction);
  });
}

/** Labels as an int32 tensor of n values in [0, classes) (or equal to ignoreIndex). */
export function checkLabels(op: string, labels: unknown, n: number, classes: number, ignoreIndex?: number): Tensor {
  let t: Tensor;
  if (labels instanceof Tensor) {
    if (labels.dtype !== 'int32') throw new TypeError(`${op}: labels must be an int32 tensor, got ${labels.dtype} (use .cast('int32') or tg.tensor(labels, { dtype: 'int32' }))`);
    t = labels;
  } else if (labels instanceof Int32Array || Array.isArray(labels)) {
    const values = labels as ArrayLike<unknown>;
    for (let i = 0; i < values.length; i++) {
      const y = values[i];
      if (typeof y !== 'number' || !Number.isInteger(y)) throw new RangeError(`${op}: label ${i} is ${show(y)}, not a whole number`);
    }
    t = tensor(labels as ArrayLike<number>, { dtype: 'int32' });
  } else {
    throw new TypeError(`${op}: labels must be an int32 Tensor, an Int32Array or an array of integers, got ${show(labels)}`);
  }
  if (t.ndim !== 1 || t.size !== n) throw new ShapeError(`${op}: got ${t.size} labels ${fmtShape(t.shape)} for a batch of ${n} (one per row)`);
  const values = t.data;
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (y === ignoreIndex) continue;
    if (y < 0 || y >= classes) throw new RangeError(`${op}: label ${i} is ${y}, outside the ${classes} classes [0, ${classes - 1}]`);
  }
  return t;
}

export interface NllOptions extends LossOptions {
  /** A weight per class [C]: each row counts as weight[label]. */
  weight?: Tensor;
  /** Rows with this label contribute nothing and do not count in the mean. */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllOptions {
  /** ε in [0, 1]: the target is (1 − ε)·onehot + ε/C. Default 0. */
  labelSmoothing?: number;
}

/** −w[y]·logp[y] per row (and the smoothing term), reduced as PyTorch: a weighted mean divides by Σ w[y]. */
function classLoss(op: string, logp: Tensor, labels: unknown, options: CrossEntropyOptions | undefined): Tensor {
  const reduction = reductionOf(op, options, op === 'nllLoss' ? ['weight', 'ignoreIndex'] : ['weight', 'ignoreIndex', 'labelSmoothing']);
  if (logp.ndim !== 2) throw new ShapeError(`${op}: input must be 2-D [N,C], got ${fmtShape(logp.shape)} (flatten other dimensions into N)`);
  const [n, c] = logp.shape;
  const ignoreIndex = options?.ignoreIndex;
  if (ignoreIndex !== undefined) checkNumber(op, 'ignoreIndex', ignoreIndex);
  const smoothing = options?.labelSmoothing ?? 0;
  checkNumber(op, 'labelSmoothing', smoothing);
  if (!(smoothing >= 0 && smoothing <= 1)) throw new RangeError(`${op}: labelSmoothing must be in [0, 1], got ${smoothing}`);
  const weight = options?.weight === undefined ? null : checkFloat(op, 'weight', checkTensor(op, 'weight', options.weight));
  if (weight && (weight.ndim !== 1 || weight.size !== c)) throw new ShapeError(`${op}: weight must be [${c}] (one per class), got ${fmtShape(weight.shape)}`);
  const y = checkLabels(op, labels, n, c, ignoreIndex);
  const valid = ignoreIndex === undefined ? null : ne(y, ignoreIndex);
  const safe = valid ? where(valid, y, 0) : y;
  let w: Tensor | null = weight ? indexSelect(weight, 0, safe) : null;
  if (valid) w = w ? mul(w, valid) : cast(valid, 'float32');
  const picked = reshape(gather(logp, 1, unsqueeze(safe, 1)), [n]);
  let losses = neg(w ? mul(picked, w) : picked);
  if (smoothing > 0) {
    let smooth = neg(sum(weight ? mul(logp, weight) : logp, 1));
    if (valid) smooth = mul(smooth, valid);
    losses = add(mul(losses, 1 - smoothing), mul(smooth, smoothing / c));
  }
  if (reduction !== 'mean') return reduce(losses, reduction);
  return w ? div(sum(losses), sum(w)) : mean(losses);
}

/** Negative log-likelihood of log-probabilities [N,C] at integer labels [N]. */
export function nllLoss(logProbs: Tensor, labels: Labels, options?: NllOptions): Tensor {
  const logp = checkFloat('nllLoss', 'input', checkTensor('nllLoss', 'input', logProbs));
  return traced('nllLoss', [logp], { ...options }, () => classLoss('nllLoss', logp, labels, options));
}

/**
 * Cross-entropy of raw logits [N,C] against integer labels [N]: nllLoss(logSoftmax(logits)),
 * with optional class weights, ignoreIndex and label smoothing (PyTorch's definitions).
 */
export function crossEntropy(logits: Tensor, labels: Labels, options?: CrossEntropyOptions): Tensor {
  const x = checkFloat('crossEntropy', 'logits', checkTensor('crossEntropy', 'logits', logits));
  if (x.ndim !== 2) throw new ShapeError(`crossEntropy: logits must be 2-D [N,C], got ${fmtShape(x.shape)} (flatten other dimensions into N)`);
  if (x.shape[0] === 0 || x.shape[1] === 0) throw new ShapeError(`crossEntropy: logits ${fmtShape(x.shape)} hold no rows or no classes`);
  return traced('crossEntropy', [x], { ...options }, () => classLoss('crossEntropy', logSoftmax(x, 1), labels, options));
}

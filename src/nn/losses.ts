/**
 * Loss modules: `loss.forward(pred, target)` gives a scalar tensor to call backward() on (or
 * one loss per element with `reduction: 'none'`). Each holds its options, checked when it is
 * built, and calls the functional form in src/ops/losses.ts. Class weights are Buffers, as
 * in PyTorch, so a model that keeps its loss in a field saves them under `<field>.weight`.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { checkFloat, checkNumber, checkOneOf, checkOptions, checkTensor, show } from '../tensor/validate.ts';
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, huberLoss, l1Loss, mseLoss, nllLoss, smoothL1Loss,
  type Labels, type Reduction,
} from '../ops/losses.ts';
import { permute, reshape } from '../ops/view.ts';
import { Module } from './module.ts';
import { Buffer } from './buffer.ts';

export interface LossModuleOptions {
  /** 'mean' (default), 'sum', or 'none' for one loss per element (per row for class losses). */
  reduction?: Reduction;
}

function optionsOf<T extends object>(where: string, options: T | undefined, known: readonly string[]): T {
  return checkOptions(where, options, ['reduction', ...known]);
}

function reductionOf(where: string, options: LossModuleOptions): Reduction {
  const r = options.reduction ?? 'mean';
  checkOneOf(where, 'reduction', r, ['mean', 'sum', 'none']);
  return r;
}

function weightBuffer(where: string, name: string, w: unknown): Buffer | null {
  if (w === undefined || w === null) return null;
  return new Buffer(checkFloat(where, name, checkTensor(where, name, w)));
}

/** Mean (or sum) of (pred − target)²; pred and target have the same shape. */
export class MSELoss extends Module {
  readonly reduction: Reduction;

  constructor(options?: LossModuleOptions) {
    super();
    this.reduction = reductionOf('MSELoss', optionsOf('MSELoss', options, []));
  }

  forward(pred: Tensor, target: Tensor): Tensor {
    return mseLoss(pred, target, { reduction: this.reduction });
  }
}

/** Mean (or sum) of |pred − target|. */
export class L1Loss extends Module {
  readonly reduction: Reduction;

  constructor(options?: LossModuleOptions) {
    super();
    this.reduction = reductionOf('L1Loss', optionsOf('L1Loss', options, []));
  }

  forward(pred: Tensor, target: Tensor): Tensor {
    return l1Loss(pred, target, { reduction: this.reduction });
  }
}

/** 0.5·d²/β where |d| < β, |d| − 0.5·β elsewhere (d = pred − target; β = 1 by default). */
export class SmoothL1Loss extends Module {
  readonly reduction: Reduction;
  readonly beta: number;

  constructor(options?: LossModuleOptions & { beta?: number }) {
    super();
    const o = optionsOf('SmoothL1Loss', options, ['beta']);
    this.reduction = reductionOf('SmoothL1Loss', o);
    this.beta = checkNumber('SmoothL1Loss', 'beta', o.beta ?? 1);
    if (!(this.beta >= 0)) throw new RangeError(`SmoothL1Loss: beta must be ≥ 0, got ${this.beta}`);
  }

  forward(pred: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(pred, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** 0.5·d² where |d| < δ, δ·(|d| − 0.5·δ) elsewhere (δ = 1 by default). */
export class HuberLoss extends Module {
  readonly reduction: Reduction;
  readonly delta: number;

  constructor(options?: LossModuleOptions & { delta?: number }) {
    super();
    const o = optionsOf('HuberLoss', options, ['delta']);
    this.reduction = reductionOf('HuberLoss', o);
    this.delta = checkNumber('HuberLoss', 'delta', o.delta ?? 1);
    if (!(this.delta > 0)) throw new RangeError(`HuberLoss: delta must be > 0, got ${this.delta}`);
  }

  forward(pred: Tensor, target: Tensor): Tensor {
    return huberLoss(pred, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Binary cross-entropy of probabilities (after a sigmoid) against targets in [0, 1]. */
export class BCELoss extends Module {
  readonly reduction: Reduction;
  readonly weight: Buffer | null;

  constructor(options?: LossModuleOptions & { weight?: Tensor }) {
    super();
    const o = optionsOf('BCELoss', options, ['weight']);
    this.reduction = reductionOf('BCELoss', o);
    this.weight = weightBuffer('BCELoss', 'weight', o.weight);
  }

  forward(pred: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(pred, target, { reduction: this.reduction, ...(this.weight ? { weight: this.weight } : {}) });
  }
}

/** Binary cross-entropy on raw logits, exact for logits of any size (prefer it to Sigmoid + BCELoss). */
export class BCEWithLogitsLoss extends Module {
  readonly reduction: Reduction;
  readonly weight: Buffer | null;
  readonly pos_weight: Buffer | null;

  constructor(options?: LossModuleOptions & { weight?: Tensor; posWeight?: Tensor }) {
    super();
    const o = optionsOf('BCEWithLogitsLoss', options, ['weight', 'posWeight']);
    this.reduction = reductionOf('BCEWithLogitsLoss', o);
    this.weight = weightBuffer('BCEWithLogitsLoss', 'weight', o.weight);
    this.pos_weight = weightBuffer('BCEWithLogitsLoss', 'posWeight', o.posWeight);
  }

  forward(logits: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(logits, target, {
      reduction: this.reduction,
      ...(this.weight ? { weight: this.weight } : {}),
      ...(this.pos_weight ? { posWeight: this.pos_weight } : {}),
    });
  }
}

export interface ClassLossOptions extends LossModuleOptions {
  /** A weight per class [C]; the mean is then Σ w[y]·loss / Σ w[y]. */
  weight?: Tensor;
  /** Targets with this label add nothing and do not count in the mean. Default: none. */
  ignoreIndex?: number;
}

function checkClassOptions(where: string, o: ClassLossOptions): { reduction: Reduction; ignoreIndex: number | undefined } {
  const reduction = reductionOf(where, o);
  const ignoreIndex = o.ignoreIndex;
  if (ignoreIndex !== undefined && (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex))) {
    throw new RangeError(`${where}: ignoreIndex must be an integer, got ${show(ignoreIndex)}`);
  }
  if (o.weight !== undefined && o.weight !== null && (!(o.weight instanceof Tensor) || o.weight.ndim !== 1)) {
    throw new ShapeError(`${where}: weight must be a 1-D tensor [C] (one per class), got ${show(o.weight)}`);
  }
  return { reduction, ignoreIndex };
}

/**
 * Scores [N, C] against labels [N]; also [N, C, d1, …] against [N, d1, …] (a class score
 * per position, as a language model's [batch, classes, time]), flattened to rows first.
 * With reduction 'none' the result has the labels' shape.
 */
function flattenClasses(where: string, x: Tensor, labels: Labels): { rows: Tensor; labels: Labels; shape: number[] | null } {
  if (!(x instanceof Tensor) || x.ndim <= 2) return { rows: x, labels, shape: null };
  if (!(labels instanceof Tensor)) throw new TypeError(`${where}: labels for a ${x.ndim}-D input must be an int32 Tensor [N, d1, …], got ${show(labels)}`);
  const want = [x.shape[0], ...x.shape.slice(2)];
  if (labels.ndim !== want.length || labels.shape.some((d, i) => d !== want[i])) {
    throw new ShapeError(`${where}: input ${fmtShape(x.shape)} needs labels ${fmtShape(want)} (the input without its class dimension 1), got ${fmtShape(labels.shape)}`);
  }
  const order = [0, ...x.shape.slice(2).map((_, i) => i + 2), 1];
  const rows = reshape(permute(x, ...order), [-1, x.shape[1]]);
  return { rows, labels: reshape(labels, [labels.size]), shape: want };
}

/** Negative log-likelihood of log-probabilities (after LogSoftmax) at integer labels. */
export class NLLLoss extends Module {
  readonly reduction: Reduction;
  readonly weight: Buffer | null;
  readonly ignoreIndex: number | undefined;

  constructor(options?: ClassLossOptions) {
    super();
    const o = optionsOf('NLLLoss', options, ['weight', 'ignoreIndex']);
    ({ reduction: this.reduction, ignoreIndex: this.ignoreIndex } = checkClassOptions('NLLLoss', o));
    this.weight = weightBuffer('NLLLoss', 'weight', o.weight);
  }

  forward(logProbs: Tensor, labels: Labels): Tensor {
    const { rows, labels: y, shape } = flattenClasses('NLLLoss', logProbs, labels);
    const loss = nllLoss(rows, y, this.classOptions());
    return shape && this.reduction === 'none' ? reshape(loss, shape) : loss;
  }

  private classOptions() {
    return {
      reduction: this.reduction,
      ...(this.weight ? { weight: this.weight } : {}),
      ...(this.ignoreIndex !== undefined ? { ignoreIndex: this.ignoreIndex } : {}),
    };
  }
}

/**
 * Cross-entropy of raw logits against integer labels: NLLLoss after a log-softmax over the
 * classes, with PyTorch's class weights, ignoreIndex and labelSmoothing (the target becomes
 * (1 − ε)·onehot + ε/C).
 */
export class CrossEntropyLoss extends Module {
  readonly reduction: Reduction;
  readonly weight: Buffer | null;
  readonly ignoreIndex: number | undefined;
  readonly labelSmoothing: number;

  constructor(options?: ClassLossOptions & { labelSmoothing?: number }) {
    super();
    const o = optionsOf('CrossEntropyLoss', options, ['weight', 'ignoreIndex', 'labelSmoothing']);
    ({ reduction: this.reduction, ignoreIndex: this.ignoreIndex } = checkClassOptions('CrossEntropyLoss', o));
    this.weight = weightBuffer('CrossEntropyLoss', 'weight', o.weight);
    this.labelSmoothing = checkNumber('CrossEntropyLoss', 'labelSmoothing', o.labelSmoothing ?? 0);
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1)) throw new RangeError(`CrossEntropyLoss: labelSmoothing must be in [0, 1], got ${this.labelSmoothing}`);
  }

  forward(logits: Tensor, labels: Labels): Tensor {
    const { rows, labels: y, shape } = flattenClasses('CrossEntropyLoss', logits, labels);
    const loss = crossEntropy(rows, y, {
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
      ...(this.weight ? { weight: this.weight } : {}),
      ...(this.ignoreIndex !== undefined ? { ignoreIndex: this.ignoreIndex } : {}),
    });
    return shape && this.reduction === 'none' ? reshape(loss, shape) : loss;
  }
}

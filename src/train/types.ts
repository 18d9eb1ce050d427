/**
 * What fit() needs from a model, an optimizer, a loss, a scheduler and a data source.
 * Written as structural interfaces rather than the nn/optim classes, so a hand-written
 * model or optimizer with these methods trains just as well as the built-in ones.
 */
import { Tensor } from '../tensor/tensor.ts';
import { fmtShape } from '../tensor/errors.ts';
import { describeValue } from '../data/errors.ts';
import type { Batch } from '../data/dataloader.ts';

/** A model fit() can train: tg.nn.Module satisfies it. */
export interface TrainableModel {
  /** The output (logits) for a batch. */
  forward(x: Tensor): Tensor;
  /** Training mode (Dropout active). */
  train(mode?: boolean): unknown;
  /** Evaluation mode (Dropout off). */
  eval(): unknown;
  /** The tensors the optimizer updates (checked for NaN and ±Infinity at every step). */
  parameters(): Tensor[];
  /** The same tensors with their dotted names, used to name a parameter in errors when present. */
  namedParameters?(): [string, Tensor][];
  /** Copies of the weights by name, for checkpoints. */
  stateDict(): Record<string, Tensor>;
  /** Restores weights from stateDict(). */
  loadStateDict(sd: Record<string, Tensor>): void;
  /** Current mode, restored after evaluate(). */
  training?: boolean;
}

/** An optimizer fit() can drive: every tg.optim optimizer satisfies it. */
export interface TrainableOptimizer {
  /** Clears the gradients before a batch. */
  zeroGrad(): void;
  /** Applies one update from the gradients. */
  step(): void;
  /** Its state, for checkpoints (Tensors anywhere inside are fine). */
  stateDict(): unknown;
  /** Restores stateDict(). */
  loadStateDict(sd: never): void;
  /** Read for the learning rate shown in the history. */
  paramGroups?: readonly {
    /** The group's current learning rate. */
    lr: number;
  }[];
}

/**
 * What a batch pairs with its inputs: class labels from a { images, labels } Dataset, or a
 * Tensor of targets of any shape and dtype from a TensorDataset.
 */
export type Target = Int32Array | Tensor;

/**
 * A plain loss function. Written through a method type so that a function declared for one
 * kind of target, `(pred, labels: Int32Array) => …` or `(pred, target: Tensor) => …`, is
 * accepted (TypeScript checks method parameters bivariantly, function parameters not).
 */
type LossFn = { fn(pred: Tensor, target: Target): Tensor }['fn'];

/** A loss: a module with forward(pred, target) (tg.nn.CrossEntropyLoss, tg.nn.MSELoss) or a plain function. */
export type LossFunction =
  | {
      /** The loss of predictions `pred` against the batch's labels or targets, as a scalar tensor. */
      forward(pred: Tensor, target: Target): Tensor;
    }
  | LossFn;

/**
 * A learning-rate scheduler, stepped once at the end of every epoch with that epoch's
 * validation loss (training loss without validation): ReduceLROnPlateau uses it, the
 * epoch-count schedulers ignore it. One whose `interval` is 'batch' (OneCycleLR, whose
 * schedule is counted in batches) is stepped after every batch's optimizer step instead.
 */
export interface EpochScheduler {
  /** When fit() steps it: 'epoch' (the default) or 'batch'. */
  readonly interval?: 'epoch' | 'batch';
  /** Advances one epoch. */
  step(metric?: number): void;
  /** Its state, for checkpoints. */
  stateDict?(): unknown;
  /** Restores stateDict(). */
  loadStateDict?(sd: never): void;
}

/** Batches of one epoch per loop; a DataLoader, or any iterable of { x, y }. */
export interface BatchSource extends Iterable<Batch<Target>> {
  /** Batches per epoch, for the progress bar. */
  readonly length?: number;
  /** Position for checkpoints (DataLoader has it). */
  stateDict?(): unknown;
  /** Restores stateDict(). */
  loadStateDict?(state: never): void;
}

/**
 * Calls a LossFunction whichever form it has, and checks that it gave a one-element Tensor:
 * a hand-written loss returning a number or a [B] tensor would otherwise fail later with
 * a message about `item` or `backward`, not about the loss.
 */
export function applyLoss(loss: LossFunction, pred: Tensor, labels: Target, who = 'fit'): Tensor {
  const out: unknown = typeof loss === 'function' ? loss(pred, labels) : loss.forward(pred, labels);
  if (!(out instanceof Tensor)) throw new TypeError(`${who}: the loss returned ${describeValue(out)}, expected a one-element Tensor`);
  if (out.size !== 1) throw new TypeError(`${who}: the loss returned a Tensor of shape ${fmtShape(out.shape)}, expected one element (reduce it with .mean() or .sum())`);
  return out;
}

/** A batch from a loader, checked to be { x: Tensor, y: Int32Array | Tensor } with one sample count. */
export function checkBatch(item: unknown, index: number, source: string, who = 'fit'): Batch<Target> {
  const { x, y } = (item ?? {}) as Partial<Batch<Target>>;
  if (!(x instanceof Tensor) || !(y instanceof Int32Array || y instanceof Tensor)) {
    throw new TypeError(`${who}: batch ${index} of the ${source} must be { x: Tensor, y: Int32Array } (or y a Tensor of targets), got ${describeValue(item)}${item && typeof item === 'object' ? ` with x ${describeValue(x)} and y ${describeValue(y)}` : ''}`);
  }
  if (y instanceof Tensor) {
    if (x.ndim < 1 || y.ndim < 1 || x.shape[0] !== y.shape[0]) {
      throw new TypeError(`${who}: batch ${index} of the ${source} has targets of shape ${fmtShape(y.shape)} for inputs of shape ${fmtShape(x.shape)} (both need the batch along dimension 0)`);
    }
  } else if (x.ndim < 1 || x.shape[0] !== y.length) {
    throw new TypeError(`${who}: batch ${index} of the ${source} has ${y.length} labels for inputs of shape ${fmtShape(x.shape)}`);
  }
  return { x, y };
}

/** Samples in a checked batch. */
export function batchSize(batch: Batch<Target>): number {
  return batch.x.shape[0];
}

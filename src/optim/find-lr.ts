/**
 * findLr: Smith's learning-rate range test ("Cyclical learning rates for training neural
 * networks", 2017, section 3.3; popularised by fastai's lr_find). Train for a few hundred
 * batches while the learning rate grows exponentially from startLr to endLr, record the
 * loss, and stop once it has clearly diverged. The loss first barely moves (lr too small),
 * then falls fast, then turns up and explodes (lr too large); a good learning rate lies in
 * the falling stretch.
 *
 * The test really trains — on the model, optimizer and loader it is given — and then puts
 * back everything it touched, bit for bit: the weights (and their storage objects), every
 * module's training flag, the gradients, the optimizer's state and options, the loader's
 * position and the global random generator. Afterwards training continues exactly as if
 * findLr had never run.
 *
 * The suggestion: the rate where the smoothed loss falls fastest per unit of log(lr),
 * searched between the start and the minimum of the smoothed curve (see docs/optimizers.md).
 */
import { Tensor } from '../tensor/tensor.ts';
import { keep } from '../tensor/lifetimes.ts';
import { getRngState, setRngState } from '../tensor/random.ts';
import { backend } from '../backend/registry.ts';
import type { Module } from '../nn/module.ts';
import { Optimizer, type BaseOptions } from './optimizer.ts';
import { LBFGS } from './lbfgs.ts';
import { checkInteger, checkPositive, checkThat, checkUnitInterval } from './validate.ts';

/** A loss: a module with forward(pred, target), or a plain function. */
export type FindLrLoss<Y> = {
  /** The loss of the predictions against the targets, as a one-element tensor. */
  forward(pred: Tensor, target: Y): Tensor;
} | ((pred: Tensor, target: Y) => Tensor);

/** One batch: inputs and targets. */
export interface FindLrBatch<Y> {
  /** The inputs, batch along dimension 0. */
  x: Tensor;
  /** The targets, as the loss takes them (class indices for CrossEntropyLoss). */
  y: Y;
}

/** Batches of { x, y }; a DataLoader, whose position findLr restores afterwards. */
export interface FindLrLoader<Y> extends Iterable<FindLrBatch<Y>> {
  /** The loader's position (a DataLoader has it); without it there is no position to restore. */
  stateDict?(): unknown;
  /** Restores stateDict(). */
  loadStateDict?(state: never): void;
}

/** Options of {@link findLr}. */
export interface FindLrOptions<Y> {
  /** The optimizer to test (any but LBFGS); its learning rate is swept for every group. */
  optimizer: Optimizer<BaseOptions>;
  /** The loss to record and minimise. */
  loss: FindLrLoss<Y>;
  /** The first learning rate. Default 1e-7. */
  startLr?: number;
  /** The last learning rate, reached at the last step. Default 10. */
  endLr?: number;
  /** Batches (one learning rate each), spaced evenly in log(lr); the loader is looped over if it is shorter. Default 100. */
  steps?: number;
  /**
   * Weight β of the loss's running average (debiased like Adam's), in [0, 1); 0 records the raw
   * losses. Default 0.95: an average over about 20 batches, short next to the 100-batch sweep
   * (fastai's 0.98 averages over 50, half the sweep, and shifts the curve to larger rates).
   */
  smoothing?: number;
  /** Stop once the smoothed loss exceeds this multiple of its minimum so far. Default 4. */
  divergeThreshold?: number;
}

/** What {@link findLr} measured. */
export interface FindLrResult {
  /** The learning rate of each batch tried. */
  lrs: number[];
  /** The smoothed loss at each of them. */
  losses: number[];
  /** The loss of each batch as measured, before smoothing. */
  rawLosses: number[];
  /** The suggested learning rate: where the smoothed loss falls fastest (NaN if the curve is too short to tell). */
  suggestion: number;
}

/** Everything findLr changes, captured so it can be put back exactly. */
interface Snapshot {
  /** Each parameter's storage, held by a tensor of its own so it is never freed or reused meanwhile. */
  storages: Tensor[];
  weights: Record<string, Tensor>;
  training: boolean[];
  grads: { grad: Tensor | null; values: Float32Array | null }[];
  optimizer: ReturnType<Optimizer<BaseOptions>['stateDict']>;
  loader: unknown;
  rng: ReturnType<typeof getRngState>;
}

function lossOf<Y>(loss: FindLrLoss<Y>, pred: Tensor, y: Y): Tensor {
  return typeof loss === 'function' ? loss(pred, y) : loss.forward(pred, y);
}

/**
 * Runs the learning-rate range test on `model` with `options.optimizer` over batches of
 * `loader`, then restores model, optimizer, loader and random state exactly.
 */
export function findLr<Y>(model: Module, loader: FindLrLoader<Y>, options: FindLrOptions<Y>): FindLrResult {
  const where = 'findLr';
  if (!model || typeof model.forward !== 'function' || typeof model.namedModules !== 'function') {
    throw new TypeError(`${where}: model must be a tg.nn.Module`);
  }
  if (!loader || typeof (loader as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${where}: loader must be an iterable of { x, y } batches (e.g. a DataLoader)`);
  }
  const o = options ?? ({} as FindLrOptions<Y>);
  const { optimizer, loss } = o;
  if (!(optimizer instanceof Optimizer)) throw new TypeError(`${where}: options.optimizer must be a tg.optim optimizer`);
  if (optimizer instanceof LBFGS) throw new TypeError(`${where}: LBFGS takes many evaluations per step and no per-batch learning rate; the range test does not apply to it`);
  if (!loss || (typeof loss !== 'function' && typeof loss.forward !== 'function')) {
    throw new TypeError(`${where}: options.loss must be a loss module (e.g. new tg.nn.CrossEntropyLoss()) or a function (pred, target) => Tensor`);
  }
  const startLr = o.startLr ?? 1e-7;
  const endLr = o.endLr ?? 10;
  const steps = o.steps ?? 100;
  const smoothing = o.smoothing ?? 0.95;
  const divergeThreshold = o.divergeThreshold ?? 4;
  checkPositive(where, 'startLr', startLr);
  checkPositive(where, 'endLr', endLr);
  checkThat(endLr > startLr, where, `endLr must be larger than startLr, got startLr ${startLr} and endLr ${endLr}`);
  checkInteger(where, 'steps', steps, 2);
  checkUnitInterval(where, 'smoothing', smoothing);
  checkThat(typeof divergeThreshold === 'number' && divergeThreshold > 1, where, `divergeThreshold must be a number > 1, got ${divergeThreshold}`);
  const params = model.parameters();
  const optimized = new Set(optimizer.paramGroups.flatMap((g) => g.params));
  checkThat(params.some((p) => optimized.has(p)), where, 'the optimizer holds none of the model\'s parameters');

  const saved = capture(model, optimizer, loader);
  // The sweep's zeroGrad() must not touch the gradients the caller left (an optimizer may
  // dispose the gradients it clears): set them aside, restore() puts them back.
  for (const p of params) p.grad = null;
  const lrs: number[] = [];
  const losses: number[] = [];
  const rawLosses: number[] = [];
  try {
    model.train();
    const growth = (endLr / startLr) ** (1 / (steps - 1));
    let batches = loader[Symbol.iterator]();
    let average = 0;
    let best = Infinity;
    try {
      for (let i = 0; i < steps; i++) {
        let next = batches.next();
        if (next.done) {
          batches = loader[Symbol.iterator]();
          next = batches.next();
          if (next.done) throw new RangeError(`${where}: the loader yielded no batches`);
        }
        const lr = startLr * growth ** i;
        for (const group of optimizer.paramGroups) group.lr = lr;
        optimizer.zeroGrad();
        const lossTensor = lossOf(loss, model.forward(next.value.x), next.value.y);
        const value = lossTensor.item();
        if (!Number.isFinite(value)) break; // diverged for good: no point stepping on
        lossTensor.backward();
        optimizer.step();
        average = smoothing * average + (1 - smoothing) * value;
        const smoothed = average / (1 - smoothing ** (i + 1));
        lrs.push(lr);
        losses.push(smoothed);
        rawLosses.push(value);
        best = Math.min(best, smoothed);
        if (smoothed > divergeThreshold * best) break;
      }
    } finally {
      batches.return?.();
    }
  } finally {
    restore(model, optimizer, loader, saved);
  }
  return { lrs, losses, rawLosses, suggestion: suggestLr(lrs, losses) };
}

function capture<Y>(model: Module, optimizer: Optimizer<BaseOptions>, loader: FindLrLoader<Y>): Snapshot {
  const params = model.parameters();
  return {
    storages: params.map((p) => keep(new Tensor(p.storage, p.shape, { dtype: p.dtype }))),
    weights: model.stateDict(),
    training: model.namedModules().map(([, m]) => m.training),
    grads: params.map((p) => ({ grad: p.grad, values: p.grad ? new Float32Array(p.grad.data) : null })),
    optimizer: optimizer.stateDict(),
    loader: typeof loader.stateDict === 'function' ? loader.stateDict() : undefined,
    rng: getRngState(),
  };
}

function restore<Y>(model: Module, optimizer: Optimizer<BaseOptions>, loader: FindLrLoader<Y>, s: Snapshot): void {
  const params = model.parameters();
  // The original storage objects first (others may hold them), then their original values.
  params.forEach((p, i) => { p.storage = s.storages[i].storage; s.storages[i].dispose(); });
  model.loadStateDict(s.weights);
  model.namedModules().forEach(([, m], i) => { m.training = s.training[i]; });
  params.forEach((p, i) => {
    const { grad, values } = s.grads[i];
    if (grad && values) grad.storage = backend().upload(values);
    p.grad = grad;
  });
  optimizer.loadStateDict(s.optimizer);
  if (s.loader !== undefined) loader.loadStateDict?.(s.loader as never);
  setRngState(s.rng);
}

/**
 * The steepest descent of the smoothed loss against log(lr), among the points before its
 * minimum (past the minimum the loss is on its way up). Slopes are central differences, so
 * one noisy point does not decide; NaN when fewer than 3 points precede the minimum.
 */
export function suggestLr(lrs: readonly number[], losses: readonly number[]): number {
  let lowest = 0;
  losses.forEach((l, i) => { if (l < losses[lowest]) lowest = i; });
  if (lowest < 2) return NaN;
  let bestIndex = -1;
  let bestSlope = 0;
  for (let i = 1; i < lowest; i++) {
    const slope = (losses[i + 1] - losses[i - 1]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i - 1]));
    if (slope < bestSlope) {
      bestSlope = slope;
      bestIndex = i;
    }
  }
  return bestIndex < 0 ? NaN : lrs[bestIndex];
}

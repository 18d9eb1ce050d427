/**
 * fit(): the training loop. For each epoch: one pass over the training loader (forward,
 * loss, backward, optimizer step per batch), then validation, the history record, the
 * scheduler step and the callbacks. A loss or gradient that turns NaN or infinite stops
 * the run before the bad update is applied; a parameter that overflows in an update stops
 * it right after that update. Everything fit() is given is checked before anything runs,
 * and a resume is all-or-nothing (resume.ts).
 */
import { Tensor } from '../tensor/tensor.ts';
import { tidy } from '../tensor/lifetimes.ts';
import { DataLoader } from '../data/dataloader.ts';
import { TensorDataset, type Dataset } from '../data/dataset.ts';
import { evaluate } from './evaluate.ts';
import { History, type EpochRecord } from './history.ts';
import { MetricTracker, checkMetrics, countCorrect, type Metric } from './metrics.ts';
import { NonFiniteLossError } from './errors.ts';
import { ProgressBar, formatDuration, formatMetrics, progressStream, type ProgressStream } from './progress.ts';
import { restoreCheckpoint } from './resume.ts';
import { findNonFinite } from './finite.ts';
import { describeValue } from '../data/errors.ts';
import type { Callback, TrainingContext } from './callbacks.ts';
import { applyLoss, batchSize, checkBatch, type BatchSource, type EpochScheduler, type LossFunction, type TrainableModel, type TrainableOptimizer } from './types.ts';

/** Options for {@link fit}. */
export interface FitOptions {
  /** Updates the parameters after each batch. */
  optimizer: TrainableOptimizer;
  /** Turns (output, labels) into the scalar to minimise, e.g. new tg.nn.CrossEntropyLoss(). */
  loss: LossFunction;
  /** Total epochs (a resumed run counts the ones already done). */
  epochs: number;
  /** Data evaluated after every epoch: a loader, or a dataset (batched 500 at a time, with no transform). */
  validation?: BatchSource | Dataset | TensorDataset;
  /**
   * What to measure besides the loss, on the training batches and on the validation data:
   * 'accuracy' (class scores against integer labels), 'mae', 'mse' (the output against a
   * target of its shape), or { name, fn(pred, target) }. Without it, accuracy is measured
   * whenever the output is [B, classes] against B labels.
   */
  metrics?: Metric[];
  /** Hooks run during training (EarlyStopping, ModelCheckpoint, your own). */
  callbacks?: Callback[];
  /**
   * Progress output. Default (or `true`): a live bar on a terminal, one summary line per
   * epoch elsewhere (log files, CI, the browser console). `false`: nothing. A stream
   * object: written to instead of stdout.
   */
  progress?: boolean | ProgressStream;
  /** Stepped once at the end of each epoch (with the validation loss, or the training loss); after every batch instead if its `interval` is 'batch' (OneCycleLR). */
  scheduler?: EpochScheduler;
  /** A checkpoint (from ModelCheckpoint) to continue from, exactly as if never interrupted. */
  resumeFrom?: string;
}

function asSource(v: BatchSource | Dataset | TensorDataset): BatchSource {
  if (v instanceof TensorDataset) return new DataLoader(v, { batchSize: 500 });
  if (typeof (v as Dataset).labels === 'object' && (v as Dataset).images instanceof Tensor) {
    return new DataLoader(v as Dataset, { batchSize: 500 });
  }
  return v as BatchSource;
}

const FIT_OPTIONS: readonly string[] = ['optimizer', 'loss', 'epochs', 'validation', 'metrics', 'callbacks', 'progress', 'scheduler', 'resumeFrom'];
const MODEL_METHODS = ['forward', 'parameters', 'train', 'eval', 'stateDict', 'loadStateDict'] as const;

const isIterable = (v: unknown): boolean => v !== null && typeof v === 'object' && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function';

/** Every argument checked before anything runs, naming the one at fault and what it got. */
function checkArguments(model: TrainableModel, trainLoader: BatchSource, options: FitOptions): void {
  if (model === null || typeof model !== 'object') throw new TypeError(`fit: model must be a tg.nn.Module (or have ${MODEL_METHODS.join(', ')}), got ${describeValue(model)}`);
  for (const m of MODEL_METHODS) {
    if (typeof model[m] !== 'function') throw new TypeError(`fit: model has no ${m}() method; pass a tg.nn.Module (got ${describeValue(model)})`);
  }
  if (!isIterable(trainLoader)) {
    throw new TypeError(`fit: trainLoader must be a DataLoader or an iterable of { x, y } batches, got ${describeValue(trainLoader)}`);
  }
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`fit: options must be an object { optimizer, loss, epochs, ... }, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!FIT_OPTIONS.includes(key)) throw new RangeError(`fit: unknown option ${JSON.stringify(key)} (options are ${FIT_OPTIONS.join(', ')})`);
  }
  const { optimizer, loss, epochs, validation, callbacks, progress, scheduler, resumeFrom } = options;
  if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs < 1) throw new RangeError(`fit: epochs must be a positive integer, got ${describeValue(epochs)}`);
  if (!optimizer || typeof optimizer.step !== 'function' || typeof optimizer.zeroGrad !== 'function') {
    throw new TypeError(`fit: options.optimizer must be an optimizer (e.g. new tg.optim.Adam(model.parameters())), got ${describeValue(optimizer)}`);
  }
  if (!loss || (typeof loss !== 'function' && typeof loss.forward !== 'function')) {
    throw new TypeError(`fit: options.loss must be a loss module (e.g. new tg.nn.CrossEntropyLoss()) or a function (pred, labels) => Tensor, got ${describeValue(loss)}`);
  }
  if (validation !== undefined && !isIterable(validation) && !(validation instanceof TensorDataset) && !((validation as Dataset)?.images instanceof Tensor)) {
    throw new TypeError(`fit: options.validation must be a DataLoader, an iterable of batches, a { images, labels } dataset or a TensorDataset, got ${describeValue(validation)}`);
  }
  checkMetrics('fit', options.metrics);
  if (callbacks !== undefined) {
    if (!Array.isArray(callbacks)) throw new TypeError(`fit: options.callbacks must be an array, got ${describeValue(callbacks)}`);
    callbacks.forEach((cb, i) => {
      if (cb === null || typeof cb !== 'object') throw new TypeError(`fit: options.callbacks[${i}] must be a callback object, got ${describeValue(cb)}`);
    });
  }
  if (scheduler !== undefined && (scheduler === null || typeof scheduler.step !== 'function')) {
    throw new TypeError(`fit: options.scheduler must have a step() method, got ${describeValue(scheduler)}`);
  }
  if (progress !== undefined && typeof progress !== 'boolean' && typeof (progress as ProgressStream)?.write !== 'function') {
    throw new TypeError(`fit: options.progress must be true, false or a stream with write(), got ${describeValue(progress)}`);
  }
  if (resumeFrom !== undefined && (typeof resumeFrom !== 'string' || resumeFrom === '')) {
    throw new TypeError(`fit: options.resumeFrom must be a checkpoint path, got ${describeValue(resumeFrom)}`);
  }
}

/** Names for the parameters in messages: the model's dotted names when it has them. */
function parameterNames(model: TrainableModel, params: readonly Tensor[]): string[] {
  const named = typeof model.namedParameters === 'function' ? model.namedParameters() : [];
  return params.map((p, i) => named.find(([, q]) => q === p)?.[0] ?? `#${i}`);
}

/** Throws when a parameter holds NaN or ±Infinity, so no checkpoint ever saves a broken model. */
function checkParametersFinite(model: TrainableModel, epoch: number): void {
  const params = model.parameters();
  const bad = findNonFinite(params);
  if (bad) throw new NonFiniteLossError({ epoch }, bad.value, `parameter '${parameterNames(model, params)[bad.index]}'`);
}

/**
 * Trains `model` on `trainLoader` for `options.epochs` epochs and returns the History
 * (loss and accuracy per epoch, and validation loss and accuracy when validation data is
 * given). Throws NonFiniteLossError, naming the epoch and batch, if the loss diverges.
 */
export function fit(model: TrainableModel, trainLoader: BatchSource, options: FitOptions): History {
  checkArguments(model, trainLoader, options);
  const { optimizer, loss, epochs } = options;
  const callbacks = options.callbacks ?? [];
  const ctx: TrainingContext = {
    model, optimizer, trainLoader, callbacks, epochs,
    validation: options.validation === undefined ? undefined : asSource(options.validation),
    scheduler: options.scheduler,
    history: new History(),
    epoch: 0,
    stopTraining: false,
    stopReason: null,
  };
  const start = () => {
    for (const cb of callbacks) cb.onTrainBegin?.(ctx);
  };
  let startEpoch = 0;
  // onTrainBegin runs inside the resume, so a callback refusing to start undoes it.
  if (options.resumeFrom !== undefined) startEpoch = restoreCheckpoint(options.resumeFrom, ctx, start);
  else start();
  const stream = progressStream(options.progress);
  const params = model.parameters();
  const names = parameterNames(model, params);

  for (let e = startEpoch; e < epochs && !ctx.stopTraining; e++) {
    ctx.epoch = e + 1;
    for (const cb of callbacks) cb.onEpochBegin?.(ctx.epoch, ctx);
    const lr = optimizer.paramGroups?.[0]?.lr;
    const bar = stream ? new ProgressBar(stream, `Epoch ${ctx.epoch}/${epochs}`, trainLoader.length) : null;
    const stats = trainOneEpoch(ctx, loss, bar, params, names, options.metrics);

    const record: EpochRecord = { epoch: ctx.epoch, loss: stats.loss, accuracy: stats.accuracy, seconds: stats.seconds, samplesPerSecond: stats.samplesPerSecond };
    if (lr !== undefined) record.lr = lr;
    if (options.metrics) record.metrics = stats.metrics;
    if (ctx.validation) {
      const val = evaluate(model, ctx.validation, { loss, ...(options.metrics ? { metrics: options.metrics } : {}) });
      if (!Number.isFinite(val.loss)) throw new NonFiniteLossError({ epoch: ctx.epoch }, val.loss, 'the validation loss');
      record.valLoss = val.loss;
      record.valAccuracy = val.accuracy;
      if (options.metrics) record.valMetrics = val.metrics;
    }
    ctx.history.epochs.push(record);
    if (options.scheduler?.interval !== 'batch') options.scheduler?.step(record.valLoss ?? record.loss);
    bar?.finish(stats.batches, epochSummary(record));
    for (const cb of callbacks) cb.onEpochEnd?.(record, ctx);
    // A callback may have changed the weights (restoreBestWeights); check before any saves them.
    checkParametersFinite(model, ctx.epoch);
    for (const cb of callbacks) cb.onEpochSettled?.(record, ctx);
  }
  if (ctx.stopTraining) ctx.history.stopReason = ctx.stopReason ?? 'stopped by a callback';
  for (const cb of callbacks) cb.onTrainEnd?.(ctx.history, ctx);
  return ctx.history;
}

/** The line that replaces the progress bar when an epoch ends. */
function epochSummary(r: EpochRecord): string {
  // Accuracy has its own place in formatMetrics; the other metrics follow it.
  const extra = (m: Record<string, number> | undefined, prefix: string) =>
    Object.entries(m ?? {}).filter(([k]) => k !== 'accuracy').map(([k, v]) => ` ${prefix}${k} ${v.toPrecision(4)}`).join('');
  const val = r.valLoss === undefined ? '' : ` ${formatMetrics(r.valLoss, r.valAccuracy ?? NaN, 'val_')}${extra(r.valMetrics, 'val_')}`;
  return `${formatMetrics(r.loss, r.accuracy)}${extra(r.metrics, '')}${val} ${Math.round(r.samplesPerSecond)} samples/s in ${formatDuration(r.seconds)}`;
}

/**
 * Puts the training loader where a failed epoch left the weights: `before` is its state
 * before the epoch, `first` its live state once the first batch was out (for a DataLoader
 * { epoch, batch, order? }: taken once per epoch, the only time the order is copied), and
 * `applied` the batches whose updates were made. A DataLoader would otherwise count the
 * broken epoch as done. A loader without stateDict()/loadStateDict() is left as it is.
 */
function rewindLoader(loader: BatchSource, before: unknown, first: unknown, applied: number, err: unknown): void {
  if (typeof loader.loadStateDict !== 'function') return;
  let target = before;
  const live = first as { epoch?: unknown; batch?: unknown; order?: unknown } | null;
  if (live !== null && typeof live === 'object' && typeof live.batch === 'number') {
    const batch = live.batch - 1 + applied;
    if (batch > 0) target = { ...live, batch };
    else {
      const { order: _order, ...boundary } = live;
      target = { ...boundary, batch };
    }
  }
  if (target === null) return;
  try {
    loader.loadStateDict(target as never);
  } catch (rewindErr) {
    if (err instanceof Error) err.message += ` (the training loader could not be put back: ${(rewindErr as Error).message})`;
  }
}

interface EpochStats {
  loss: number;
  accuracy: number;
  metrics: Record<string, number>;
  seconds: number;
  samplesPerSecond: number;
  batches: number;
}

function trainOneEpoch(ctx: TrainingContext, loss: LossFunction, bar: ProgressBar | null, params: Tensor[], names: string[], metrics: readonly Metric[] | undefined): EpochStats {
  const { model, optimizer, trainLoader, callbacks } = ctx;
  model.train();
  let lossSum = 0, correct = 0, samples = 0, batch = 0;
  let classified = true;
  const tracker = new MetricTracker(metrics ?? []);
  // Without a metrics option, accuracy is measured whenever the output is [B, classes] against
  // B labels; with one, only when asked for (and then it must make sense, or the tracker says why).
  const accuracyNow = () => (metrics === undefined ? (classified ? correct / samples : NaN) : metrics.includes('accuracy') ? tracker.values().accuracy : NaN);
  const started = performance.now();
  // If the epoch fails, the loader goes back to just after the last batch whose update was
  // applied, so a failed fit leaves it consistent with the weights (see rewindLoader).
  const before = trainLoader.stateDict?.() ?? null;
  let first: unknown = null;
  let applied = 0;
  // The loop is written out (not for…of) so that each batch, from the loader making it to
  // the optimizer's step, runs inside tidy: its tensors are freed when it ends, on a gpu at
  // once instead of whenever the collector finds them, and memory() stays flat.
  const batches = trainLoader[Symbol.iterator]();
  try {
    for (;;) {
      const step = tidy(() => {
        const next = batches.next();
        if (next.done) return null;
        batch++;
        if (batch === 1) first = trainLoader.stateDict?.() ?? null;
        const checked = checkBatch(next.value, batch, 'training loader');
        const { x, y } = checked;
        const n = batchSize(checked);
        const position = { epoch: ctx.epoch, batch, batches: trainLoader.length };
        optimizer.zeroGrad();
        const pred = model.forward(x);
        const lossTensor = applyLoss(loss, pred, y);
        const value = lossTensor.item();
        if (!Number.isFinite(value)) throw new NonFiniteLossError(position, value);
        lossTensor.backward();
        // A finite loss can still have an infinite gradient (an overflow inside backward);
        // the step would write NaN into the weights.
        const badGrad = findNonFinite(params.map((p) => p.grad));
        if (badGrad) throw new NonFiniteLossError(position, badGrad.value, `the gradient of parameter '${names[badGrad.index]}' (loss ${value})`);
        optimizer.step();
        applied++;
        const badParam = findNonFinite(params);
        if (badParam) throw new NonFiniteLossError(position, badParam.value, `parameter '${names[badParam.index]}' (loss and gradients were finite; the update overflowed)`, true);
        if (ctx.scheduler?.interval === 'batch') ctx.scheduler.step();

        lossSum += value * n;
        samples += n;
        tracker.add(pred, y, n);
        if (metrics === undefined) {
          const c = countCorrect(pred, y);
          if (c === null) classified = false;
          else correct += c;
        }
        return { n, value };
      });
      if (step === null) break;
      const seconds = (performance.now() - started) / 1000;
      bar?.update(batch, { loss: lossSum / samples, accuracy: accuracyNow(), samplesPerSecond: samples / seconds });
      for (const cb of callbacks) cb.onBatchEnd?.({ batch, batches: trainLoader.length, size: step.n, loss: step.value }, ctx);
    }
    if (samples === 0) throw new RangeError(`fit: the training loader yielded no samples in epoch ${ctx.epoch}`);
  } catch (err) {
    // As for…of would: let the loader finish its epoch before it is put back.
    batches.return?.();
    bar?.abort();
    rewindLoader(trainLoader, before, first, applied, err);
    throw err;
  }
  const seconds = (performance.now() - started) / 1000;
  return { loss: lossSum / samples, accuracy: accuracyNow(), metrics: tracker.values(), seconds, samplesPerSecond: samples / seconds, batches: batch };
}

/**
 * fit(): the training loop. For each epoch: one pass over the training loader (forward,
 * loss, backward, optimizer step per batch), then validation, the history record, the
 * scheduler step and the callbacks. A loss that turns NaN or infinite stops the run
 * before the bad update is applied.
 */
import { Tensor } from '../tensor/tensor.ts';
import { DataLoader } from '../data/dataloader.ts';
import type { Dataset } from '../data/dataset.ts';
import { evaluate } from './evaluate.ts';
import { History, type EpochRecord } from './history.ts';
import { countCorrect } from './metrics.ts';
import { NonFiniteLossError } from './errors.ts';
import { ProgressBar, formatDuration, formatMetrics, progressStream, type ProgressStream } from './progress.ts';
import { restoreCheckpoint } from './checkpoint.ts';
import type { Callback, TrainingContext } from './callbacks.ts';
import { applyLoss, type BatchSource, type EpochScheduler, type LossFunction, type TrainableModel, type TrainableOptimizer } from './types.ts';

/** Options for {@link fit}. */
export interface FitOptions {
  /** Updates the parameters after each batch. */
  optimizer: TrainableOptimizer;
  /** Turns (output, labels) into the scalar to minimise, e.g. new tg.nn.CrossEntropyLoss(). */
  loss: LossFunction;
  /** Total epochs (a resumed run counts the ones already done). */
  epochs: number;
  /** Data evaluated after every epoch: a loader, or a dataset (batched 500 at a time, with no transform). */
  validation?: BatchSource | Dataset;
  /** Hooks run during training (EarlyStopping, ModelCheckpoint, your own). */
  callbacks?: Callback[];
  /**
   * Progress output. Default (or `true`): a live bar on a terminal, one summary line per
   * epoch elsewhere (log files, CI, the browser console). `false`: nothing. A stream
   * object: written to instead of stdout.
   */
  progress?: boolean | ProgressStream;
  /** Stepped once at the end of each epoch (with the validation loss, or the training loss). */
  scheduler?: EpochScheduler;
  /** A checkpoint (from ModelCheckpoint) to continue from, exactly as if never interrupted. */
  resumeFrom?: string;
}

function asSource(v: BatchSource | Dataset): BatchSource {
  if (typeof (v as Dataset).labels === 'object' && (v as Dataset).images instanceof Tensor) {
    return new DataLoader(v as Dataset, { batchSize: 500 });
  }
  return v as BatchSource;
}

/** Throws when a parameter holds NaN or ±Infinity, so no checkpoint ever saves a broken model. */
function checkParametersFinite(model: TrainableModel, epoch: number): void {
  for (const p of model.parameters()) {
    for (const v of p.data) {
      if (!Number.isFinite(v)) {
        throw new NonFiniteLossError({ epoch }, v, 'a parameter');
      }
    }
  }
}

/**
 * Trains `model` on `trainLoader` for `options.epochs` epochs and returns the History
 * (loss and accuracy per epoch, and validation loss and accuracy when validation data is
 * given). Throws NonFiniteLossError, naming the epoch and batch, if the loss diverges.
 */
export function fit(model: TrainableModel, trainLoader: BatchSource, options: FitOptions): History {
  const { optimizer, loss, epochs } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`fit: epochs must be a positive integer, got ${epochs}`);
  if (!optimizer || typeof optimizer.step !== 'function') throw new TypeError('fit: options.optimizer must be an optimizer (e.g. new tg.optim.Adam(model.parameters()))');
  if (!loss || (typeof loss !== 'function' && typeof loss.forward !== 'function')) {
    throw new TypeError('fit: options.loss must be a loss module (e.g. new tg.nn.CrossEntropyLoss()) or a function (pred, labels) => Tensor');
  }
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
  const startEpoch = options.resumeFrom ? restoreCheckpoint(options.resumeFrom, ctx) : 0;
  const stream = progressStream(options.progress);
  for (const cb of callbacks) cb.onTrainBegin?.(ctx);

  for (let e = startEpoch; e < epochs && !ctx.stopTraining; e++) {
    ctx.epoch = e + 1;
    for (const cb of callbacks) cb.onEpochBegin?.(ctx.epoch, ctx);
    const lr = optimizer.paramGroups?.[0]?.lr;
    const bar = stream ? new ProgressBar(stream, `Epoch ${ctx.epoch}/${epochs}`, trainLoader.length) : null;
    const stats = trainOneEpoch(ctx, loss, bar);

    const record: EpochRecord = { epoch: ctx.epoch, loss: stats.loss, accuracy: stats.accuracy, seconds: stats.seconds, samplesPerSecond: stats.samplesPerSecond };
    if (lr !== undefined) record.lr = lr;
    if (ctx.validation) {
      const val = evaluate(model, ctx.validation, { loss });
      if (!Number.isFinite(val.loss)) throw new NonFiniteLossError({ epoch: ctx.epoch }, val.loss, 'the validation loss');
      record.valLoss = val.loss;
      record.valAccuracy = val.accuracy;
    }
    ctx.history.epochs.push(record);
    options.scheduler?.step(record.valLoss ?? record.loss);
    bar?.finish(stats.batches, epochSummary(record));
    for (const cb of callbacks) cb.onEpochEnd?.(record, ctx);
    for (const cb of callbacks) cb.onEpochSettled?.(record, ctx);
  }
  if (ctx.stopTraining) ctx.history.stopReason = ctx.stopReason ?? 'stopped by a callback';
  for (const cb of callbacks) cb.onTrainEnd?.(ctx.history, ctx);
  return ctx.history;
}

/** The line that replaces the progress bar when an epoch ends. */
function epochSummary(r: EpochRecord): string {
  const val = r.valLoss === undefined ? '' : ` ${formatMetrics(r.valLoss, r.valAccuracy ?? NaN, 'val_')}`;
  return `${formatMetrics(r.loss, r.accuracy)}${val} ${Math.round(r.samplesPerSecond)} samples/s in ${formatDuration(r.seconds)}`;
}

interface EpochStats {
  loss: number;
  accuracy: number;
  seconds: number;
  samplesPerSecond: number;
  batches: number;
}

function trainOneEpoch(ctx: TrainingContext, loss: LossFunction, bar: ProgressBar | null): EpochStats {
  const { model, optimizer, trainLoader, callbacks } = ctx;
  model.train();
  let lossSum = 0, correct = 0, samples = 0, batch = 0;
  let classified = true;
  const started = performance.now();
  try {
    for (const { x, y } of trainLoader) {
      batch++;
      optimizer.zeroGrad();
      const pred = model.forward(x);
      const lossTensor = applyLoss(loss, pred, y);
      const value = lossTensor.item();
      if (!Number.isFinite(value)) throw new NonFiniteLossError({ epoch: ctx.epoch, batch, batches: trainLoader.length }, value);
      lossTensor.backward();
      optimizer.step();

      lossSum += value * y.length;
      samples += y.length;
      const c = countCorrect(pred, y);
      if (c === null) classified = false;
      else correct += c;
      const seconds = (performance.now() - started) / 1000;
      bar?.update(batch, { loss: lossSum / samples, accuracy: classified ? correct / samples : NaN, samplesPerSecond: samples / seconds });
      for (const cb of callbacks) cb.onBatchEnd?.({ batch, batches: trainLoader.length, size: y.length, loss: value }, ctx);
    }
    if (samples === 0) throw new RangeError(`fit: the training loader yielded no samples in epoch ${ctx.epoch}`);
    checkParametersFinite(model, ctx.epoch);
  } catch (err) {
    bar?.abort();
    throw err;
  }
  const seconds = (performance.now() - started) / 1000;
  return { loss: lossSum / samples, accuracy: classified ? correct / samples : NaN, seconds, samplesPerSecond: samples / seconds, batches: batch };
}

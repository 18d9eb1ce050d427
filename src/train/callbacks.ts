/**
 * Callbacks: code that fit() runs at fixed points of training — to log, stop early, or
 * save checkpoints — without the loop knowing about any of them.
 */
import { Tensor } from '../tensor/tensor.ts';
import { describeValue } from '../data/errors.ts';
import type { EpochRecord, History } from './history.ts';
import type { BatchSource, EpochScheduler, TrainableModel, TrainableOptimizer } from './types.ts';

/** Everything a callback can see and steer; one per fit() call. */
export interface TrainingContext {
  /** The model being trained. */
  readonly model: TrainableModel;
  /** Its optimizer. */
  readonly optimizer: TrainableOptimizer;
  /** The training batches. */
  readonly trainLoader: BatchSource;
  /** The validation batches, if any. */
  readonly validation: BatchSource | undefined;
  /** The learning-rate scheduler, if any. */
  readonly scheduler: EpochScheduler | undefined;
  /** Every callback of the run, in order. */
  readonly callbacks: readonly Callback[];
  /** The records so far. */
  readonly history: History;
  /** Total epochs the run is asked for. */
  readonly epochs: number;
  /** 1-based number of the epoch running (or just finished); 0 before the first. */
  epoch: number;
  /** Set to true (with a reason) to end training after the current epoch. */
  stopTraining: boolean;
  /** Why training was stopped, for History.stopReason. */
  stopReason: string | null;
}

/** What one training step measured. */
export interface BatchLogs {
  /** 1-based index of the batch in its epoch. */
  batch: number;
  /** Batches per epoch, when the loader knows. */
  batches: number | undefined;
  /** Samples in the batch. */
  size: number;
  /** The batch's mean loss. */
  loss: number;
}

/**
 * Hooks fit() calls, all optional. A callback that keeps state across epochs (a best
 * value, a counter) exposes stateDict()/loadStateDict() so checkpoints carry it; its
 * state may hold Tensors.
 */
export interface Callback {
  /** Before the first epoch (after a checkpoint has been restored). */
  onTrainBegin?(ctx: TrainingContext): void;
  /** Before each epoch's first batch; `epoch` is 1-based. */
  onEpochBegin?(epoch: number, ctx: TrainingContext): void;
  /** After each optimizer step. */
  onBatchEnd?(logs: BatchLogs, ctx: TrainingContext): void;
  /** After the epoch's record is in the history and the scheduler has stepped. */
  onEpochEnd?(record: EpochRecord, ctx: TrainingContext): void;
  /**
   * After every callback's onEpochEnd, when the epoch's state is final (early stopping has
   * decided); checkpoints are written here so they capture all of it.
   */
  onEpochSettled?(record: EpochRecord, ctx: TrainingContext): void;
  /** After the last epoch (or an early stop); not called when training throws. */
  onTrainEnd?(history: History, ctx: TrainingContext): void;
  /** State to carry in checkpoints (JSON-able values and Tensors). */
  stateDict?(): unknown;
  /** Restores what stateDict() returned. */
  loadStateDict?(state: never): void;
}

/** A metric of the epoch record that callbacks can watch. */
export type Monitor = 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy';

const MONITORS: readonly Monitor[] = ['loss', 'accuracy', 'valLoss', 'valAccuracy'];

/** Whether larger is better for a monitor under a mode. */
export function resolveMode(who: string, monitor: Monitor, mode: 'min' | 'max' | 'auto' = 'auto'): 'min' | 'max' {
  if (!MONITORS.includes(monitor)) throw new RangeError(`${who}: monitor must be one of ${MONITORS.join(', ')}, got ${describeValue(monitor)}`);
  if (mode !== 'min' && mode !== 'max' && mode !== 'auto') throw new RangeError(`${who}: mode must be 'min', 'max' or 'auto', got ${describeValue(mode)}`);
  if (mode !== 'auto') return mode;
  return monitor === 'accuracy' || monitor === 'valAccuracy' ? 'max' : 'min';
}

/** The monitored value of a record, with an error that says what is missing. */
export function monitored(who: string, record: EpochRecord, monitor: Monitor): number {
  const v = record[monitor];
  if (v === undefined || Number.isNaN(v)) {
    throw new RangeError(`${who}: monitor '${monitor}' has no value at epoch ${record.epoch}${monitor.startsWith('val') ? ' (pass validation data to fit)' : ''}`);
  }
  return v;
}

const EARLY_STOPPING_OPTIONS: readonly string[] = ['monitor', 'patience', 'minDelta', 'mode', 'restoreBestWeights'];

/** Options for {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /** Metric to watch. Default 'valLoss'. */
  monitor?: Monitor;
  /** Epochs without improvement to tolerate; the next one stops training. Default 0. */
  patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** 'min' (losses), 'max' (accuracies) or 'auto' (by the monitor's name). Default 'auto'. */
  mode?: 'min' | 'max' | 'auto';
  /** When stopping, put back the weights of the best epoch. Default false. */
  restoreBestWeights?: boolean;
}

/** Stops training once the monitored metric has not improved for more than `patience` epochs. */
export class EarlyStopping implements Callback {
  /** The metric watched. */
  readonly monitor: Monitor;
  /** Epochs without improvement tolerated. */
  readonly patience: number;
  /** Smallest change that counts as an improvement. */
  readonly minDelta: number;
  /** Whether lower ('min') or higher ('max') is better. */
  readonly mode: 'min' | 'max';
  /** Whether stopping puts back the best epoch's weights. */
  readonly restoreBestWeights: boolean;
  /** Best value seen so far. */
  best: number;
  /** Epoch (1-based) that reached `best`; 0 before any. */
  bestEpoch = 0;
  /** Epochs since the last improvement. */
  wait = 0;
  private bestWeights: Record<string, Tensor> | null = null;

  /** See {@link EarlyStoppingOptions}. */
  constructor(options: EarlyStoppingOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError(`EarlyStopping: options must be an object, got ${describeValue(options)}`);
    for (const key of Object.keys(options)) {
      if (!EARLY_STOPPING_OPTIONS.includes(key)) throw new RangeError(`EarlyStopping: unknown option ${JSON.stringify(key)} (options are ${EARLY_STOPPING_OPTIONS.join(', ')})`);
    }
    this.monitor = options.monitor ?? 'valLoss';
    this.mode = resolveMode('EarlyStopping', this.monitor, options.mode);
    this.patience = options.patience ?? 0;
    this.minDelta = options.minDelta ?? 0;
    if (typeof this.patience !== 'number' || !Number.isInteger(this.patience) || this.patience < 0) {
      throw new RangeError(`EarlyStopping: patience must be a non-negative integer, got ${describeValue(this.patience)}`);
    }
    if (typeof this.minDelta !== 'number' || !(this.minDelta >= 0) || this.minDelta === Infinity) {
      throw new RangeError(`EarlyStopping: minDelta must be a finite number >= 0, got ${describeValue(this.minDelta)}`);
    }
    if (options.restoreBestWeights !== undefined && typeof options.restoreBestWeights !== 'boolean') {
      throw new TypeError(`EarlyStopping: restoreBestWeights must be true or false, got ${describeValue(options.restoreBestWeights)}`);
    }
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Checks that the monitored metric will exist, and that kept best weights (from a checkpoint) fit the model. */
  onTrainBegin(ctx: TrainingContext): void {
    if (this.monitor.startsWith('val') && ctx.validation === undefined) {
      throw new RangeError(`EarlyStopping: monitor '${this.monitor}' needs validation data; pass options.validation to fit`);
    }
    if (this.bestWeights) {
      const current = ctx.model.stateDict();
      const names = Object.keys(current);
      const kept = Object.keys(this.bestWeights);
      const misfit = names.find((n) => !kept.includes(n)) ?? kept.find((n) => !names.includes(n)) ??
        names.find((n) => this.bestWeights![n].shape.join() !== current[n].shape.join());
      if (misfit !== undefined) {
        throw new RangeError(`EarlyStopping: the best weights it keeps do not fit the model (at ${JSON.stringify(misfit)}); were they saved from another model?`);
      }
    }
  }

  /** Compares the epoch's metric with the best so far and stops training when patience runs out. */
  onEpochEnd(record: EpochRecord, ctx: TrainingContext): void {
    const value = monitored('EarlyStopping', record, this.monitor);
    const improved = this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
    if (improved) {
      this.best = value;
      this.bestEpoch = record.epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = ctx.model.stateDict();
      return;
    }
    this.wait++;
    if (this.wait > this.patience) {
      ctx.stopTraining = true;
      ctx.stopReason = `early stopping: ${this.monitor} did not improve for ${this.wait} epoch(s) (best ${this.best} at epoch ${this.bestEpoch})`;
      if (this.bestWeights) ctx.model.loadStateDict(this.bestWeights);
    }
  }

  /** best, bestEpoch, wait (and the best weights when kept), for checkpoints. */
  stateDict(): {
    /** Best value seen so far. */
    best: number;
    /** Epoch (1-based) that reached `best`; 0 before any. */
    bestEpoch: number;
    /** Epochs since the last improvement. */
    wait: number;
    /** The best epoch's weights when `restoreBestWeights` is set, else null. */
    bestWeights: Record<string, Tensor> | null;
  } {
    return { best: this.best, bestEpoch: this.bestEpoch, wait: this.wait, bestWeights: this.bestWeights };
  }

  /** Restores what stateDict() returned; a state of the wrong types is refused and changes nothing. */
  loadStateDict(state: { best: number; bestEpoch: number; wait: number; bestWeights?: Record<string, Tensor> | null }): void {
    const where = 'EarlyStopping.loadStateDict';
    if (state === null || typeof state !== 'object') throw new TypeError(`${where}: expected { best, bestEpoch, wait, bestWeights }, got ${describeValue(state)}`);
    const { best, bestEpoch, wait, bestWeights } = state;
    if (typeof best !== 'number' || Number.isNaN(best)) throw new TypeError(`${where}: best must be a number, got ${describeValue(best)}`);
    for (const [name, v] of [['bestEpoch', bestEpoch], ['wait', wait]] as const) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new RangeError(`${where}: ${name} must be an integer >= 0, got ${describeValue(v)}`);
    }
    if (bestWeights !== undefined && bestWeights !== null) {
      if (typeof bestWeights !== 'object') throw new TypeError(`${where}: bestWeights must be an object of Tensors or null, got ${describeValue(bestWeights)}`);
      for (const k of Object.keys(bestWeights)) {
        if (!(bestWeights[k] instanceof Tensor)) throw new TypeError(`${where}: bestWeights[${JSON.stringify(k)}] must be a Tensor, got ${describeValue(bestWeights[k])}`);
      }
    }
    this.best = best;
    this.bestEpoch = bestEpoch;
    this.wait = wait;
    this.bestWeights = bestWeights ?? null;
  }
}

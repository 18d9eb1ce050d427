/** ModelCheckpoint: the callback that writes a checkpoint at the end of every epoch (or the best ones). */
import { files } from '#platform';
import type { EpochRecord } from './history.ts';
import { describeValue } from '../data/errors.ts';
import { monitored, resolveMode, type Callback, type Monitor, type TrainingContext } from './callbacks.ts';
import { CheckpointError, saveCheckpoint } from './checkpoint.ts';

/** Options for {@link ModelCheckpoint}. */
export interface ModelCheckpointOptions {
  /** Only write when this metric improves (with `saveBestOnly`). Default 'valLoss'. */
  monitor?: Monitor;
  /** Write only epochs that improve `monitor`; default false: write every epoch. */
  saveBestOnly?: boolean;
  /** 'min', 'max' or 'auto' for `monitor`. */
  mode?: 'min' | 'max' | 'auto';
}

const OPTIONS: readonly string[] = ['monitor', 'saveBestOnly', 'mode'];

/**
 * Throws unless `path` can be written: its folder exists and is writable, and the path is
 * not itself a folder. Checked when training starts, so a typo costs nothing instead of
 * an epoch of training.
 */
function checkWritable(path: string): void {
  const fs = files('ModelCheckpoint', 'checkpoints are files: train in Node to use ModelCheckpoint');
  const folder = fs.dirname(fs.resolve(path));
  const kind = fs.kind(folder);
  if (kind === 'missing') throw new CheckpointError(`ModelCheckpoint: cannot write ${path}: the folder ${folder} does not exist (create it first)`);
  if (kind !== 'folder') throw new CheckpointError(`ModelCheckpoint: cannot write ${path}: ${folder} is not a folder`);
  if (!fs.writable(folder)) throw new CheckpointError(`ModelCheckpoint: cannot write ${path}: the folder ${folder} is not writable`);
  if (fs.kind(path) === 'folder') throw new CheckpointError(`ModelCheckpoint: cannot write ${path}: it is a folder, not a file`);
}

/**
 * Writes a full checkpoint to `path` at the end of every epoch (or only the best ones),
 * from which `fit(..., { resumeFrom: path })` continues the run exactly.
 */
export class ModelCheckpoint implements Callback {
  /** The checkpoint file, replaced atomically at each save. */
  readonly path: string;
  /** Whether only improving epochs are saved. */
  readonly saveBestOnly: boolean;
  /** The metric that decides what improves. */
  readonly monitor: Monitor;
  /** Whether lower ('min') or higher ('max') is better. */
  readonly mode: 'min' | 'max';
  /** Best monitored value written so far. */
  best: number;

  /** Checkpoints to `path`; see {@link ModelCheckpointOptions}. */
  constructor(path: string, options: ModelCheckpointOptions = {}) {
    if (typeof path !== 'string' || path === '') throw new TypeError(`ModelCheckpoint: path must be a non-empty string, got ${describeValue(path)}`);
    if (options === null || typeof options !== 'object') throw new TypeError(`ModelCheckpoint: options must be an object, got ${describeValue(options)}`);
    for (const key of Object.keys(options)) {
      if (!OPTIONS.includes(key)) throw new RangeError(`ModelCheckpoint: unknown option ${JSON.stringify(key)} (options are ${OPTIONS.join(', ')})`);
    }
    if (options.saveBestOnly !== undefined && typeof options.saveBestOnly !== 'boolean') {
      throw new TypeError(`ModelCheckpoint: saveBestOnly must be true or false, got ${describeValue(options.saveBestOnly)}`);
    }
    this.path = path;
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.monitor = options.monitor ?? 'valLoss';
    this.mode = resolveMode('ModelCheckpoint', this.monitor, options.mode);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Fails before the first epoch when the file could not be written, or the monitored metric will not exist. */
  onTrainBegin(ctx: TrainingContext): void {
    checkWritable(this.path);
    if (this.saveBestOnly && this.monitor.startsWith('val') && ctx.validation === undefined) {
      throw new RangeError(`ModelCheckpoint: monitor '${this.monitor}' needs validation data; pass options.validation to fit`);
    }
  }

  /** Saves once the epoch's state is final. */
  onEpochSettled(record: EpochRecord, ctx: TrainingContext): void {
    if (this.saveBestOnly) {
      const v = monitored('ModelCheckpoint', record, this.monitor);
      if (!(this.mode === 'min' ? v < this.best : v > this.best)) return;
      this.best = v;
    }
    saveCheckpoint(this.path, ctx);
  }

  /** The best value, for checkpoints. */
  stateDict(): {
    /** Best monitored value written so far. */
    best: number;
  } {
    return { best: this.best };
  }

  /** Restores what stateDict() returned; anything else is refused and changes nothing. */
  loadStateDict(state: { best: number }): void {
    const best = (state as { best?: unknown } | null)?.best;
    if (typeof best !== 'number' || Number.isNaN(best)) {
      throw new TypeError(`ModelCheckpoint.loadStateDict: expected { best: number }, got best = ${describeValue(best)}`);
    }
    this.best = best;
  }
}

/**
 * Training checkpoints: everything a run needs to continue exactly where it stopped —
 * model weights, optimizer state, the global RNG, the data loaders' positions, the
 * scheduler, callback state, the history and the epoch — in ONE safetensors file.
 *
 * Tensors (weights, optimizer buffers, any tensor inside a state dict) go in the tensor
 * section; everything else is JSON in the `__metadata__` entry "tsgrad.checkpoint", with
 * each tensor replaced by a reference to its name. One file written by temp + rename
 * (io.saveTensors) means a crash mid-save leaves the previous checkpoint intact.
 */
import { Tensor } from '../tensor/tensor.ts';
import { getRngState, setRngState, type RngState } from '../tensor/random.ts';
import { loadTensors, saveTensors } from '../io/safetensors.ts';
import { History, type EpochRecord } from './history.ts';
import { monitored, resolveMode, type Callback, type Monitor, type TrainingContext } from './callbacks.ts';

const META_KEY = 'tsgrad.checkpoint';
const FORMAT = 'tsgrad-checkpoint/1';

/** A checkpoint file that cannot be used to resume (wrong format, or does not fit the run). */
export class CheckpointError extends Error {
  /** Always 'CheckpointError'. */
  override name = 'CheckpointError';
}

/** The non-tensor part of a checkpoint, as stored in its metadata. */
interface CheckpointMeta {
  format: string;
  /** Epochs completed. */
  epoch: number;
  rng: RngState;
  optimizer: unknown;
  trainLoader: unknown;
  validation: unknown;
  scheduler: unknown;
  callbacks: { kind: string; state: unknown }[];
  history: { epochs: EpochRecord[]; stopReason: string | null };
}

/** JSON has no NaN/Infinity and no typed arrays; these markers carry them through. */
type Packed = { $tensor: string } | { $number: string } | unknown;

/** Replaces every Tensor in `value` by a reference, collecting the tensors under `prefix`. */
function pack(value: unknown, tensors: Record<string, Tensor>, prefix: string): Packed {
  if (value instanceof Tensor) {
    const name = `${prefix}.${Object.keys(tensors).length}`;
    tensors[name] = value;
    return { $tensor: name };
  }
  if (value instanceof Float32Array) return pack(new Tensor(value, [value.length]), tensors, prefix);
  if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map((v) => pack(v, tensors, prefix));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = pack(v, tensors, prefix);
    return out;
  }
  return value;
}

/** Inverse of pack(). */
function unpack(value: Packed, tensors: Record<string, Tensor>, path: string): unknown {
  if (Array.isArray(value)) return value.map((v) => unpack(v, tensors, path));
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.$tensor === 'string') {
      const t = tensors[obj.$tensor];
      if (!t) throw new CheckpointError(`loadCheckpoint: ${path} refers to tensor "${obj.$tensor}", which the file does not hold`);
      return t;
    }
    if (typeof obj.$number === 'string') return Number(obj.$number);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = unpack(v, tensors, path);
    return out;
  }
  return value;
}

/** Key of a callback's state: its position and class, so a reordered list does not mix states up. */
const callbackKind = (cb: Callback, i: number) => `${i}:${cb.constructor?.name ?? 'callback'}`;

/** Writes the run's full state to `path` (atomically); `ctx.epoch` epochs count as completed. */
export function saveCheckpoint(path: string, ctx: TrainingContext): void {
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(ctx.model.stateDict())) tensors[`model.${name}`] = t;
  const meta: CheckpointMeta = {
    format: FORMAT,
    epoch: ctx.epoch,
    rng: getRngState(),
    optimizer: pack(ctx.optimizer.stateDict(), tensors, 'optimizer'),
    trainLoader: ctx.trainLoader.stateDict?.() ?? null,
    validation: ctx.validation?.stateDict?.() ?? null,
    scheduler: pack(ctx.scheduler?.stateDict?.() ?? null, tensors, 'scheduler'),
    callbacks: ctx.callbacks.map((cb, i) => ({ kind: callbackKind(cb, i), state: pack(cb.stateDict?.() ?? null, tensors, `callback${i}`) })),
    history: ctx.history.toJSON(),
  };
  const json = JSON.stringify(pack(meta, {}, 'meta'));
  saveTensors(tensors, path, { [META_KEY]: json });
}

/** A checkpoint read back from disk. */
export interface Checkpoint {
  /** Epochs completed when it was written. */
  epoch: number;
  /** The model's stateDict. */
  model: Record<string, Tensor>;
  /** The optimizer's stateDict. */
  optimizer: unknown;
  /** The global generator's state. */
  rng: RngState;
  /** The training loader's position (null if it has none). */
  trainLoader: unknown;
  /** The validation loader's position (null if none). */
  validation: unknown;
  /** The scheduler's state (null if none). */
  scheduler: unknown;
  /** Each callback's state, keyed by position and class. */
  callbacks: {
    /** The callback's position and class name, e.g. `0:EarlyStopping`. */
    kind: string;
    /** What the callback's stateDict() returned (null if it has none). */
    state: unknown;
  }[];
  /** The epochs recorded so far. */
  history: History;
}

/** Reads and checks a checkpoint written by saveCheckpoint (throws CheckpointError if it is not one). */
export function loadCheckpoint(path: string): Checkpoint {
  const { tensors, metadata } = loadTensors(path);
  const raw = metadata[META_KEY];
  if (raw === undefined) throw new CheckpointError(`loadCheckpoint: ${path} is a safetensors file but not a tsgrad checkpoint (no "${META_KEY}" metadata)`);
  let meta: CheckpointMeta;
  try {
    meta = unpack(JSON.parse(raw), tensors, path) as CheckpointMeta;
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError(`loadCheckpoint: ${path} has unreadable checkpoint metadata: ${(err as Error).message}`);
  }
  if (meta.format !== FORMAT) throw new CheckpointError(`loadCheckpoint: ${path} has format ${JSON.stringify(meta.format)}, expected "${FORMAT}"`);
  const model: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(tensors)) if (name.startsWith('model.')) model[name.slice(6)] = t;
  const history = new History(meta.history.epochs);
  history.stopReason = meta.history.stopReason;
  return { ...meta, model, history };
}

/**
 * Puts a checkpoint's state into a run about to resume: model, optimizer, RNG, loaders,
 * scheduler, callbacks and history. Returns the epochs already completed. If any part
 * does not fit, the model and optimizer are put back as they were before throwing.
 */
export function restoreCheckpoint(path: string, ctx: TrainingContext): number {
  const ck = loadCheckpoint(path);
  if (ck.epoch > ctx.epochs) {
    throw new CheckpointError(`fit: checkpoint ${path} has ${ck.epoch} epochs done, more than the ${ctx.epochs} epochs asked for`);
  }
  const savedModel = ctx.model.stateDict();
  const savedOptimizer = ctx.optimizer.stateDict();
  try {
    ctx.model.loadStateDict(ck.model);
    ctx.optimizer.loadStateDict(ck.optimizer as never);
    if (ck.trainLoader !== null) ctx.trainLoader.loadStateDict?.(ck.trainLoader as never);
    if (ck.validation !== null) ctx.validation?.loadStateDict?.(ck.validation as never);
    if (ck.scheduler !== null) ctx.scheduler?.loadStateDict?.(ck.scheduler as never);
    ctx.callbacks.forEach((cb, i) => {
      const saved = ck.callbacks.find((c) => c.kind === callbackKind(cb, i));
      if (saved && saved.state !== null) cb.loadStateDict?.(saved.state as never);
    });
  } catch (err) {
    ctx.model.loadStateDict(savedModel);
    ctx.optimizer.loadStateDict(savedOptimizer as never);
    throw new CheckpointError(`fit: cannot resume from ${path}: ${(err as Error).message}`);
  }
  setRngState(ck.rng);
  ctx.history.epochs.splice(0, ctx.history.epochs.length, ...ck.history.epochs);
  ctx.history.stopReason = ck.history.stopReason;
  ctx.epoch = ck.epoch;
  return ck.epoch;
}

/** Options for {@link ModelCheckpoint}. */
export interface ModelCheckpointOptions {
  /** Only write when this metric improves (with `saveBestOnly`). Default 'valLoss'. */
  monitor?: Monitor;
  /** Write only epochs that improve `monitor`; default false: write every epoch. */
  saveBestOnly?: boolean;
  /** 'min', 'max' or 'auto' for `monitor`. */
  mode?: 'min' | 'max' | 'auto';
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
    if (typeof path !== 'string' || path === '') throw new TypeError('ModelCheckpoint: path must be a non-empty string');
    this.path = path;
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.monitor = options.monitor ?? 'valLoss';
    this.mode = resolveMode('ModelCheckpoint', this.monitor, options.mode);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
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

  /** Restores what stateDict() returned. */
  loadStateDict(state: { best: number }): void {
    this.best = state.best;
  }
}

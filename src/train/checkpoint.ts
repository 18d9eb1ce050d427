/**
 * Training checkpoints: everything a run needs to continue exactly where it stopped —
 * model weights, optimizer state, the global RNG, the data loaders' positions, the
 * scheduler, callback state, the history, the epoch, and whether a callback ended the run —
 * in ONE safetensors file.
 *
 * Tensors (weights, optimizer buffers, any tensor inside a state dict) go in the tensor
 * section; everything else is JSON in the `__metadata__` entry "tsgrad.checkpoint", with
 * each tensor replaced by a reference to its name. One file written by temp + rename
 * (io.saveTensors) means a crash mid-save leaves the previous checkpoint intact.
 *
 * loadCheckpoint checks everything the file can be checked against on its own (format,
 * epoch, history, RNG state, the shape of each section) and refuses a file that fails
 * any of it; what must fit the run (weights, optimizer, loader) is checked by resume.ts.
 */
import { Tensor } from '../tensor/tensor.ts';
import { checkRngState, getRngState, type RngState } from '../tensor/random.ts';
import { loadTensors, saveTensors } from '../io/safetensors.ts';
import { scanJson } from '../io/json-scan.ts';
import { describeValue } from '../data/errors.ts';
import { History, type EpochRecord } from './history.ts';
import type { Callback, TrainingContext } from './callbacks.ts';

const META_KEY = 'tsgrad.checkpoint';
const FORMAT = 'tsgrad-checkpoint/1';

/**
 * Bounds on the metadata JSON (see json-scan.ts). A real checkpoint nests about 6 deep and
 * holds a few members per parameter tensor and per epoch; these leave wide room for that
 * while keeping a hostile file's parse under a few seconds.
 */
const META_BOUNDS = { maxDepth: 32, maxObjectMembers: 65_536, maxMembers: 1_048_576 };

/** A checkpoint file that cannot be used to resume (wrong format, or does not fit the run), or cannot be written. */
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
  /** Why a callback ended the run, or null while it goes on; absent in files written before it was kept. */
  stopReason?: string | null;
}

/** JSON has no NaN/Infinity and no typed arrays; these markers carry them through. */
type Packed = { $tensor: string } | { $number: string } | unknown;

/** Sets an own property even for "__proto__", which plain assignment would turn into a prototype change. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

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
    for (const k of Object.keys(value)) setOwn(out, k, pack((value as Record<string, unknown>)[k], tensors, prefix));
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
      if (!Object.prototype.hasOwnProperty.call(tensors, obj.$tensor)) {
        throw new CheckpointError(`loadCheckpoint: ${path} refers to tensor ${describeValue(obj.$tensor)}, which the file does not hold`);
      }
      return tensors[obj.$tensor];
    }
    if (typeof obj.$number === 'string') {
      if (!['NaN', 'Infinity', '-Infinity'].includes(obj.$number)) {
        throw new CheckpointError(`loadCheckpoint: ${path} holds ${describeValue(obj.$number)} where NaN, Infinity or -Infinity was expected`);
      }
      return Number(obj.$number);
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj)) setOwn(out, k, unpack(obj[k], tensors, path));
    return out;
  }
  return value;
}

/** Key of a callback's state: its position and class, so a reordered list does not mix states up. */
export const callbackKind = (cb: Callback, i: number): string => `${i}:${cb.constructor?.name ?? 'callback'}`;

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
    // Without this a resumed run that early stopping had ended would train on.
    stopReason: ctx.stopTraining ? (ctx.stopReason ?? 'stopped by a callback') : null,
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
  /** Why a callback (early stopping) ended the run; null when the run can go on. */
  stopReason: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number';

/** Checks one history record: the epoch number it must carry and numbers where numbers belong. */
function checkRecord(r: unknown, i: number, bad: (why: string) => CheckpointError): void {
  if (!isObject(r)) throw bad(`history.epochs[${i}] must be an object, got ${describeValue(r)}`);
  if (r.epoch !== i + 1) throw bad(`history.epochs[${i}] is epoch ${describeValue(r.epoch)}, expected ${i + 1}`);
  for (const key of ['loss', 'accuracy', 'seconds', 'samplesPerSecond']) {
    if (!isNumber(r[key])) throw bad(`history.epochs[${i}].${key} must be a number, got ${describeValue(r[key])}`);
  }
  for (const key of ['valLoss', 'valAccuracy', 'lr']) {
    if (r[key] !== undefined && !isNumber(r[key])) throw bad(`history.epochs[${i}].${key} must be a number, got ${describeValue(r[key])}`);
  }
}

/** Everything about the metadata that does not depend on the run it will resume. */
function checkMeta(meta: unknown, bad: (why: string) => CheckpointError): asserts meta is CheckpointMeta {
  if (!isObject(meta)) throw bad(`metadata must be an object, got ${describeValue(meta)}`);
  if (meta.format !== FORMAT) throw bad(`format is ${describeValue(meta.format)}, expected "${FORMAT}"`);
  const { epoch, history, callbacks, stopReason } = meta;
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 0) throw bad(`epoch must be an integer ≥ 0, got ${describeValue(epoch)}`);
  try {
    checkRngState(meta.rng, 'rng');
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (!isObject(history) || !Array.isArray(history.epochs)) throw bad('history must be { epochs: [...], stopReason }');
  if (history.epochs.length !== epoch) throw bad(`history holds ${history.epochs.length} epochs, but the checkpoint says ${epoch} were completed`);
  history.epochs.forEach((r, i) => checkRecord(r, i, bad));
  if (history.stopReason !== null && typeof history.stopReason !== 'string') throw bad(`history.stopReason must be a string or null, got ${describeValue(history.stopReason)}`);
  if (stopReason !== undefined && stopReason !== null && typeof stopReason !== 'string') throw bad(`stopReason must be a string or null, got ${describeValue(stopReason)}`);
  if (!Array.isArray(callbacks)) throw bad(`callbacks must be an array, got ${describeValue(callbacks)}`);
  callbacks.forEach((c, i) => {
    if (!isObject(c) || typeof c.kind !== 'string' || !('state' in c)) throw bad(`callbacks[${i}] must be { kind: string, state }`);
  });
  for (const key of ['optimizer', 'trainLoader', 'validation', 'scheduler']) {
    if (!(key in meta)) throw bad(`the ${key} section is missing`);
  }
}

/** Reads and checks a checkpoint written by saveCheckpoint (throws CheckpointError if it is not one). */
export function loadCheckpoint(path: string): Checkpoint {
  const { tensors, metadata } = loadTensors(path);
  const bad = (why: string) => new CheckpointError(`loadCheckpoint: ${path}: ${why}`);
  const raw = metadata[META_KEY];
  if (raw === undefined) throw new CheckpointError(`loadCheckpoint: ${path} is a safetensors file but not a tsgrad checkpoint (no "${META_KEY}" metadata)`);
  const broken = scanJson(raw.length, (i) => raw.charCodeAt(i), META_BOUNDS);
  if (broken) throw bad(`checkpoint metadata exceeds ${broken.bound} = ${broken.limit} at character ${broken.at}; not a file saveCheckpoint wrote`);
  let meta: unknown;
  try {
    meta = unpack(JSON.parse(raw), tensors, path);
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw bad(`unreadable checkpoint metadata: ${(err as Error).message}`);
  }
  checkMeta(meta, bad);
  const model: Record<string, Tensor> = {};
  for (const name of Object.keys(tensors)) if (name.startsWith('model.')) setOwn(model, name.slice(6), tensors[name]);
  const history = new History(meta.history.epochs);
  history.stopReason = meta.history.stopReason;
  return { ...meta, model, history, stopReason: meta.stopReason ?? null };
}

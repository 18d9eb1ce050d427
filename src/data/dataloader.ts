/**
 * DataLoader: walks a Dataset (images and class labels) or a TensorDataset (inputs and
 * targets of any kind) in mini-batches, optionally shuffled and transformed.
 *
 * `for (const { x, y } of loader)` runs one epoch. Each new loop starts the next epoch,
 * with a fresh shuffle. Shuffles and random transforms come from:
 *   - with `seed`: the global generator reseeded from (seed, epoch, batch) for each draw
 *     and then restored, so a seeded loader is reproducible on its own and leaves the
 *     global stream (weight init, dropout) untouched;
 *   - without `seed`: the global generator itself, so `manualSeed` governs it.
 * Its position (epoch, batch, and for an unseeded loader stopped mid-epoch the order)
 * is `stateDict()`; `loadStateDict()` makes the next loop continue from there, which is
 * what training checkpoints rely on.
 */
import { Tensor } from '../tensor/tensor.ts';
import { sizeOf } from '../tensor/shape.ts';
import { shuffleInPlace } from '../tensor/random.ts';
import { TensorDataset, datasetSize, type Dataset } from './dataset.ts';
import { deriveSeed, withSeed } from './seed-scope.ts';
import { describeValue } from './errors.ts';
import type { Transform } from './transforms.ts';

/** One mini-batch: inputs [B, ...] and their labels (or, from a TensorDataset, their targets [B, ...]). */
export interface Batch<Y extends Int32Array | Tensor = Int32Array> {
  /** The batch's inputs, with the batch along dimension 0. */
  x: Tensor;
  /** The batch's labels, one class index per sample; a Tensor of targets for a TensorDataset. */
  y: Y;
}

/** What a loader over `D` yields as `y`: labels for a Dataset, a Tensor for a TensorDataset. */
export type BatchTarget<D> = D extends TensorDataset ? Tensor : Int32Array;

/** Options for {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Samples per batch (a positive integer). */
  batchSize: number;
  /** Visit samples in a new random order each epoch. Default false. */
  shuffle?: boolean;
  /** Makes shuffles and random transforms reproducible and independent of the global RNG. */
  seed?: number;
  /** Drop the last batch when it would be smaller than batchSize. Default false. */
  dropLast?: boolean;
  /** Applied to each batch's inputs before it is yielded. */
  transform?: Transform;
}

/** A DataLoader's position, as saved in checkpoints. */
export interface DataLoaderState {
  /** Epochs completed (the next loop runs epoch number `epoch`, counting from 0). */
  epoch: number;
  /** Batches already yielded in that epoch (0 at an epoch boundary). */
  batch: number;
  /** The epoch's sample order; only kept for an unseeded shuffling loader stopped mid-epoch. */
  order?: number[];
}

const OPTION_NAMES: readonly (keyof DataLoaderOptions)[] = ['batchSize', 'shuffle', 'seed', 'dropLast', 'transform'];

/** Every option checked, with the value a plain-JS caller actually passed in the message. */
function checkOptions(options: DataLoaderOptions): DataLoaderOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`DataLoader: options must be an object with at least batchSize, e.g. new DataLoader(dataset, { batchSize: 64 }); got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key as keyof DataLoaderOptions)) {
      throw new RangeError(`DataLoader: unknown option ${JSON.stringify(key)} (options are ${OPTION_NAMES.join(', ')})`);
    }
  }
  const { batchSize, shuffle, seed, dropLast, transform } = options;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize <= 0) {
    throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${describeValue(batchSize)}`);
  }
  for (const [name, v] of [['shuffle', shuffle], ['dropLast', dropLast]] as const) {
    if (v !== undefined && typeof v !== 'boolean') throw new TypeError(`DataLoader: ${name} must be true or false, got ${describeValue(v)}`);
  }
  // deriveSeed reads the seed as a 32-bit integer: anything else would quietly collide.
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 32)) {
    throw new RangeError(`DataLoader: seed must be a 32-bit integer, got ${describeValue(seed)}`);
  }
  if (transform !== undefined && typeof transform !== 'function') {
    throw new TypeError(`DataLoader: transform must be a function (batch) => batch, got ${describeValue(transform)}`);
  }
  return options;
}

/** `order` as an Int32Array after checking it holds each of 0..n-1 exactly once. */
function checkPermutation(where: string, order: unknown, n: number): Int32Array {
  if (!Array.isArray(order) || order.length !== n) {
    throw new RangeError(`${where}: a mid-epoch state of an unseeded shuffling loader needs 'order' with ${n} indices, got ${describeValue(order)}`);
  }
  const seen = new Uint8Array(n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = order[i];
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s >= n) {
      throw new RangeError(`${where}: order[${i}] is ${describeValue(s)}, not a sample index in [0, ${n})`);
    }
    if (seen[s]) throw new RangeError(`${where}: order lists sample ${s} twice, so it is not a permutation of the ${n} samples`);
    seen[s] = 1;
    out[i] = s;
  }
  return out;
}

/** Iterates a Dataset in mini-batches of tensors. */
export class DataLoader<D extends Dataset | TensorDataset = Dataset> implements Iterable<Batch<BatchTarget<D>>> {
  /** The samples being batched. */
  readonly dataset: D;
  /** Samples per batch. */
  readonly batchSize: number;
  /** Whether each epoch visits the samples in a new random order. */
  readonly shuffle: boolean;
  /** The seed behind shuffles and random transforms, if any. */
  readonly seed: number | undefined;
  /** Whether an incomplete final batch is skipped. */
  readonly dropLast: boolean;
  /** Applied to each batch's inputs. */
  readonly transform: Transform | undefined;
  private readonly n: number;
  private epoch = 0;
  private resumeAt: { batch: number; order: Int32Array | null } | null = null;
  private live: { batch: number; order: Int32Array | null } | null = null;

  /** Batches `dataset`: { images: Tensor [N, ...], labels: Int32Array [N] }, or a TensorDataset. */
  constructor(dataset: D, options: DataLoaderOptions) {
    this.n = datasetSize(dataset, 'DataLoader');
    const o = checkOptions(options);
    this.dataset = dataset;
    this.batchSize = o.batchSize;
    this.shuffle = o.shuffle ?? false;
    this.seed = o.seed;
    this.dropLast = o.dropLast ?? false;
    this.transform = o.transform;
  }

  /** Number of samples in the dataset. */
  get numSamples(): number {
    return this.n;
  }

  /** Batches per epoch. */
  get length(): number {
    return this.dropLast ? Math.floor(this.n / this.batchSize) : Math.ceil(this.n / this.batchSize);
  }

  /** Samples per epoch (fewer than numSamples when dropLast drops a partial batch). */
  get samplesPerEpoch(): number {
    return this.dropLast ? this.length * this.batchSize : this.n;
  }

  /** One epoch of batches. Leaving the loop early (break, throw) still ends the epoch. */
  *[Symbol.iterator](): Iterator<Batch<BatchTarget<D>>> {
    const epoch = this.epoch;
    const resume = this.resumeAt;
    this.resumeAt = null;
    const order = resume ? resume.order : this.makeOrder(epoch);
    this.live = { batch: resume?.batch ?? 0, order };
    try {
      for (let b = this.live.batch; b < this.length; b++) {
        const batch = this.makeBatch(epoch, b, order);
        this.live.batch = b + 1;
        yield batch;
      }
    } finally {
      this.live = null;
      this.epoch = epoch + 1;
    }
  }

  /** The loader's position: where the next loop will start (or, mid-loop, the batch after the last one yielded). */
  stateDict(): DataLoaderState {
    if (this.live) {
      const state: DataLoaderState = { epoch: this.epoch, batch: this.live.batch };
      if (this.live.order && this.seed === undefined) state.order = Array.from(this.live.order);
      return state;
    }
    const state: DataLoaderState = { epoch: this.epoch, batch: this.resumeAt?.batch ?? 0 };
    if (this.resumeAt?.order && this.seed === undefined) state.order = Array.from(this.resumeAt.order);
    return state;
  }

  /**
   * Restores a position from `stateDict()`; the next loop continues from it. Everything is
   * checked first — counters in range, and a saved order that is a permutation of this
   * dataset's indices — so a state that does not fit this loader changes nothing.
   */
  loadStateDict(state: DataLoaderState): void {
    const where = 'DataLoader.loadStateDict';
    if (state === null || typeof state !== 'object') throw new TypeError(`${where}: expected { epoch, batch, order? } from stateDict(), got ${describeValue(state)}`);
    for (const key of Object.keys(state)) {
      if (key !== 'epoch' && key !== 'batch' && key !== 'order') throw new RangeError(`${where}: unknown field ${JSON.stringify(key)} (a state has epoch, batch and order)`);
    }
    const { epoch, batch, order } = state;
    if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`${where}: epoch must be a non-negative integer, got ${describeValue(epoch)}`);
    if (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 0 || batch > this.length) {
      throw new RangeError(`${where}: batch must be an integer in [0, ${this.length}], got ${describeValue(batch)}`);
    }
    // Without a seed a mid-epoch order cannot be recomputed, so it must travel with the state;
    // in every other case the loader recomputes it, and an order in the state would be ignored.
    const needsOrder = batch > 0 && this.shuffle && this.seed === undefined;
    if (order !== undefined && !needsOrder) {
      throw new RangeError(`${where}: the state carries a sample order, but this loader ${this.shuffle ? (this.seed === undefined ? 'is at an epoch boundary in that state' : 'is seeded') : 'does not shuffle'} and recomputes its order; was it saved by a loader with other options?`);
    }
    let restored: Int32Array | null = null;
    if (needsOrder) {
      restored = checkPermutation(where, order, this.n);
    } else if (batch > 0 && this.shuffle) {
      restored = this.makeOrder(epoch);
    }
    this.epoch = epoch;
    this.resumeAt = batch > 0 ? { batch, order: restored } : null;
  }

  /** The sample order of an epoch, or null for the identity. */
  private makeOrder(epoch: number): Int32Array | null {
    if (!this.shuffle) return null;
    const order = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) order[i] = i;
    withSeed(this.seed === undefined ? undefined : deriveSeed(this.seed, epoch, -1), () => shuffleInPlace(order));
    return order;
  }

  private makeBatch(epoch: number, b: number, order: Int32Array | null): Batch<BatchTarget<D>> {
    const start = b * this.batchSize;
    const end = Math.min(start + this.batchSize, this.n);
    if (this.dataset instanceof TensorDataset) {
      const rows = this.dataset.rows(start, end, order);
      return { x: this.transformed(rows.x, epoch, b), y: rows.y as BatchTarget<D> };
    }
    const count = end - start;
    const dataset = this.dataset as Dataset;
    const sampleShape = dataset.images.shape.slice(1);
    const per = sizeOf(sampleShape);
    const src = dataset.images.data;
    const labels = dataset.labels;
    // Always copy: a batch the user scribbles on must not change the dataset.
    const x = new Float32Array(count * per);
    const y = new Int32Array(count);
    if (order === null) {
      x.set(src.subarray(start * per, end * per));
      y.set(labels.subarray(start, end));
    } else {
      for (let i = 0; i < count; i++) {
        const s = order[start + i];
        x.set(src.subarray(s * per, (s + 1) * per), i * per);
        y[i] = labels[s];
      }
    }
    return { x: this.transformed(new Tensor(x, [count, ...sampleShape]), epoch, b), y: y as BatchTarget<D> };
  }

  private transformed(x: Tensor, epoch: number, b: number): Tensor {
    const transform = this.transform;
    if (!transform) return x;
    return withSeed(this.seed === undefined ? undefined : deriveSeed(this.seed, epoch, b), () => transform(x));
  }
}

/**
 * What a DataLoader batches: a labelled image set as the loaders return it (one tensor
 * holding every sample, first dimension = sample, and one class label per sample), or a
 * TensorDataset pairing inputs with targets of any kind.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { sizeOf } from '../tensor/shape.ts';
import { newArray } from '../tensor/dtype.ts';
import { describeValue } from './errors.ts';

/** Samples stacked along the first dimension, with one integer class label each. */
export interface Dataset {
  /** [N, ...] (NCHW for images: [N, C, H, W]). */
  images: Tensor;
  /** N class indices. */
  labels: Int32Array;
}

/**
 * Inputs and targets of any kind, sample i being x[i] and y[i]: class labels (int32 [N]),
 * regression targets (float32 [N, …]), the next tokens of a sequence (int32 [N, T]), or the
 * inputs themselves for an autoencoder. A DataLoader batches both along dimension 0 (its
 * transform applies to x only) and fit()/evaluate() pass the batch of y to the loss.
 */
export class TensorDataset {
  /** Number of samples. */
  readonly length: number;

  constructor(
    /** The inputs [N, ...]. */
    readonly x: Tensor,
    /** The targets [N, ...], any dtype. */
    readonly y: Tensor,
  ) {
    for (const [name, t] of [['x', x], ['y', y]] as const) {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset: ${name} must be a Tensor with samples along dimension 0, got ${describeValue(t)}`);
      if (t.ndim < 1) throw new ShapeError(`TensorDataset: ${name} must have a sample dimension, got shape ${fmtShape(t.shape)}`);
    }
    if (x.shape[0] !== y.shape[0]) {
      throw new ShapeError(`TensorDataset: x ${fmtShape(x.shape)} and y ${fmtShape(y.shape)} hold different numbers of samples (${x.shape[0]} and ${y.shape[0]})`);
    }
    this.length = x.shape[0];
  }

  /** Samples start … end − 1 (or order[start … end − 1]) of x and y as new tensors: a batch the caller may scribble on. */
  rows(start: number, end: number, order: Int32Array | null = null): { x: Tensor; y: Tensor } {
    return { x: copyRows(this.x, start, end, order), y: copyRows(this.y, start, end, order) };
  }
}

function copyRows(t: Tensor, start: number, end: number, order: Int32Array | null): Tensor {
  const sampleShape = t.shape.slice(1);
  const per = sizeOf(sampleShape);
  const src = t.data;
  const out = newArray(t.dtype, (end - start) * per);
  if (order === null) out.set(src.subarray(start * per, end * per));
  else for (let i = start; i < end; i++) out.set(src.subarray(order[i] * per, (order[i] + 1) * per), (i - start) * per);
  return new Tensor(out, [end - start, ...sampleShape], { dtype: t.dtype });
}

/** Number of samples, after checking that images and labels agree (`who` names the caller in errors). */
export function datasetSize(ds: Dataset | TensorDataset, who: string): number {
  if (ds instanceof TensorDataset) return ds.length;
  if (ds === null || typeof ds !== 'object') {
    throw new TypeError(`${who}: dataset must be { images: Tensor [N, ...], labels: Int32Array [N] }, got ${describeValue(ds)}`);
  }
  if (!(ds.images instanceof Tensor)) {
    throw new TypeError(`${who}: dataset.images must be a Tensor [N, ...] (wrap arrays with tg.tensor), got ${describeValue(ds.images)}`);
  }
  if (!(ds.labels instanceof Int32Array)) {
    throw new TypeError(`${who}: dataset.labels must be an Int32Array (Int32Array.from(labels)), got ${describeValue(ds.labels)}`);
  }
  if (ds.images.ndim < 1) throw new ShapeError(`${who}: dataset.images must have a sample dimension, got shape ${fmtShape(ds.images.shape)}`);
  const n = ds.images.shape[0];
  if (ds.labels.length !== n) {
    throw new ShapeError(`${who}: ${ds.labels.length} labels for ${n} images (images shape ${fmtShape(ds.images.shape)})`);
  }
  return n;
}

/**
 * Samples [start, end) as a view: the result shares the parent's memory (no copy), which
 * matters when carving a validation split off 60 000 MNIST images.
 */
export function sliceDataset<D extends Dataset | TensorDataset>(ds: D, start: number, end?: number): D;
export function sliceDataset(ds: Dataset | TensorDataset, start: number, end: number = datasetSize(ds, 'sliceDataset')): Dataset | TensorDataset {
  const n = datasetSize(ds, 'sliceDataset');
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end) {
    throw new RangeError(`sliceDataset: need integers 0 <= start <= end <= ${n}, got start=${describeValue(start)}, end=${describeValue(end)}`);
  }
  if (ds instanceof TensorDataset) return new TensorDataset(viewRows(ds.x, start, end), viewRows(ds.y, start, end));
  const per = sizeOf(ds.images.shape.slice(1));
  const images = new Tensor(ds.images.data.subarray(start * per, end * per), [end - start, ...ds.images.shape.slice(1)]);
  return { images, labels: ds.labels.subarray(start, end) };
}

/** Rows [start, end) sharing t's memory (host data). */
function viewRows(t: Tensor, start: number, end: number): Tensor {
  const per = sizeOf(t.shape.slice(1));
  return new Tensor(t.data.subarray(start * per, end * per), [end - start, ...t.shape.slice(1)], { dtype: t.dtype });
}

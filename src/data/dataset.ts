/**
 * A labelled image set as the loaders return it and the DataLoader consumes it:
 * one tensor holding every sample (first dimension = sample) and one label per sample.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { sizeOf } from '../tensor/shape.ts';
import { describeValue } from './errors.ts';

/** Samples stacked along the first dimension, with one integer class label each. */
export interface Dataset {
  /** [N, ...] (NCHW for images: [N, C, H, W]). */
  images: Tensor;
  /** N class indices. */
  labels: Int32Array;
}

/** Number of samples, after checking that images and labels agree (`who` names the caller in errors). */
export function datasetSize(ds: Dataset, who: string): number {
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
export function sliceDataset(ds: Dataset, start: number, end: number = datasetSize(ds, 'sliceDataset')): Dataset {
  const n = datasetSize(ds, 'sliceDataset');
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end) {
    throw new RangeError(`sliceDataset: need integers 0 <= start <= end <= ${n}, got start=${describeValue(start)}, end=${describeValue(end)}`);
  }
  const per = sizeOf(ds.images.shape.slice(1));
  const images = new Tensor(ds.images.data.subarray(start * per, end * per), [end - start, ...ds.images.shape.slice(1)]);
  return { images, labels: ds.labels.subarray(start, end) };
}

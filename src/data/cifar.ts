import { files } from '#platform';
import type { Files } from '../platform/platform.ts';
import { DataFormatError, DatasetMissingError, describeValue } from './errors.ts';
import type { RawImageSet, Split } from './types.ts';

/**
 * Reader for the CIFAR-10 "binary version" (https://www.cs.toronto.edu/~kriz/cifar.html):
 * each record is 1 label byte (0-9) followed by 3072 pixel bytes, the 1024 red values
 * of the 32x32 image row-major, then the 1024 green, then the 1024 blue. That is
 * already CHW order, so a record's pixels map onto NCHW without any shuffling.
 */

/** Image side length in pixels. */
export const CIFAR_SIDE = 32;
/** Pixel bytes per record: 3 channels of 32x32. */
export const CIFAR_PIXELS = 3 * CIFAR_SIDE * CIFAR_SIDE;
/** Bytes per record: the label byte plus the pixels. */
export const CIFAR_RECORD = 1 + CIFAR_PIXELS;
/** Number of classes; labels must be below this. */
export const CIFAR_CLASSES = 10;

/** The canonical archive that holds the binary batches. */
export const CIFAR10_BINARY_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
/** Folder name the official archive unpacks its batches into. */
export const CIFAR10_ARCHIVE_FOLDER = 'cifar-10-batches-bin';
const cifarFiles = (): Files => files('loadCifar10', 'fetch a batch file yourself and call tg.data.parseCifar10(bytes)');

/** Default folder of the extracted batches, where `npm run fetch-data -- cifar10` puts them. */
export function defaultCifar10Dir(): string {
  const fs = cifarFiles();
  return fs.join(fs.dataDir(), 'cifar10', CIFAR10_ARCHIVE_FOLDER);
}
/** Batch file names per split, in the order their records are concatenated. */
export const CIFAR10_BATCHES: Readonly<Record<Split, readonly string[]>> = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
};

/** Decode CIFAR-10 binary records from `bytes`; `source` names the file in errors. */
export function decodeCifarBatch(bytes: Uint8Array, source: string): RawImageSet {
  if (bytes.length === 0 || bytes.length % CIFAR_RECORD !== 0) {
    throw new DataFormatError(
      source,
      `CIFAR-10 batch length ${bytes.length} is not a positive multiple of the ${CIFAR_RECORD}-byte record ` +
        `(${Math.floor(bytes.length / CIFAR_RECORD)} whole records + ${bytes.length % CIFAR_RECORD} stray bytes)`,
    );
  }
  const n = bytes.length / CIFAR_RECORD;
  const images = new Float32Array(n * CIFAR_PIXELS);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const rec = i * CIFAR_RECORD;
    const label = bytes[rec]!;
    if (label >= CIFAR_CLASSES) {
      throw new DataFormatError(
        source,
        `record ${i} (byte offset ${rec}) has label ${label}: expected 0..${CIFAR_CLASSES - 1}`,
      );
    }
    labels[i] = label;
    const out = i * CIFAR_PIXELS;
    for (let j = 0; j < CIFAR_PIXELS; j++) images[out + j] = bytes[rec + 1 + j]! / 255;
  }
  return { images, shape: [n, 3, CIFAR_SIDE, CIFAR_SIDE], labels };
}

/** Read one CIFAR-10 binary batch file into images [N,3,32,32] in [0,1] and labels. */
export function readCifarBatch(path: string): RawImageSet {
  return decodeCifarBatch(cifarFiles().readFile(path), path);
}

/** Options for {@link loadCifar10Raw}. */
export interface Cifar10Options {
  /** 'train' reads data_batch_1..5.bin (50000 images), 'test' reads test_batch.bin (10000). */
  split: Split;
  /** Folder holding the .bin batches; default {@link defaultCifar10Dir}. */
  dir?: string;
}

/** Load a CIFAR-10 split from the extracted binary batches as one RawImageSet. */
export function loadCifar10Raw(options: Cifar10Options): RawImageSet {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`loadCifar10: options must be { split: 'train' | 'test', dir? }, got ${describeValue(options)}`);
  }
  const { split } = options;
  const names = split === 'train' || split === 'test' ? CIFAR10_BATCHES[split] : undefined;
  if (names === undefined) {
    throw new RangeError(`loadCifar10: split must be 'train' or 'test', got ${describeValue(split)}`);
  }
  if (options.dir !== undefined && (typeof options.dir !== 'string' || options.dir === '')) {
    throw new TypeError(`loadCifar10: dir must be a folder path, got ${describeValue(options.dir)}`);
  }
  const fs = cifarFiles();
  const dir = fs.resolve(options.dir ?? defaultCifar10Dir());
  const paths = names.map((name) => fs.join(dir, name));
  // Check all files before reading any, so the error lists everything that is missing.
  const missing = paths.filter((p) => !fs.exists(p));
  if (missing.length > 0) throw cifarMissingError(fs, dir, missing);

  const parts = paths.map(readCifarBatch);
  const n = parts.reduce((sum, p) => sum + p.labels.length, 0);
  const images = new Float32Array(n * CIFAR_PIXELS);
  const labels = new Int32Array(n);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * CIFAR_PIXELS);
    labels.set(p.labels, at);
    at += p.labels.length;
  }
  return { images, shape: [n, 3, CIFAR_SIDE, CIFAR_SIDE], labels };
}

function cifarMissingError(fs: Files, dir: string, missing: string[]): DatasetMissingError {
  // The archive unpacks into a `cifar-10-batches-bin/` folder, so the advice depends on
  // whether `dir` is such a folder (extract next to it) or a custom one (copy the files in).
  const unpacksHere = fs.basename(dir) === CIFAR10_ARCHIVE_FOLDER;
  const parent = fs.dirname(dir);
  const fetchHint =
    dir === fs.resolve(defaultCifar10Dir())
      ? 'run `npm run fetch-data -- cifar10`'
      : unpacksHere
        ? `run \`npm run fetch-data -- cifar10 --dir ${parent}\``
        : null;
  const manual = unpacksHere
    ? `extract it with \`tar -xzf cifar-10-binary.tar.gz -C ${parent}\` so that ${fs.join(dir, 'data_batch_1.bin')} exists`
    : `copy the .bin files from its ${CIFAR10_ARCHIVE_FOLDER}/ folder into ${dir}`;
  return new DatasetMissingError(
    missing,
    `loadCifar10: missing CIFAR-10 batch file(s): ${missing.join(', ')}. To get them, ` +
      (fetchHint ? `${fetchHint}, or ` : '') +
      `download ${CIFAR10_BINARY_URL} (the binary version, 162 MB) and ${manual}.`,
  );
}

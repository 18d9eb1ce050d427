import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectFormatError } from './format-error.ts';
import { CIFAR10_BATCHES, loadCifar10Raw, readCifarBatch } from '../../src/data/cifar.ts';
import { DatasetMissingError } from '../../src/data/errors.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-cifar-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Pixel byte of image `n`, channel `c`, row `y`, column `x` in our synthetic data. */
const pixel = (n: number, c: number, y: number, x: number): number => (n * 31 + c * 101 + y * 7 + x * 3) % 256;

/** Build binary records by hand from the format description: label, then R, G, B planes, each row-major. */
function cifarBytes(labels: number[], firstImage = 0): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((label, i) => {
    const rec = i * 3073;
    out[rec] = label;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) out[rec + 1 + c * 1024 + y * 32 + x] = pixel(firstImage + i, c, y, x);
  });
  return out;
}

function write(dir: string, name: string, bytes: Uint8Array): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Check every pixel of `images` (NCHW) against the generator, image `n` being generator image `first + n`. */
function expectPixels(images: Float32Array, count: number, first = 0): void {
  expect(images.length).toBe(count * 3 * 32 * 32);
  for (let n = 0; n < count; n++)
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) {
          const got = images[((n * 3 + c) * 32 + y) * 32 + x];
          if (got !== Math.fround(pixel(first + n, c, y, x) / 255)) {
            throw new Error(`pixel n=${n} c=${c} y=${y} x=${x}: got ${got}, expected ${pixel(first + n, c, y, x)}/255`);
          }
        }
}

describe('readCifarBatch', () => {
  it('maps label byte + R,G,B planes onto [N,3,32,32] in [0,1]', () => {
    const path = write(tmp, 'three.bin', cifarBytes([3, 0, 9]));
    const set = readCifarBatch(path);
    expect(set.shape).toEqual([3, 3, 32, 32]);
    expect(Array.from(set.labels)).toEqual([3, 0, 9]);
    expect(set.labels).toBeInstanceOf(Int32Array);
    expectPixels(set.images, 3);
  });

  it('places a single marked pixel where NCHW indexing says', () => {
    const bytes = new Uint8Array(2 * 3073);
    // Image 1, green plane, row 5, column 7.
    bytes[3073 + 1 + 1024 + 5 * 32 + 7] = 255;
    const set = readCifarBatch(write(tmp, 'marked.bin', bytes));
    const hot = set.images.findIndex((v) => v !== 0);
    expect(hot).toBe(((1 * 3 + 1) * 32 + 5) * 32 + 7);
    expect(set.images[hot]).toBe(1);
  });

  it('rejects a length that is not a multiple of 3073, naming the file', () => {
    const path = write(tmp, 'ragged.bin', new Uint8Array(2 * 3073 + 5));
    expectFormatError(() => readCifarBatch(path), path, '6151', '3073-byte record', '2 whole records + 5 stray bytes');
  });

  it('rejects an empty file', () => {
    const path = write(tmp, 'empty.bin', new Uint8Array(0));
    expectFormatError(() => readCifarBatch(path), path, 'length 0');
  });

  it('rejects label 10, naming the file and the record', () => {
    const path = write(tmp, 'label10.bin', cifarBytes([1, 10, 2]));
    expectFormatError(() => readCifarBatch(path), path, 'record 1', 'byte offset 3073', 'label 10', 'expected 0..9');
  });
});

describe('loadCifar10Raw', () => {
  const dir = join(tmp, 'cifar-10-batches-bin');
  // Different sizes per batch so a wrong order or a dropped batch shows up.
  const sizes = [2, 1, 3, 1, 2];
  let first = 0;
  const trainLabels: number[] = [];
  CIFAR10_BATCHES.train.forEach((name, b) => {
    const labels = Array.from({ length: sizes[b]! }, (_, i) => (first + i) % 10);
    write(dir, name, cifarBytes(labels, first));
    trainLabels.push(...labels);
    first += sizes[b]!;
  });
  write(dir, 'test_batch.bin', cifarBytes([4, 5], 100));

  it('concatenates data_batch_1..5 in order for the train split', () => {
    const set = loadCifar10Raw({ split: 'train', dir });
    expect(set.shape).toEqual([9, 3, 32, 32]);
    expect(Array.from(set.labels)).toEqual(trainLabels);
    expectPixels(set.images, 9);
  });

  it('reads test_batch.bin for the test split', () => {
    const set = loadCifar10Raw({ split: 'test', dir });
    expect(set.shape).toEqual([2, 3, 32, 32]);
    expect(Array.from(set.labels)).toEqual([4, 5]);
    expectPixels(set.images, 2, 100);
  });

  it('lists every missing batch and says what to download and how', () => {
    const partial = join(tmp, 'partial', 'cifar-10-batches-bin');
    write(partial, 'data_batch_1.bin', cifarBytes([1]));
    let caught: unknown;
    try {
      loadCifar10Raw({ split: 'train', dir: partial });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DatasetMissingError);
    const err = caught as DatasetMissingError;
    expect(err.missing).toEqual([2, 3, 4, 5].map((i) => join(partial, `data_batch_${i}.bin`)));
    expect(err.message).toContain('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz');
    expect(err.message).toContain('npm run fetch-data -- cifar10');
    expect(err.message).toContain(join(partial, 'data_batch_5.bin'));
    expect(err.message).toContain(`tar -xzf cifar-10-binary.tar.gz -C ${join(tmp, 'partial')}`);
  });

  it('for a custom folder, says to copy the .bin files into it', () => {
    const custom = join(tmp, 'my-cifar');
    expect(() => loadCifar10Raw({ split: 'test', dir: custom })).toThrow(
      new RegExp(`copy the \\.bin files from its cifar-10-batches-bin/ folder into ${custom.replace(/[.\\]/g, '\\$&')}`),
    );
  });

  it('propagates format errors from a corrupt batch, naming it', () => {
    const bad = join(tmp, 'bad', 'cifar-10-batches-bin');
    const path = write(bad, 'test_batch.bin', cifarBytes([11]));
    expectFormatError(() => loadCifar10Raw({ split: 'test', dir: bad }), path, 'label 11');
  });

  it('rejects an unknown split', () => {
    expect(() => loadCifar10Raw({ split: 'valid' as 'test', dir })).toThrow(/split must be 'train' or 'test', got "valid"/);
  });
});

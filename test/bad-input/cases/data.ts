/** Bad input to tg.data: DataLoader, datasets, transforms, loader states and the file readers. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tg from '../../../src/index.ts';
import { lit, shown, standardSetup, type Case } from '../harness.ts';

const { DataLoader, normalize, randomCrop, randomHorizontalFlip, compose, sliceDataset, loadIdx, loadCifar10, loadMnist } = tg.data;
const area = 'data' as const;

/** An IDX file written by hand: 00 00 08 ndims, big-endian dims, payload. */
function idx(dims: number[], payload: number[] = []): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  out[2] = 8;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

const batch4 = () => tg.zeros([2, 3, 8, 8]);

export const dataCases: Case[] = [
  // DataLoader options
  { area, call: 'new DataLoader(ds)', act: (s) => new DataLoader(s.data, undefined as never), refuse: { fn: 'DataLoader', shows: ['batchSize', 'undefined'], type: TypeError } },
  ...[null, 32, 'batchSize: 8'].map((v): Case => ({ area, call: `new DataLoader(ds, ${lit(v)})`, act: (s) => new DataLoader(s.data, v as never), refuse: { fn: 'DataLoader', shows: ['options', shown(v)] } })),
  ...[undefined, null, '32', 0, -1, 1.5, NaN, Infinity, true, [8]].map((v): Case => ({
    area, call: `new DataLoader(ds, { batchSize: ${lit(v)} })`,
    act: (s) => new DataLoader(s.data, { batchSize: v as never }), refuse: { fn: 'DataLoader', shows: ['batchSize', shown(v)] },
  })),
  ...(['yes', 1, null] as const).map((v): Case => ({ area, call: `new DataLoader(ds, { batchSize: 4, shuffle: ${lit(v)} })`, act: (s) => new DataLoader(s.data, { batchSize: 4, shuffle: v as never }), refuse: { fn: 'DataLoader', shows: ['shuffle', shown(v)] } })),
  ...(['no', 0] as const).map((v): Case => ({ area, call: `new DataLoader(ds, { batchSize: 4, dropLast: ${lit(v)} })`, act: (s) => new DataLoader(s.data, { batchSize: 4, dropLast: v as never }), refuse: { fn: 'DataLoader', shows: ['dropLast', shown(v)] } })),
  ...['7', 1.5, NaN, Infinity, 2 ** 40, null].map((v): Case => ({ area, call: `new DataLoader(ds, { batchSize: 4, seed: ${lit(v)} })`, act: (s) => new DataLoader(s.data, { batchSize: 4, seed: v as never }), refuse: { fn: 'DataLoader', shows: ['seed', shown(v)] } })),
  ...['normalize', 42, {}].map((v): Case => ({ area, call: `new DataLoader(ds, { batchSize: 4, transform: ${lit(v)} })`, act: (s) => new DataLoader(s.data, { batchSize: 4, transform: v as never }), refuse: { fn: 'DataLoader', shows: ['transform'] } })),
  { area, call: 'new DataLoader(ds, { batch_size: 4 })', act: (s) => new DataLoader(s.data, { batch_size: 4 } as never), refuse: { fn: 'DataLoader', shows: ['batch_size'] } },
  { area, call: 'new DataLoader(ds, { batchSize: 4, numWorkers: 2 })', act: (s) => new DataLoader(s.data, { batchSize: 4, numWorkers: 2 } as never), refuse: { fn: 'DataLoader', shows: ['numWorkers'] } },
  { area, call: 'new DataLoader(ds, { batchSize: 100 }) (larger than the dataset)', act: (s) => new DataLoader(s.data, { batchSize: 100 }), check: (l) => { if ((l as tg.data.DataLoader).length !== 1) throw new Error('one batch expected'); } },
  // datasets
  ...[undefined, null, [], 'mnist'].map((v): Case => ({ area, call: `new DataLoader(${lit(v)}, { batchSize: 4 })`, act: () => new DataLoader(v as never, { batchSize: 4 }), refuse: { fn: 'DataLoader', shows: ['dataset', shown(v)] } })),
  { area, call: 'new DataLoader({ images: [[1, 2]], labels: Int32Array.of(0) }, { batchSize: 1 })', act: () => new DataLoader({ images: [[1, 2]] as never, labels: Int32Array.of(0) }, { batchSize: 1 }), refuse: { fn: 'DataLoader', shows: ['images', 'array'] } },
  { area, call: 'new DataLoader({ images, labels: [0, 1, 2] }, { batchSize: 1 })', act: () => new DataLoader({ images: tg.zeros([3, 2]), labels: [0, 1, 2] as never }, { batchSize: 1 }), refuse: { fn: 'DataLoader', shows: ['labels', 'array'] } },
  { area, call: 'new DataLoader({ images, labels: Float32Array }, { batchSize: 1 })', act: () => new DataLoader({ images: tg.zeros([3, 2]), labels: new Float32Array(3) as never }, { batchSize: 1 }), refuse: { fn: 'DataLoader', shows: ['labels', 'Float32Array'] } },
  { area, call: 'new DataLoader({ images: scalar, labels }, { batchSize: 1 })', act: () => new DataLoader({ images: tg.tensor(1), labels: new Int32Array(1) }, { batchSize: 1 }), refuse: { fn: 'DataLoader', shows: ['[]'], type: tg.ShapeError } },
  { area, call: 'new DataLoader({ images [3,2], labels [4] }, { batchSize: 1 })', act: () => new DataLoader({ images: tg.zeros([3, 2]), labels: new Int32Array(4) }, { batchSize: 1 }), refuse: { fn: 'DataLoader', shows: ['4 labels', '[3,2]'], type: tg.ShapeError } },
  { area, call: 'new DataLoader({ images [0,2], labels [0] }, { batchSize: 1 }) (empty: allowed, zero batches)', act: () => new DataLoader({ images: tg.zeros([0, 2]), labels: new Int32Array(0) }, { batchSize: 1 }), check: (l) => { if ([...(l as tg.data.DataLoader)].length !== 0) throw new Error('no batches expected'); } },
  // loader states
  ...[undefined, null, 'epoch 1', { epoch: -1, batch: 0 }, { epoch: 1.5, batch: 0 }, { epoch: 0, batch: 99 }, { epoch: 0, batch: -1 }, { epoch: '1', batch: 0 }, { epoch: 0, batch: 0, step: 3 }, { epoch: 0, batch: 1, order: [0, 1, 2] }]
    .map((v): Case => ({ area, call: `loader.loadStateDict(${lit(v)})`, act: (s) => s.loader.loadStateDict(v as never), refuse: { fn: 'DataLoader.loadStateDict' } })),
  ...[['a repeated index', 0, 1], ['an index past the end', 3, 20], ['a negative index', 5, -1]].map(([what, at, v]): Case => ({
    area, call: `unseededLoader.loadStateDict({ epoch: 1, batch: 1, order: ${what} })`,
    setup: () => {
      const s = standardSetup();
      const loader = new DataLoader(s.data, { batchSize: 8, shuffle: true });
      return { ...s, loader, world: { ...s.world, loaders: [loader] } };
    },
    act: (s) => {
      const order = Array.from({ length: 20 }, (_, k) => k);
      order[at as number] = v as number;
      s.loader.loadStateDict({ epoch: 1, batch: 1, order });
    },
    refuse: { fn: 'DataLoader.loadStateDict', shows: ['order'] },
  })),
  // sliceDataset
  ...[[-1, 5], [0, 99], [5, 2], [1.5, 3], ['0', 3]].map(([a, b]): Case => ({ area, call: `sliceDataset(ds, ${lit(a)}, ${b})`, act: (s) => sliceDataset(s.data, a as never, b as never), refuse: { fn: 'sliceDataset', shows: [shown(a)] } })),
  // transforms
  ...[null, '0.5', [], [0.5, 'x'], NaN].map((v): Case => ({ area, call: `normalize(${lit(v)}, 1)`, act: () => normalize(v as never, 1), refuse: { fn: 'normalize', shows: ['mean'] } })),
  { area, call: 'normalize(0, 0)', act: () => normalize(0, 0), refuse: { fn: 'normalize', shows: ['std'] } },
  { area, call: 'normalize(0, -1)', act: () => normalize(0, -1), refuse: { fn: 'normalize', shows: ['std', '-1'] } },
  { area, call: 'normalize([1, 2], [1, 2, 3])', act: () => normalize([1, 2], [1, 2, 3]), refuse: { fn: 'normalize', shows: ['2', '3'] } },
  { area, call: 'normalize(0, 1)(tensor [2,8,8])', act: () => normalize(0, 1)(tg.zeros([2, 8, 8])), refuse: { fn: 'normalize', shows: ['[2,8,8]'], type: tg.ShapeError } },
  { area, call: 'normalize([0, 0], [1, 1])(batch with 3 channels)', act: () => normalize([0, 0], [1, 1])(batch4()), refuse: { fn: 'normalize', shows: ['3 channels'], type: tg.ShapeError } },
  { area, call: 'normalize(0, 1)([[1, 2]])', act: () => normalize(0, 1)([[1, 2]] as never), refuse: { fn: 'normalize', shows: ['array'] } },
  ...[0, -3, 2.5, null, '32', [32], [0, 4]].map((v): Case => ({ area, call: `randomCrop(${lit(v)})`, act: () => randomCrop(v as never), refuse: { fn: 'randomCrop', shows: ['size'] } })),
  ...[-1, 1.5, '4'].map((v): Case => ({ area, call: `randomCrop(4, ${lit(v)})`, act: () => randomCrop(4, v as never), refuse: { fn: 'randomCrop', shows: ['padding', shown(v)] } })),
  { area, call: 'randomCrop(16)(batch of 8x8)', act: () => randomCrop(16)(batch4()), refuse: { fn: 'randomCrop', shows: ['16x16', '8x8'], type: tg.ShapeError } },
  ...[-0.1, 1.5, NaN, '0.5', null].map((v): Case => ({ area, call: `randomHorizontalFlip(${lit(v)})`, act: () => randomHorizontalFlip(v as never), refuse: { fn: 'randomHorizontalFlip', shows: ['p', shown(v)] } })),
  { area, call: 'randomHorizontalFlip()(tensor [8,8])', act: () => randomHorizontalFlip()(tg.zeros([8, 8])), refuse: { fn: 'randomHorizontalFlip', shows: ['[8,8]'], type: tg.ShapeError } },
  ...[42, null, 'normalize'].map((v): Case => ({ area, call: `compose(normalize(0, 1), ${lit(v)})`, act: () => compose(normalize(0, 1), v as never), refuse: { fn: 'compose', shows: ['1', shown(v)] } })),
  // file readers
  { area, call: 'loadIdx(missingImages, missingLabels)', act: (s) => loadIdx(join(s.dir, 'nope'), join(s.dir, 'nope2')), refuse: { fn: 'loadIdx', shows: ['nope'], type: tg.data.DatasetMissingError } },
  { area, call: 'loadIdx(42, labels)', act: () => loadIdx(42 as never, 'x'), refuse: { fn: 'loadIdx', shows: ['42'] } },
  { area, call: 'loadIdx(aSafetensorsFile, same)', act: (s) => loadIdx(s.file, s.file), refuse: { fn: 'IDX', shows: ['model.safetensors'], type: tg.data.DataFormatError } },
  { area, call: 'loadIdx(aFolder, aFolder)', act: (s) => loadIdx(s.dir, s.dir), refuse: { fn: 'loadIdx', shows: [['EISDIR', 'folder', 'directory']] } },
  {
    area, call: 'loadIdx(images [2,3,4] with 23 bytes, labels)',
    act: (s) => { const p = join(s.dir, 'i'); writeFileSync(p, idx([2, 3, 4], new Array(23).fill(1))); writeFileSync(join(s.dir, 'l'), idx([2], [0, 1])); return loadIdx(p, join(s.dir, 'l')); },
    refuse: { fn: 'IDX', shows: ['[2,3,4]', '23'], type: tg.data.DataFormatError },
  },
  {
    area, call: 'loadIdx(gzip of 64 MB of zeros behind a [2,3,4] header, labels)',
    act: (s) => { const raw = new Uint8Array(64 * 2 ** 20); raw.set(idx([2, 3, 4])); const p = join(s.dir, 'bomb.gz'); writeFileSync(p, gzipSync(raw)); return loadIdx(p, p); },
    refuse: { fn: 'IDX', shows: ['inflates to more than', '[2,3,4]'], type: tg.data.DataFormatError },
  },
  {
    area, call: 'loadIdx(header declaring [2147483647,28,28], labels)',
    act: (s) => { const p = join(s.dir, 'huge'); writeFileSync(p, idx([0x7fffffff, 28, 28])); return loadIdx(p, p); },
    refuse: { fn: 'IDX', shows: ['maxBytes'], type: tg.data.DataFormatError },
  },
  {
    area, call: 'loadIdx(images [2,2,2], labels [3])',
    act: (s) => { writeFileSync(join(s.dir, 'i'), idx([2, 2, 2], new Array(8).fill(0))); writeFileSync(join(s.dir, 'l'), idx([3], [0, 1, 2])); return loadIdx(join(s.dir, 'i'), join(s.dir, 'l')); },
    refuse: { fn: 'loadIdx', shows: ['label count 3', 'image count 2'], type: tg.data.DataFormatError },
  },
  { area, call: 'loadIdx(images, labels, { maxBytes: -1 })', act: (s) => loadIdx(s.file, s.file, { maxBytes: -1 }), refuse: { fn: 'readIdx', shows: ['maxBytes', '-1'] } },
  ...[undefined, null, { split: 'val' }, { split: 'train', dir: 42 }].map((v): Case => ({ area, call: `loadCifar10(${lit(v)})`, act: () => loadCifar10(v as never), refuse: { fn: 'loadCifar10' } })),
  { area, call: "loadCifar10({ split: 'test', dir: emptyFolder })", act: (s) => loadCifar10({ split: 'test', dir: s.dir }), refuse: { fn: 'loadCifar10', shows: ['test_batch.bin'], type: tg.data.DatasetMissingError } },
  {
    area, call: "loadCifar10({ split: 'test', dir }) with a record labelled 12",
    act: (s) => { const rec = new Uint8Array(3073); rec[0] = 12; writeFileSync(join(s.dir, 'test_batch.bin'), rec); return loadCifar10({ split: 'test', dir: s.dir }); },
    refuse: { fn: 'test_batch.bin', shows: ['label 12'], type: tg.data.DataFormatError },
  },
  {
    area, call: "loadCifar10({ split: 'test', dir }) with 3072-byte file",
    act: (s) => { writeFileSync(join(s.dir, 'test_batch.bin'), new Uint8Array(3072)); return loadCifar10({ split: 'test', dir: s.dir }); },
    refuse: { fn: 'test_batch.bin', shows: ['3072', '3073'], type: tg.data.DataFormatError },
  },
  ...[undefined, null, { split: 'val' }, { split: 'test', dir: 7 }].map((v): Case => ({ area, call: `loadMnist(${lit(v)})`, act: () => loadMnist(v as never), refuse: { fn: 'loadMnist' } })),
];

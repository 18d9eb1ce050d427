import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/tensor/tensor.ts';
import { manualSeed, randomUniform } from '../../src/tensor/random.ts';
import { ShapeError } from '../../src/tensor/errors.ts';
import { DataLoader, type Batch } from '../../src/data/dataloader.ts';
import { sliceDataset, type Dataset } from '../../src/data/dataset.ts';

/** n samples of shape [1,2,2]; every pixel of sample i holds i and its label is 100 + i, so each batch shows which samples it holds. */
function numbered(n: number): Dataset {
  const images = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) images.fill(i, i * 4, i * 4 + 4);
  const labels = Int32Array.from({ length: n }, (_, i) => 100 + i);
  return { images: new Tensor(images, [n, 1, 2, 2]), labels };
}

/** The sample ids of a batch, read from its pixels, after checking every pixel and label agrees. */
function ids(batch: Batch): number[] {
  const out: number[] = [];
  for (let i = 0; i < batch.y.length; i++) {
    const px = Array.from(batch.x.data.subarray(i * 4, i * 4 + 4));
    expect(px).toEqual([px[0], px[0], px[0], px[0]]);
    expect(batch.y[i]).toBe(100 + px[0]);
    out.push(px[0]);
  }
  return out;
}

const epochIds = (loader: DataLoader): number[][] => [...loader].map(ids);

describe('DataLoader batching', () => {
  it('yields samples in order with a short last batch', () => {
    const loader = new DataLoader(numbered(10), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map((b) => b.x.shape)).toEqual([[4, 1, 2, 2], [4, 1, 2, 2], [2, 1, 2, 2]]);
    expect(batches.map(ids)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('dropLast skips the incomplete batch', () => {
    const loader = new DataLoader(numbered(10), { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect(loader.samplesPerEpoch).toBe(8);
    expect(epochIds(loader)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    // an exact multiple loses nothing
    expect(new DataLoader(numbered(8), { batchSize: 4, dropLast: true }).length).toBe(2);
  });

  it('batches are copies: writing to one does not change the dataset', () => {
    const ds = numbered(6);
    const loader = new DataLoader(ds, { batchSize: 3 });
    const [first] = loader;
    first.x.data.fill(-1);
    first.y.fill(-1);
    expect(ds.images.data[0]).toBe(0);
    expect(ds.labels[0]).toBe(100);
    expect(epochIds(loader)[0]).toEqual([0, 1, 2]);
  });

  it('rejects bad options and mismatched datasets', () => {
    expect(() => new DataLoader(numbered(4), { batchSize: 0 })).toThrow(RangeError);
    expect(() => new DataLoader(numbered(4), { batchSize: 1.5 })).toThrow(/batchSize/);
    const ds = numbered(4);
    expect(() => new DataLoader({ images: ds.images, labels: new Int32Array(3) }, { batchSize: 2 })).toThrow(ShapeError);
  });

  it('sliceDataset views a range without copying', () => {
    const ds = numbered(10);
    const part = sliceDataset(ds, 3, 7);
    expect(part.images.shape).toEqual([4, 1, 2, 2]);
    expect(part.images.data.buffer).toBe(ds.images.data.buffer);
    expect(epochIds(new DataLoader(part, { batchSize: 10 }))).toEqual([[3, 4, 5, 6]]);
    expect(() => sliceDataset(ds, 5, 11)).toThrow(RangeError);
  });
});

describe('DataLoader shuffling', () => {
  const sorted = (a: number[]) => [...a].sort((p, q) => p - q);

  it('each epoch is a permutation, different from the last', () => {
    const loader = new DataLoader(numbered(50), { batchSize: 7, shuffle: true, seed: 3 });
    const e1 = epochIds(loader).flat();
    const e2 = epochIds(loader).flat();
    const all = Array.from({ length: 50 }, (_, i) => i);
    expect(sorted(e1)).toEqual(all);
    expect(sorted(e2)).toEqual(all);
    expect(e1).not.toEqual(all);
    expect(e2).not.toEqual(e1);
  });

  it('a seed gives the same epochs whatever the global generator does, and leaves it untouched', () => {
    manualSeed(1);
    const a = new DataLoader(numbered(30), { batchSize: 8, shuffle: true, seed: 42 });
    const runA = [epochIds(a), epochIds(a)];
    const afterA = randomUniform();
    manualSeed(999);
    randomUniform();
    const b = new DataLoader(numbered(30), { batchSize: 8, shuffle: true, seed: 42 });
    const runB = [epochIds(b), epochIds(b)];
    expect(runB).toEqual(runA);
    // the global stream continued as if no loader had run
    manualSeed(1);
    expect(afterA).toBe(randomUniform());
    const c = new DataLoader(numbered(30), { batchSize: 8, shuffle: true, seed: 43 });
    expect(epochIds(c)).not.toEqual(runA[0]);
  });

  it('without a seed it follows manualSeed', () => {
    manualSeed(5);
    const a = epochIds(new DataLoader(numbered(30), { batchSize: 8, shuffle: true }));
    manualSeed(5);
    const b = epochIds(new DataLoader(numbered(30), { batchSize: 8, shuffle: true }));
    manualSeed(6);
    const c = epochIds(new DataLoader(numbered(30), { batchSize: 8, shuffle: true }));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('breaking out of a loop ends the epoch: the next loop reshuffles from its first batch', () => {
    const loader = new DataLoader(numbered(20), { batchSize: 5, shuffle: true, seed: 1 });
    const ref = new DataLoader(numbered(20), { batchSize: 5, shuffle: true, seed: 1 });
    for (const _ of loader) break;
    epochIds(ref);
    expect(epochIds(loader)).toEqual(epochIds(ref));
  });
});

describe('DataLoader state', () => {
  /** Runs `epochs` full epochs plus `extra` batches, then returns the state. */
  function advance(loader: DataLoader, epochs: number, extra: number) {
    for (let e = 0; e < epochs; e++) epochIds(loader);
    if (extra === 0) return loader.stateDict();
    let k = 0;
    let state;
    for (const _ of loader) {
      if (++k === extra) {
        state = loader.stateDict();
        break;
      }
    }
    return state!;
  }

  for (const seed of [7, undefined]) {
    it(`resumes mid-epoch exactly (${seed === undefined ? 'unseeded' : 'seeded'})`, () => {
      manualSeed(11);
      const full = new DataLoader(numbered(23), { batchSize: 4, shuffle: true, seed });
      const e0 = epochIds(full);
      const e1 = epochIds(full);
      const e2 = epochIds(full);

      manualSeed(11);
      const first = new DataLoader(numbered(23), { batchSize: 4, shuffle: true, seed });
      const state = JSON.parse(JSON.stringify(advance(first, 1, 2)));
      expect(state.epoch).toBe(1);
      expect(state.batch).toBe(2);
      expect(state.order === undefined).toBe(seed !== undefined);

      const resumed = new DataLoader(numbered(23), { batchSize: 4, shuffle: true, seed });
      resumed.loadStateDict(state);
      expect(epochIds(resumed)).toEqual(e1.slice(2));
      // the unseeded loader draws its next shuffle from the global stream, which the
      // first loader has already advanced past epochs 0 and 1 in this process
      if (seed !== undefined) expect(epochIds(resumed)).toEqual(e2);
      expect(e0).not.toEqual(e1);
    });
  }

  it('an epoch-boundary state resumes with the next epoch', () => {
    const full = new DataLoader(numbered(12), { batchSize: 5, shuffle: true, seed: 2 });
    const epochs = [epochIds(full), epochIds(full), epochIds(full)];
    const first = new DataLoader(numbered(12), { batchSize: 5, shuffle: true, seed: 2 });
    const state = advance(first, 2, 0);
    expect(state).toEqual({ epoch: 2, batch: 0 });
    const resumed = new DataLoader(numbered(12), { batchSize: 5, shuffle: true, seed: 2 });
    resumed.loadStateDict(state);
    expect(epochIds(resumed)).toEqual(epochs[2]);
  });

  it('rejects states that do not fit', () => {
    const loader = new DataLoader(numbered(12), { batchSize: 5, shuffle: true });
    expect(() => loader.loadStateDict({ epoch: -1, batch: 0 })).toThrow(RangeError);
    expect(() => loader.loadStateDict({ epoch: 0, batch: 4 })).toThrow(/batch/);
    expect(() => loader.loadStateDict({ epoch: 0, batch: 1 })).toThrow(/order/);
  });
});

describe('DataLoader under plain-JS mistakes', () => {
  const refused: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['no options at all', () => new DataLoader(numbered(4), undefined as never), TypeError, /DataLoader: options must be an object with at least batchSize, e\.g\. new DataLoader\(dataset, \{ batchSize: 64 \}\); got undefined/],
    ['a number for options', () => new DataLoader(numbered(4), 32 as never), TypeError, /got 32/],
    ['batchSize as a string', () => new DataLoader(numbered(4), { batchSize: '32' as never }), RangeError, /batchSize must be a positive integer, got "32"/],
    ['a misspelt option', () => new DataLoader(numbered(4), { batchSize: 2, shufle: true } as never), RangeError, /unknown option "shufle" \(options are batchSize, shuffle, seed, dropLast, transform\)/],
    ['shuffle as a string', () => new DataLoader(numbered(4), { batchSize: 2, shuffle: 'yes' as never }), TypeError, /shuffle must be true or false, got "yes"/],
    ['dropLast as a number', () => new DataLoader(numbered(4), { batchSize: 2, dropLast: 1 as never }), TypeError, /dropLast must be true or false, got 1/],
    ['a fractional seed (it would collide with its integer part)', () => new DataLoader(numbered(4), { batchSize: 2, seed: 1.5 }), RangeError, /seed must be a 32-bit integer, got 1\.5/],
    ['a transform that is not a function', () => new DataLoader(numbered(4), { batchSize: 2, transform: {} as never }), TypeError, /transform must be a function \(batch\) => batch, got an object/],
    ['a dataset of plain arrays', () => new DataLoader({ images: [[1, 2]], labels: [0] } as never, { batchSize: 1 }), TypeError, /dataset\.images must be a Tensor \[N, \.\.\.\] \(wrap arrays with tg\.tensor\), got an array of length 1/],
    ['labels as a plain array', () => new DataLoader({ images: numbered(2).images, labels: [0, 1] } as never, { batchSize: 1 }), TypeError, /dataset\.labels must be an Int32Array \(Int32Array\.from\(labels\)\), got an array of length 2/],
    ['no dataset', () => new DataLoader(undefined as never, { batchSize: 1 }), TypeError, /DataLoader: dataset must be \{ images: Tensor \[N, \.\.\.\], labels: Int32Array \[N\] \}, got undefined/],
  ];
  for (const [what, make, type, message] of refused) {
    it(`refuses ${what}`, () => {
      expect(make).toThrow(type);
      expect(make).toThrow(message);
    });
  }
});

describe('DataLoader.loadStateDict refuses states that would yield wrong batches, changing nothing', () => {
  const n = 12;
  /** An unseeded shuffling loader partway into its second epoch, and its expected next batches. */
  function midEpoch() {
    manualSeed(5);
    const loader = new DataLoader(numbered(n), { batchSize: 5, shuffle: true });
    epochIds(loader);
    const it = loader[Symbol.iterator]();
    it.next();
    const state = loader.stateDict();
    it.return?.(undefined);
    return { loader, state };
  }
  const bad: [string, (s: { epoch: number; batch: number; order?: number[] }) => unknown, RegExp][] = [
    ['an order with an index past the dataset (would read zeros)', (s) => ({ ...s, order: s.order!.map((v, i) => (i === 3 ? n + 5 : v)) }), /order\[3\] is 17, not a sample index in \[0, 12\)/],
    ['an order with a repeated sample', (s) => ({ ...s, order: s.order!.map((v, i) => (i === 1 ? s.order![0] : v)) }), /order lists sample \d+ twice, so it is not a permutation of the 12 samples/],
    ['an order that is too short', (s) => ({ ...s, order: s.order!.slice(1) }), /needs 'order' with 12 indices, got an array of length 11/],
    ['an order of strings', (s) => ({ ...s, order: s.order!.map(String) }), /order\[0\] is "\d+", not a sample index/],
    ['a fractional index', (s) => ({ ...s, order: s.order!.map((v, i) => (i === 0 ? 0.5 : v)) }), /order\[0\] is 0\.5/],
    ['a negative epoch', (s) => ({ ...s, epoch: -3 }), /epoch must be a non-negative integer, got -3/],
    ['an epoch of Infinity', (s) => ({ ...s, epoch: Infinity }), /got Infinity/],
    ['an unknown field', (s) => ({ ...s, batches: 4 }), /unknown field "batches"/],
    ['a string', () => 'epoch 1', /expected \{ epoch, batch, order\? \} from stateDict\(\), got "epoch 1"/],
  ];
  for (const [what, corrupt, message] of bad) {
    it(`refuses ${what}`, () => {
      const { loader, state } = midEpoch();
      expect(state.order).toHaveLength(n);
      const before = loader.stateDict();
      expect(() => loader.loadStateDict(corrupt(state as never) as never)).toThrow(message);
      expect(loader.stateDict()).toEqual(before);
    });
  }

  it('refuses an order given to a loader that recomputes its own (seeded, or not shuffling)', () => {
    const { state } = midEpoch();
    const seeded = new DataLoader(numbered(n), { batchSize: 5, shuffle: true, seed: 1 });
    expect(() => seeded.loadStateDict(state)).toThrow(/carries a sample order, but this loader is seeded and recomputes its order/);
    const plain = new DataLoader(numbered(n), { batchSize: 5 });
    expect(() => plain.loadStateDict(state)).toThrow(/does not shuffle/);
    expect(plain.stateDict()).toEqual({ epoch: 0, batch: 0 });
  });

  it('accepts the state it saved, continuing with exactly the remaining samples', () => {
    const { state } = midEpoch();
    const resumed = new DataLoader(numbered(n), { batchSize: 5, shuffle: true });
    resumed.loadStateDict(state);
    const rest = epochIds(resumed).flat();
    expect(rest).toEqual(state.order!.slice(5));
  });
});

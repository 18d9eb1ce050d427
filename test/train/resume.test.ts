/**
 * Resume as a transaction: a finished run stays finished, and a checkpoint that does not
 * fit — in any part — is refused with everything the caller passed to fit() left exactly
 * as it was (weights, optimizer, loaders, scheduler, callbacks, RNG, files).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/backend/cpu/index.ts';
import * as nn from '../../src/nn/index.ts';
import * as optim from '../../src/optim/index.ts';
import { loadTensors, saveTensors } from '../../src/io/safetensors.ts';
import { manualSeed } from '../../src/tensor/random.ts';
import { DataLoader } from '../../src/data/dataloader.ts';
import { fit } from '../../src/train/fit.ts';
import { EarlyStopping } from '../../src/train/callbacks.ts';
import { CheckpointError, loadCheckpoint } from '../../src/train/checkpoint.ts';
import { ModelCheckpoint } from '../../src/train/model-checkpoint.ts';
import { blobs } from './helpers.ts';
import { snapshot } from '../bad-input/snapshot.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-resume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A run whose every part has state: global-RNG shuffling, Dropout, a scheduler, stateful callbacks. */
function setup(seed: number, stopper = new EarlyStopping({ patience: 1, minDelta: 0.02, restoreBestWeights: true })) {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Dense(4, 16), new nn.ReLU(), new nn.Dropout(0.3), new nn.Dense(16, 3));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.02 });
  const scheduler = new optim.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
  const loader = new DataLoader(blobs(60, 4, 1), { batchSize: 16, shuffle: true });
  const validation = new DataLoader(blobs(30, 4, 2), { batchSize: 16 });
  return { model, optimizer, scheduler, loader, validation, stopper };
}
type Run = ReturnType<typeof setup>;

const options = (r: Run, epochs: number, extra: object = {}) => ({
  optimizer: r.optimizer, loss: new nn.CrossEntropyLoss(), epochs, validation: r.validation,
  scheduler: r.scheduler, callbacks: [r.stopper], progress: false as const, ...extra,
});
const params = (r: Run) => r.model.parameters().map((p) => Array.from(p.data));
const world = (r: Run, checkpoint: ModelCheckpoint, path: string) => ({
  model: r.model, optimizer: r.optimizer, scheduler: r.scheduler, loaders: [r.loader, r.validation],
  callbacks: [r.stopper, checkpoint], files: [path],
});

/** Rewrites a checkpoint's metadata JSON (the tensors stay as they are). */
function tamper(from: string, to: string, change: (meta: Record<string, any>) => void): void {
  const { tensors, metadata } = loadTensors(from);
  const meta = JSON.parse(metadata['tsgrad.checkpoint']);
  change(meta);
  saveTensors(tensors, to, { 'tsgrad.checkpoint': JSON.stringify(meta) });
}

describe('a run that early stopping ended', () => {
  it('stays ended when resumed: no more epochs, same history and stop reason, bit-identical weights', () => {
    // patience 1 and a minimum improvement of 0.02: the validation loss soon improves by less
    const path = join(tmp, 'stopped.safetensors');
    const a = setup(0);
    const full = fit(a.model, a.loader, options(a, 40, { callbacks: [a.stopper, new ModelCheckpoint(path)] }));
    expect(full.stopReason).toMatch(/early stopping/);
    expect(full.epochs.length).toBeLessThan(40);
    expect(loadCheckpoint(path).stopReason).toBe(full.stopReason);

    for (const epochs of [40, 60]) {
      const b = setup(99);
      const resumedCheckpoint = new ModelCheckpoint(path);
      let forwards = 0;
      const loss = (pred: never, y: never) => { forwards++; return new nn.CrossEntropyLoss().forward(pred, y); };
      const before = readFileSync(path);
      const resumed = fit(b.model, b.loader, options(b, epochs, { loss, callbacks: [b.stopper, resumedCheckpoint], resumeFrom: path }));
      expect(forwards).toBe(0);
      expect(resumed.epochs).toEqual(full.epochs);
      expect(resumed.stopReason).toBe(full.stopReason);
      expect(params(b)).toEqual(params(a));
      expect(b.optimizer.stateDict()).toEqual(a.optimizer.stateDict());
      expect(readFileSync(path).equals(before)).toBe(true); // nothing ran, nothing was rewritten
    }
  });
});

describe('a checkpoint that does not fit is refused, changing nothing', () => {
  const good = join(tmp, 'good.safetensors');
  const a = setup(0, new EarlyStopping({ patience: 50 }));
  fit(a.model, a.loader, options(a, 2, { callbacks: [a.stopper, new ModelCheckpoint(good)] }));

  const cases: [string, (meta: Record<string, any>) => void, RegExp][] = [
    ['a scheduler state of the wrong kind', (m) => { m.scheduler = { lastEpoch: 'two' }; }, /the scheduler refused its saved state: StepLR\.loadStateDict/],
    ['a negative epoch', (m) => { m.epoch = -3; }, /epoch must be an integer ≥ 0, got -3/],
    ['a fractional epoch', (m) => { m.epoch = 1.5; }, /epoch must be an integer ≥ 0, got 1\.5/],
    ['more epochs done than asked for', (m) => { m.epoch = 7; m.history.epochs = Array.from({ length: 7 }, (_, i) => ({ ...m.history.epochs[0], epoch: i + 1 })); }, /7 epochs done, more than the 5 epochs asked for/],
    ['a history that disagrees with the epoch', (m) => { m.history.epochs.pop(); }, /history holds 1 epochs, but the checkpoint says 2 were completed/],
    ['a history record numbered wrongly', (m) => { m.history.epochs[1].epoch = 5; }, /history\.epochs\[1\] is epoch 5, expected 2/],
    ['a history record with a string loss', (m) => { m.history.epochs[0].loss = 'low'; }, /history\.epochs\[0\]\.loss must be a number, got "low"/],
    ['the all-zero RNG state', (m) => { m.rng.state = [0, 0, 0, 0]; }, /rng: state is all zeros/],
    ['a loader order with an index past the dataset', (m) => { m.trainLoader = { epoch: 2, batch: 1, order: Array.from({ length: 60 }, (_, i) => (i === 7 ? 999 : i)) }; }, /the training loader refused its saved state: DataLoader\.loadStateDict: order\[7\] is 999/],
    ['a loader order that is not a permutation', (m) => { m.trainLoader = { epoch: 2, batch: 1, order: new Array(60).fill(0) }; }, /order lists sample 0 twice/],
    ['a loader batch past the epoch', (m) => { m.trainLoader = { epoch: 2, batch: 9 }; }, /batch must be an integer in \[0, 4\], got 9/],
    ['an EarlyStopping best that is a string', (m) => { m.callbacks[0].state.best = 'x'; }, /callback 0:EarlyStopping refused its saved state: EarlyStopping\.loadStateDict: best must be a number, got "x"/],
    ['an EarlyStopping wait of -1', (m) => { m.callbacks[0].state.wait = -1; }, /wait must be an integer >= 0, got -1/],
    ['a ModelCheckpoint best that is null', (m) => { m.callbacks[1].state.best = null; }, /ModelCheckpoint\.loadStateDict: expected \{ best: number \}, got best = null/],
    ['a number marker that is not a number', (m) => { m.callbacks[1].state.best = { $number: 'lots' }; }, /holds "lots" where NaN, Infinity or -Infinity was expected/],
    ['a reference to a tensor the file lacks', (m) => { m.callbacks[0].state.bestWeights = { '0.weight': { $tensor: 'nope' } }; }, /refers to tensor "nope", which the file does not hold/],
    ['a callbacks section that is not a list', (m) => { m.callbacks = {}; }, /callbacks must be an array, got an object/],
    ['a stop reason that is not a string', (m) => { m.stopReason = 5; }, /stopReason must be a string or null, got 5/],
    ['another format', (m) => { m.format = 'tsgrad-checkpoint/0'; }, /format is "tsgrad-checkpoint\/0", expected "tsgrad-checkpoint\/1"/],
    ['metadata nested 40 deep', (m) => { m.scheduler = JSON.parse('['.repeat(40) + ']'.repeat(40)); }, /metadata exceeds maxDepth = 32/],
  ];
  for (const [what, change, message] of cases) {
    it(`refuses ${what}`, () => {
      const bad = join(tmp, 'bad.safetensors');
      tamper(good, bad, change);
      const b = setup(7, new EarlyStopping({ patience: 50 }));
      const checkpoint = new ModelCheckpoint(join(tmp, 'untouched.safetensors'));
      // move every part off its initial state, so a partial restore would show
      fit(b.model, b.loader, options(b, 1, { callbacks: [b.stopper, checkpoint] }));
      const before = snapshot(world(b, checkpoint, bad));
      let caught: unknown;
      try {
        fit(b.model, b.loader, options(b, 5, { callbacks: [b.stopper, checkpoint], resumeFrom: bad }));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(CheckpointError);
      expect((caught as Error).message).toMatch(message);
      expect(snapshot(world(b, checkpoint, bad))).toEqual(before);
    });
  }
});

describe('ModelCheckpoint into a folder that is not there', () => {
  it('fails when fit starts, before any batch, naming the folder', () => {
    const r = setup(1);
    const path = join(tmp, 'no', 'such', 'folder', 'run.safetensors');
    let forwards = 0;
    const loss = (pred: never, y: never) => { forwards++; return new nn.CrossEntropyLoss().forward(pred, y); };
    const before = snapshot({ model: r.model, optimizer: r.optimizer, loaders: [r.loader] });
    expect(() => fit(r.model, r.loader, options(r, 3, { loss, callbacks: [new ModelCheckpoint(path)] })))
      .toThrow(new RegExp(`ModelCheckpoint: cannot write .*run\\.safetensors: the folder .*folder does not exist \\(create it first\\)`));
    expect(forwards).toBe(0);
    expect(snapshot({ model: r.model, optimizer: r.optimizer, loaders: [r.loader] })).toEqual(before);
  });

  it('a path that is a folder is refused too; a resume that meets either is undone', () => {
    const folder = join(tmp, 'a-folder');
    mkdirSync(folder);
    const r = setup(1);
    expect(() => fit(r.model, r.loader, options(r, 1, { callbacks: [new ModelCheckpoint(folder)] }))).toThrow(/it is a folder, not a file/);

    const good = join(tmp, 'for-resume.safetensors');
    const a = setup(0, new EarlyStopping({ patience: 50 }));
    fit(a.model, a.loader, options(a, 2, { callbacks: [a.stopper, new ModelCheckpoint(good)] }));
    const b = setup(3, new EarlyStopping({ patience: 50 }));
    const missing = new ModelCheckpoint(join(tmp, 'gone', 'x.safetensors'));
    const before = snapshot(world(b, missing, good));
    expect(() => fit(b.model, b.loader, options(b, 4, { callbacks: [b.stopper, missing], resumeFrom: good }))).toThrow(/does not exist/);
    expect(snapshot(world(b, missing, good))).toEqual(before);
  });
});

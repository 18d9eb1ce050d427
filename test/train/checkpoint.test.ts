import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/backend/cpu/index.ts';
import * as nn from '../../src/nn/index.ts';
import * as optim from '../../src/optim/index.ts';
import { saveTensors } from '../../src/io/safetensors.ts';
import { manualSeed } from '../../src/tensor/random.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { DataLoader } from '../../src/data/dataloader.ts';
import { fit } from '../../src/train/fit.ts';
import { EarlyStopping } from '../../src/train/callbacks.ts';
import { CheckpointError, loadCheckpoint } from '../../src/train/checkpoint.ts';
import { ModelCheckpoint } from '../../src/train/model-checkpoint.ts';
import { NonFiniteLossError } from '../../src/train/errors.ts';
import { blobs } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-ckpt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Everything a run is made of, built the way a user's script would build it: the model
 * draws its init from the global RNG, Dropout draws masks from it during training, and the
 * loader shuffles with it (no seed), so an exact resume needs every piece of saved state.
 */
function setup(seed: number, loaderSeed?: number) {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Dense(4, 16), new nn.ReLU(), new nn.Dropout(0.3), new nn.Dense(16, 3));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.02 });
  const scheduler = new optim.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
  const loader = new DataLoader(blobs(100, 4, 1), { batchSize: 16, shuffle: true, seed: loaderSeed });
  const validation = new DataLoader(blobs(40, 4, 2), { batchSize: 16 });
  return { model, optimizer, scheduler, loader, validation };
}

const params = (m: nn.Module) => m.parameters().map((p) => Array.from(p.data));
const metrics = (h: ReturnType<typeof fit>) => h.epochs.map(({ epoch, loss, accuracy, valLoss, valAccuracy, lr }) => ({ epoch, loss, accuracy, valLoss, valAccuracy, lr }));

describe('resume from a checkpoint', () => {
  for (const loaderSeed of [undefined, 5]) {
    it(`continues bit for bit like the uninterrupted run (${loaderSeed === undefined ? 'global-RNG' : 'seeded'} shuffling)`, () => {
      const a = setup(0, loaderSeed);
      const early = () => new EarlyStopping({ patience: 50 });
      const full = fit(a.model, a.loader, {
        optimizer: a.optimizer, loss: new nn.CrossEntropyLoss(), epochs: 5, validation: a.validation,
        scheduler: a.scheduler, callbacks: [early()], progress: false,
      });

      const path = join(tmp, `run-${loaderSeed}.ckpt.safetensors`);
      const b = setup(0, loaderSeed);
      const firstPart = fit(b.model, b.loader, {
        optimizer: b.optimizer, loss: new nn.CrossEntropyLoss(), epochs: 2, validation: b.validation,
        scheduler: b.scheduler, callbacks: [early(), new ModelCheckpoint(path)], progress: false,
      });
      expect(firstPart.epochs.length).toBe(2);

      // A fresh "process": other seed, new objects; only the file links the two halves.
      const c = setup(12345, loaderSeed);
      const stopper = early();
      const resumed = fit(c.model, c.loader, {
        optimizer: c.optimizer, loss: new nn.CrossEntropyLoss(), epochs: 5, validation: c.validation,
        scheduler: c.scheduler, callbacks: [stopper, new ModelCheckpoint(path)], progress: false, resumeFrom: path,
      });
      expect(metrics(resumed)).toEqual(metrics(full));
      expect(params(c.model)).toEqual(params(a.model));
      expect(c.optimizer.paramGroups[0].lr).toBe(a.optimizer.paramGroups[0].lr);
      expect(stopper.bestEpoch).toBeGreaterThan(0);
      // the interrupted run's epochs came back from the file with the same numbers
      expect(metrics(resumed).slice(0, 2)).toEqual(metrics(firstPart));
      // and the checkpoint now holds the end of the run
      expect(loadCheckpoint(path).epoch).toBe(5);
    });
  }

  it('stores the state in one safetensors file that loadCheckpoint reads back', () => {
    const a = setup(0, 1);
    const path = join(tmp, 'one.safetensors');
    fit(a.model, a.loader, { optimizer: a.optimizer, loss: new nn.CrossEntropyLoss(), epochs: 1, callbacks: [new ModelCheckpoint(path)], progress: false });
    const ck = loadCheckpoint(path);
    expect(ck.epoch).toBe(1);
    expect(Object.keys(ck.model).sort()).toEqual(['0.bias', '0.weight', '3.bias', '3.weight']);
    expect(Array.from(ck.model['3.bias'].data)).toEqual(Array.from(a.model.stateDict()['3.bias'].data));
    expect(ck.trainLoader).toEqual({ epoch: 1, batch: 0 });
    expect(ck.history.epochs.length).toBe(1);
    const opt = ck.optimizer as { state: Record<string, { step: number; buffers: Record<string, Tensor> }> };
    expect(opt.state['0'].step).toBe(7); // ceil(100 / 16) Adam steps
  });

  it('refuses files that are not checkpoints or do not fit, leaving the model as it was', () => {
    const plain = join(tmp, 'plain.safetensors');
    const a = setup(0, 1);
    saveTensors(a.model.stateDict(), plain);
    expect(() => loadCheckpoint(plain)).toThrow(CheckpointError);
    const garbage = join(tmp, 'garbage.safetensors');
    writeFileSync(garbage, 'not a checkpoint at all');
    expect(() => loadCheckpoint(garbage)).toThrow();

    const path = join(tmp, 'small.safetensors');
    fit(a.model, a.loader, { optimizer: a.optimizer, loss: new nn.CrossEntropyLoss(), epochs: 1, callbacks: [new ModelCheckpoint(path)], progress: false });
    manualSeed(0);
    const other = new nn.Sequential(new nn.Dense(4, 8), new nn.ReLU(), new nn.Dense(8, 3));
    const before = params(other);
    expect(() => fit(other, a.loader, { optimizer: new optim.Adam(other.parameters()), loss: new nn.CrossEntropyLoss(), epochs: 2, resumeFrom: path, progress: false }))
      .toThrow(/cannot resume/);
    expect(params(other)).toEqual(before);
    expect(() => fit(a.model, a.loader, { optimizer: a.optimizer, loss: new nn.CrossEntropyLoss(), epochs: 1, resumeFrom: join(tmp, 'missing'), progress: false }))
      .toThrow(/ENOENT|no such file/);
  });
});

describe('a loss that becomes NaN', () => {
  it('stops with an error naming epoch and batch, before the bad step, keeping the last checkpoint', () => {
    const a = setup(0, 3);
    const path = join(tmp, 'nan.safetensors');
    const ce = new nn.CrossEntropyLoss();
    let calls = 0;
    // batch 4 of epoch 2 (7 batches per epoch) goes bad
    const loss = (pred: Tensor, y: Int32Array) => {
      calls++;
      const l = ce.forward(pred, y);
      return calls === 7 + 4 ? l.mul(NaN) : l;
    };
    let before: number[][] = [];
    const snapshot = { onBatchEnd: () => { before = params(a.model); } };
    let caught: unknown;
    try {
      fit(a.model, a.loader, { optimizer: a.optimizer, loss, epochs: 3, callbacks: [new ModelCheckpoint(path), snapshot], progress: false });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NonFiniteLossError);
    expect((caught as Error).message).toMatch(/loss became NaN at epoch 2, batch 4\/7/);
    expect(params(a.model)).toEqual(before); // the NaN step was never applied
    // the checkpoint is still epoch 1's, and it resumes to a finite run
    const bytes = readFileSync(path);
    const ck = loadCheckpoint(path);
    expect(ck.epoch).toBe(1);
    expect(Object.values(ck.model).every((t) => t.data.every(Number.isFinite))).toBe(true);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(statSync(path).size).toBe(bytes.length);

    const c = setup(0, 3);
    const h = fit(c.model, c.loader, { optimizer: c.optimizer, loss: ce, epochs: 2, resumeFrom: path, progress: false });
    expect(h.loss.every(Number.isFinite)).toBe(true);
  });

  it('infinite losses and diverged parameters are caught too', () => {
    const a = setup(0, 3);
    expect(() => fit(a.model, a.loader, { optimizer: a.optimizer, loss: () => a.model.forward(a.loader.dataset.images).sum().mul(Infinity), epochs: 1, progress: false }))
      .toThrow(/loss became (-)?Infinity at epoch 1, batch 1/);
    // a huge learning rate with SGD drives the weights to ±Infinity/NaN within a few steps
    const b = setup(0, 3);
    const loss = new nn.CrossEntropyLoss();
    expect(() => fit(b.model, b.loader, { optimizer: new optim.SGD(b.model.parameters(), { lr: 1e38 }), loss, epochs: 3, progress: false }))
      .toThrow(NonFiniteLossError);
  });
});

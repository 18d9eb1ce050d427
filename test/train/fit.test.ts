import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../src/backend/cpu/index.ts';
import * as nn from '../../src/nn/index.ts';
import * as optim from '../../src/optim/index.ts';
import { manualSeed } from '../../src/tensor/random.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { DataLoader } from '../../src/data/dataloader.ts';
import { fit } from '../../src/train/fit.ts';
import { evaluate } from '../../src/train/evaluate.ts';
import { EarlyStopping } from '../../src/train/callbacks.ts';
import { History } from '../../src/train/history.ts';
import { blobs, linearReference, recorder } from './helpers.ts';

afterEach(() => vi.restoreAllMocks());

function linearModel(seed: number) {
  manualSeed(seed);
  return new nn.Dense(4, 3);
}

const weights = (m: nn.Dense) => [Float32Array.from(m.weight.data), Float32Array.from(m.bias!.data)] as const;

describe('fit', () => {
  it('with lr 0 the epoch metrics equal an independent float64 evaluation of the fixed model', () => {
    const train = blobs(90, 4, 1);
    const val = blobs(30, 4, 2);
    const model = linearModel(3);
    const [w, b] = weights(model);
    const ref = linearReference(w, b, train);
    const refVal = linearReference(w, b, val);
    const history = fit(model, new DataLoader(train, { batchSize: 16, shuffle: true, seed: 0 }), {
      optimizer: new optim.SGD(model.parameters(), { lr: 0 }),
      loss: new nn.CrossEntropyLoss(),
      epochs: 2,
      validation: val,
      progress: false,
    });
    expect(history).toBeInstanceOf(History);
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of history.epochs) {
      expect(e.loss).toBeCloseTo(ref.loss, 5);
      expect(e.accuracy).toBeCloseTo(ref.accuracy, 10);
      expect(e.valLoss).toBeCloseTo(refVal.loss, 5);
      expect(e.valAccuracy).toBeCloseTo(refVal.accuracy, 10);
      expect(e.lr).toBe(0);
      expect(e.seconds).toBeGreaterThan(0);
      expect(e.samplesPerSecond).toBeCloseTo(90 / e.seconds, 6);
    }
    expect(history.loss).toEqual(history.epochs.map((e) => e.loss));
    expect(history.valAccuracy).toEqual(history.epochs.map((e) => e.valAccuracy));
    expect(JSON.parse(JSON.stringify(history)).epochs.length).toBe(2);
  });

  it('learns a separable problem; evaluate() agrees with a float64 reference of the trained weights', () => {
    const train = blobs(300, 4, 1);
    const model = linearModel(4);
    const history = fit(model, new DataLoader(train, { batchSize: 20, shuffle: true, seed: 1 }), {
      optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }),
      loss: new nn.CrossEntropyLoss(),
      epochs: 5,
      progress: false,
    });
    expect(history.loss[4]).toBeLessThan(history.loss[0]);
    expect(history.accuracy[4]).toBeGreaterThan(0.9);
    const test = blobs(150, 4, 7);
    const [w, b] = weights(model);
    const ref = linearReference(w, b, test);
    const got = evaluate(model, new DataLoader(test, { batchSize: 64 }));
    expect(got.loss).toBeCloseTo(ref.loss, 5);
    expect(got.accuracy).toBe(ref.accuracy);
    expect(got.samples).toBe(150);
    // with an explicit loss module, the same mean
    expect(evaluate(model, new DataLoader(test, { batchSize: 64 }), { loss: new nn.CrossEntropyLoss() }).loss).toBeCloseTo(ref.loss, 5);
  });

  it('a plain function works as the loss, and the scheduler steps once per epoch', () => {
    const train = blobs(30, 4, 1);
    const model = linearModel(0);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const sched = new optim.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    const calls: Int32Array[] = [];
    const history = fit(model, new DataLoader(train, { batchSize: 10 }), {
      optimizer: opt,
      loss: (pred: Tensor, y: Int32Array) => { calls.push(y); return nn.functional.crossEntropy(pred, y); },
      epochs: 3,
      scheduler: sched,
      progress: false,
    });
    expect(calls.length).toBe(9);
    expect(history.epochs.map((e) => e.lr)).toEqual([0.1, 0.05, 0.025]);
  });

  it('a scheduler with interval \'batch\' (OneCycleLR) is stepped after every batch, not at the epoch end', () => {
    const train = blobs(30, 4, 1);
    const model = linearModel(0);
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    // 3 epochs of 3 batches: the cycle's 9 steps end exactly with training (a 10th would throw).
    const sched = new optim.OneCycleLR(opt, { maxLr: 0.01, epochs: 3, stepsPerEpoch: 3, pctStart: 0.25, annealStrategy: 'linear' });
    const lrs: number[] = [];
    const history = fit(model, new DataLoader(train, { batchSize: 10 }), {
      optimizer: opt, loss: nn.functional.crossEntropy, epochs: 3, scheduler: sched, progress: false,
      callbacks: [{ onBatchEnd: () => { lrs.push(opt.paramGroups[0].lr); } }],
    });
    // PyTorch's phases over steps 0..8: up from 0.01/25 until step 0.25·9 − 1 = 1.25, then down to
    // 0.01/25/1e4 at step 8 (and held there after the last step). Batch i ends having taken step i + 1.
    const [init, peak, last] = [0.01 / 25, 0.01, 0.01 / 25 / 1e4];
    const lrAt = (t: number) => (t <= 1.25 ? init + (peak - init) * (t / 1.25) : peak + (last - peak) * ((Math.min(t, 8) - 1.25) / (8 - 1.25)));
    lrs.forEach((lr, i) => expect(lr).toBeCloseTo(lrAt(i + 1), 12));
    expect(lrs.length).toBe(9);
    expect(history.epochs.map((e) => e.lr)).toEqual([0.01 / 25, lrs[2], lrs[5]]);
  });

  it('evaluate() runs in eval mode without a graph and restores the mode', () => {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Dense(4, 8), new nn.Dropout(0.9), new nn.Dense(8, 3));
    const data = blobs(30, 4, 1);
    const a = evaluate(model, new DataLoader(data, { batchSize: 7 }));
    const b = evaluate(model, new DataLoader(data, { batchSize: 30 }));
    expect(a.loss).toBeCloseTo(b.loss, 5); // dropout would make them differ
    expect(model.training).toBe(true);
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    model.eval();
    evaluate(model, new DataLoader(data, { batchSize: 7 }));
    expect(model.training).toBe(false);
  });

  it('rejects bad options', () => {
    const model = linearModel(0);
    const loader = new DataLoader(blobs(9), { batchSize: 3 });
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    const loss = new nn.CrossEntropyLoss();
    expect(() => fit(model, loader, { optimizer, loss, epochs: 0 })).toThrow(RangeError);
    expect(() => fit(model, loader, { optimizer: undefined as never, loss, epochs: 1 })).toThrow(/optimizer/);
    expect(() => fit(model, loader, { optimizer, loss: 3 as never, epochs: 1 })).toThrow(/loss/);
  });
});

describe('fit progress output', () => {
  const run = (progress: Parameters<typeof fit>[2]['progress']) => {
    const model = linearModel(0);
    return fit(model, new DataLoader(blobs(60), { batchSize: 10 }), {
      optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
      loss: new nn.CrossEntropyLoss(),
      epochs: 2,
      validation: blobs(30, 4, 5),
      progress,
    });
  };

  it('on a terminal: a live line redrawn with \\r, then one summary line per epoch', () => {
    const out = recorder(true);
    run(out);
    const lines = out.text.split('\n');
    expect(lines.length).toBe(3); // two epochs + the empty string after the last newline
    const finalOf = (line: string) => line.split('\r').pop()!;
    expect(lines[0].startsWith('\rEpoch 1/2 1/6 [')).toBe(true);
    expect(finalOf(lines[0])).toMatch(/^Epoch 1\/2 6\/6 \[=+\] /);
    expect(finalOf(lines[0])).toMatch(/loss \d\.\d{4} acc \d+\.\d\d% val_loss \d\.\d{4} val_acc \d+\.\d\d% \d+ samples\/s in \d+:\d\d\x1b\[K$/);
    expect(finalOf(lines[1])).toMatch(/^Epoch 2\/2 6\/6 /);
    expect(out.text).toContain('\x1b[K');
  });

  it('elsewhere with progress: true: only the summary lines, no control characters', () => {
    const out = recorder(false);
    run(out);
    expect(out.text).not.toMatch(/[\r\x1b]/);
    expect(out.text.trim().split('\n').map((l) => l.slice(0, 10))).toEqual(['Epoch 1/2 ', 'Epoch 2/2 ']);
  });

  it('by default, one summary line per epoch when stdout is not a terminal; quiet with progress: false', () => {
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const wasTTY = process.stdout.isTTY;
    try {
      (process.stdout as { isTTY?: boolean }).isTTY = false;
      run(undefined);
      (process.stdout as { isTTY?: boolean }).isTTY = true;
      run(false);
    } finally {
      (process.stdout as { isTTY?: boolean }).isTTY = wasTTY;
      write.mockRestore();
    }
    const text = written.join('');
    expect(text).not.toMatch(/[\r\x1b]/);
    expect(text.trim().split('\n').map((l) => l.slice(0, 10))).toEqual(['Epoch 1/2 ', 'Epoch 2/2 ']);
  });
});

describe('EarlyStopping', () => {
  const ctx = () => ({ stopTraining: false, stopReason: null as string | null, model: { stateDict: () => ({}), loadStateDict: vi.fn() } });
  const rec = (epoch: number, valLoss: number) => ({ epoch, loss: 0, accuracy: 0, valLoss, seconds: 1, samplesPerSecond: 1 });

  it('stops after more than `patience` epochs without an improvement larger than minDelta', () => {
    const es = new EarlyStopping({ monitor: 'valLoss', patience: 2, minDelta: 0.1 });
    const c = ctx();
    const values = [1.0, 0.8, 0.75, 0.72, 0.71]; // only the first two improve by more than 0.1
    const stoppedAt: number[] = [];
    values.forEach((v, i) => {
      es.onEpochEnd(rec(i + 1, v), c as never);
      if (c.stopTraining && stoppedAt.length === 0) stoppedAt.push(i + 1);
    });
    expect(stoppedAt).toEqual([5]);
    expect(es.best).toBe(0.8);
    expect(es.bestEpoch).toBe(2);
    expect(c.stopReason).toMatch(/valLoss did not improve for 3 epoch/);
  });

  it('accuracies are maximised, and restoreBestWeights puts the best epoch back', () => {
    const es = new EarlyStopping({ monitor: 'valAccuracy', restoreBestWeights: true });
    const c = ctx();
    let k = 0;
    c.model.stateDict = () => ({ id: k++ }) as never;
    es.onEpochEnd({ ...rec(1, 0), valAccuracy: 0.5 }, c as never);
    es.onEpochEnd({ ...rec(2, 0), valAccuracy: 0.7 }, c as never);
    expect(c.stopTraining).toBe(false);
    es.onEpochEnd({ ...rec(3, 0), valAccuracy: 0.6 }, c as never);
    expect(c.stopTraining).toBe(true);
    expect(c.model.loadStateDict).toHaveBeenCalledWith({ id: 1 });
  });

  it('in fit: a model that cannot improve (lr 0) stops after patience + 1 epochs', () => {
    const model = linearModel(0);
    const history = fit(model, new DataLoader(blobs(30), { batchSize: 10 }), {
      optimizer: new optim.SGD(model.parameters(), { lr: 0 }),
      loss: new nn.CrossEntropyLoss(),
      epochs: 10,
      validation: blobs(15, 4, 3),
      callbacks: [new EarlyStopping({ patience: 1 })],
      progress: false,
    });
    expect(history.epochs.length).toBe(3);
    expect(history.stopReason).toMatch(/early stopping/);
  });

  it('checks its options', () => {
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(RangeError);
    expect(() => new EarlyStopping({ monitor: 'acc' as never })).toThrow(/monitor/);
    const model = linearModel(0);
    expect(() => fit(model, new DataLoader(blobs(9), { batchSize: 3 }), {
      optimizer: new optim.SGD(model.parameters(), { lr: 0 }), loss: new nn.CrossEntropyLoss(), epochs: 1,
      callbacks: [new EarlyStopping()], progress: false,
    })).toThrow(/validation/);
  });
});

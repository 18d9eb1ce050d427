/** TensorDataset, and fit()/evaluate() for regression, sequence and language models, with the metrics option. */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';

const { nn } = tg;
beforeEach(() => tg.manualSeed(8));

describe('TensorDataset and DataLoader', () => {
  it('batches inputs and targets of any dtype together, shuffled in the same order; the transform sees x only', () => {
    const x = tg.arange(10).cast('float32').reshape([10, 1]);
    const y = tg.arange(10).mul(10).reshape([10, 1]); // int32 targets, 10·x
    const loader = new tg.data.DataLoader(new tg.data.TensorDataset(x, y), { batchSize: 4, shuffle: true, seed: 1, transform: (t) => t.add(0.5) });
    const seen: number[] = [];
    for (const batch of loader) {
      expect(batch.y).toBeInstanceOf(tg.Tensor);
      expect(batch.y.dtype).toBe('int32');
      const xs = Array.from(batch.x.data), ys = Array.from(batch.y.data);
      xs.forEach((v, i) => expect(ys[i]).toBe((v - 0.5) * 10));
      seen.push(...ys);
    }
    expect(seen.sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(seen).toHaveLength(10);
  });

  it('a batch is a copy; sliceDataset views rows; mismatched sample counts are refused', () => {
    const ds = new tg.data.TensorDataset(tg.ones([6, 2]), tg.zeros([6]));
    const [first] = new tg.data.DataLoader(ds, { batchSize: 6 });
    first.x.data[0] = 5;
    expect(ds.x.data[0]).toBe(1);
    const part = tg.data.sliceDataset(ds, 2, 5);
    expect(part).toBeInstanceOf(tg.data.TensorDataset);
    expect(part.x.shape).toEqual([3, 2]);
    expect(() => new tg.data.TensorDataset(tg.zeros([3, 2]), tg.zeros([4]))).toThrow(/x \[3,2\] and y \[4\] hold different numbers of samples \(3 and 4\)/);
    expect(() => new tg.data.TensorDataset(tg.zeros([3]), [1, 2, 3] as unknown as tg.Tensor)).toThrow(/TensorDataset: y must be a Tensor/);
  });
});

describe('fit for regression', () => {
  it('a float target, MSELoss, the mae metric and validation data: history holds both, accuracy is NaN', () => {
    const x = tg.randn([200, 3]);
    const w = tg.tensor([[1.5], [-2], [0.5]]);
    const y = x.matmul(w).add(0.3);
    const train = new tg.data.TensorDataset(x.narrow(0, 0, 160), y.narrow(0, 0, 160));
    const val = new tg.data.TensorDataset(x.narrow(0, 160, 40), y.narrow(0, 160, 40));
    const model = new nn.Dense(3, 1);
    const history = tg.train.fit(model, new tg.data.DataLoader(train, { batchSize: 16, shuffle: true, seed: 0 }), {
      optimizer: new tg.optim.Adam(model.parameters(), { lr: 0.05 }),
      loss: new nn.MSELoss(),
      epochs: 8,
      validation: val,
      metrics: ['mae', 'mse'],
      progress: false,
    });
    expect(history.valLoss).toHaveLength(8);
    const mae = history.valMetric('mae'), mse = history.valMetric('mse');
    expect(mae).toHaveLength(8);
    expect(mae[7]).toBeLessThan(mae[0] / 5);
    // The validation loss is MSELoss's mean over the same data, so it equals the mse metric.
    history.valLoss.forEach((l, i) => expect(l).toBeCloseTo(mse[i], 5));
    expect(history.metric('mae')[7]).toBeLessThan(history.metric('mae')[0]);
    expect(history.accuracy.every(Number.isNaN)).toBe(true);
    expect(history.valAccuracy.every(Number.isNaN)).toBe(true);

    const ev = tg.train.evaluate(model, new tg.data.DataLoader(val, { batchSize: 7 }), { loss: new nn.L1Loss(), metrics: ['mae'] });
    expect(ev.loss).toBeCloseTo(ev.metrics.mae, 5);
    expect(ev.samples).toBe(40);
  });

  it('accuracy is refused where it means nothing, and evaluate asks for a loss for float targets', () => {
    const ds = new tg.data.TensorDataset(tg.randn([8, 2]), tg.randn([8, 1]));
    const model = new nn.Dense(2, 1);
    const run = (metrics: tg.train.Metric[]) => tg.train.fit(model, new tg.data.DataLoader(ds, { batchSize: 4 }), {
      optimizer: new tg.optim.SGD(model.parameters(), { lr: 0.01 }), loss: new nn.MSELoss(), epochs: 1, metrics, progress: false,
    });
    expect(() => run(['accuracy'])).toThrow(/accuracy needs class scores \[\.\.\., C\] and integer labels \[\.\.\.\]; got output \[4,1\] and float32 targets \[4,1\]/);
    expect(() => run(['r2' as 'mae'])).toThrow(/fit: a metric must be one of 'accuracy', 'mae', 'mse' or \{ name, fn\(pred, target\) \}, got .r2./);
    expect(() => run(['mae', 'mae'])).toThrow(/metric 'mae' is listed twice/);
    expect(() => tg.train.evaluate(model, new tg.data.DataLoader(ds, { batchSize: 4 }))).toThrow(/evaluate: the targets are float32 \[4,1\], not class labels; pass options.loss/);
  });
});

describe('fit for sequence and language models', () => {
  it('an LSTM regressor over sequences ([N, T, F] inputs, [N, 1] targets), with a custom metric', () => {
    class LastStep extends nn.Module {
      lstm = new nn.LSTM(1, 8, { batchFirst: true });
      head = new nn.Dense(8, 1);
      forward(x: tg.Tensor): tg.Tensor {
        const [out] = this.lstm.forward(x);
        return this.head.forward(out.select(1, x.shape[1] - 1));
      }
    }
    // Target: the mean of the sequence.
    const x = tg.rand([64, 6, 1]);
    const y = x.mean(1);
    const model = new LastStep();
    const history = tg.train.fit(model, new tg.data.DataLoader(new tg.data.TensorDataset(x, y), { batchSize: 16 }), {
      optimizer: new tg.optim.Adam(model.parameters(), { lr: 0.02 }),
      loss: new nn.MSELoss(),
      epochs: 6,
      metrics: [{ name: 'maxError', fn: (p, t) => p.sub(t as tg.Tensor).abs().max().item() }],
      progress: false,
    });
    const losses = history.loss;
    expect(losses[5]).toBeLessThan(losses[0]);
    expect(history.metric('maxError')).toHaveLength(6);
  });

  it('a character model: [B, T, V] logits against [B, T] next tokens, token accuracy', () => {
    // A cyclic sequence 0 1 2 3 0 1 …: the next token is fully determined by the current one.
    const seq = Array.from({ length: 41 }, (_, i) => i % 4);
    const windows = Array.from({ length: 32 }, (_, s) => seq.slice(s, s + 8));
    const x = tg.tensor(windows, { dtype: 'int32' });
    const y = tg.tensor(windows.map((w, s) => seq.slice(s + 1, s + 9)), { dtype: 'int32' });
    const model = new nn.Sequential(new nn.Embedding(4, 8), new nn.Dense(8, 4));
    const lossFn = new nn.CrossEntropyLoss();
    const history = tg.train.fit(model, new tg.data.DataLoader(new tg.data.TensorDataset(x, y), { batchSize: 8, shuffle: true, seed: 2 }), {
      optimizer: new tg.optim.Adam(model.parameters(), { lr: 0.1 }),
      // The loss module takes PyTorch's [N, C, T] layout; a language model's [B, T, V] is permuted into it.
      loss: (logits, target) => lossFn.forward(logits.permute(0, 2, 1), target as tg.Tensor),
      epochs: 5,
      metrics: ['accuracy'],
      validation: new tg.data.TensorDataset(x, y),
      progress: false,
    });
    expect(history.accuracy[4]).toBe(1);
    expect(history.valAccuracy[4]).toBe(1);
    expect(history.valMetric('accuracy')[4]).toBe(1);
    expect(history.loss[4]).toBeLessThan(history.loss[0]);
  });

  it('classification is unchanged: accuracy measured without a metrics option', () => {
    const x = tg.randn([40, 2]);
    const labels = tg.tensor(Array.from(x.data).filter((_, i) => i % 2 === 0).map((v) => (v > 0 ? 1 : 0)), { dtype: 'int32' });
    const model = new nn.Dense(2, 2);
    const history = tg.train.fit(model, new tg.data.DataLoader(new tg.data.TensorDataset(x, labels), { batchSize: 10 }), {
      optimizer: new tg.optim.Adam(model.parameters(), { lr: 0.1 }), loss: new nn.CrossEntropyLoss(), epochs: 5, progress: false,
    });
    expect(history.accuracy[4]).toBeGreaterThan(0.8);
    expect(history.epochs[0].metrics).toBeUndefined();
  });
});

describe('fit and evaluate free each batch', () => {
  it('live tensors after 60 batches are those of the model and optimizer, not of the batches', () => {
    const ds = new tg.data.TensorDataset(tg.randn([240, 4]), tg.randn([240, 2]));
    const model = new nn.Sequential(new nn.Dense(4, 8), new nn.ReLU(), new nn.Dense(8, 2));
    const optimizer = new tg.optim.Adam(model.parameters(), { lr: 1e-3 });
    const loader = new tg.data.DataLoader(ds, { batchSize: 4, shuffle: true, seed: 0, transform: (x) => x.mul(2).add(1) });
    const before = tg.memory().tensors;
    tg.train.fit(model, loader, { optimizer, loss: new nn.MSELoss(), epochs: 1, progress: false, validation: ds });
    tg.train.evaluate(model, loader, { loss: new nn.MSELoss() });
    // 4 parameters, each with a gradient and Adam's two moments: 12 tensors; a leak would be ~20 per batch.
    expect(tg.memory().tensors - before).toBeLessThanOrEqual(12);
  });
});

import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';

describe('training on real MNIST digits', () => {
  it('one epoch on 3000 images gives well above chance (10%) on 1000 held-out test images', () => {
    tg.manualSeed(0);
    const train = tg.data.sliceDataset(tg.data.loadMnist({ split: 'train' }), 0, 3000);
    const heldOut = tg.data.sliceDataset(tg.data.loadMnist({ split: 'test' }), 0, 1000);
    const normalize = tg.data.normalize(0.1307, 0.3081);
    const model = new tg.nn.Sequential(new tg.nn.Flatten(), new tg.nn.Dense(784, 128), new tg.nn.ReLU(), new tg.nn.Dense(128, 10));
    const history = tg.train.fit(model, new tg.data.DataLoader(train, { batchSize: 32, shuffle: true, seed: 0, transform: normalize }), {
      optimizer: new tg.optim.Adam(model.parameters(), { lr: 2e-3 }),
      loss: new tg.nn.CrossEntropyLoss(),
      epochs: 1,
      progress: false,
    });
    const result = tg.train.evaluate(model, new tg.data.DataLoader(heldOut, { batchSize: 500, transform: normalize }));
    expect(history.epochs.length).toBe(1);
    expect(result.samples).toBe(1000);
    expect(result.accuracy).toBeGreaterThan(0.8);
    expect(result.loss).toBeLessThan(Math.log(10) / 3); // chance-level cross-entropy is ln 10
  });
});

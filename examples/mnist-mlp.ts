/**
 * MNIST with a multilayer perceptron: every image flattened to 784 numbers, one hidden
 * ReLU layer of 256 units, ten outputs. The shortest path from raw pixels to a trained
 * classifier. Adam at lr 1e-3, annealed to 0 along a cosine over the 10 epochs, so the
 * last epochs take small steps and settle instead of bouncing around a minimum.
 *
 *   npx tsx examples/mnist-mlp.ts            # the full run, ≥ 98 % test accuracy
 *   npx tsx examples/mnist-mlp.ts --quick    # (or TSGRAD_QUICK=1) 1 epoch on 2000 images, for tests
 */
import * as tg from 'tsgrad';

const quick = process.argv.includes('--quick') || process.env.TSGRAD_QUICK === '1';
const HIDDEN = 256;
const EPOCHS = quick ? 1 : 10;
tg.manualSeed(0);

let train = tg.data.loadMnist({ split: 'train' });
let test = tg.data.loadMnist({ split: 'test' });
if (quick) {
  train = tg.data.sliceDataset(train, 0, 2000);
  test = tg.data.sliceDataset(test, 0, 1000);
}
const normalize = tg.data.normalize(0.1307, 0.3081);
const trainLoader = new tg.data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0, transform: normalize });
const testLoader = new tg.data.DataLoader(test, { batchSize: 1000, transform: normalize });

const { nn } = tg;
const model = new nn.Sequential(
  new nn.Flatten(),            // [B,1,28,28] → [B,784]
  new nn.Dense(784, HIDDEN),
  new nn.ReLU(),
  new nn.Dense(HIDDEN, 10),    // logits; CrossEntropyLoss applies the softmax
);

const optimizer = new tg.optim.Adam(model.parameters(), { lr: 1e-3 });
const started = performance.now();
const history = tg.train.fit(model, trainLoader, {
  optimizer,
  loss: new nn.CrossEntropyLoss(),
  epochs: EPOCHS,
  scheduler: new tg.optim.CosineAnnealingLR(optimizer, { tMax: EPOCHS }),
  progress: true,
});
const { accuracy } = tg.train.evaluate(model, testLoader);
const seconds = (performance.now() - started) / 1000;
const rate = history.epochs.reduce((s, e) => s + e.samplesPerSecond, 0) / history.epochs.length;
console.log(`test accuracy ${(accuracy * 100).toFixed(2)}% on ${test.labels.length} images; ${seconds.toFixed(0)} s in all, ${Math.round(rate)} training samples/s`);

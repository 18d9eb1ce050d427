/**
 * MNIST with a small convolutional network: the model `npm run mnist` trains. Two
 * conv-ReLU-maxpool stages and a dense head; Adam starting at lr 1e-3
 * and annealed along a cosine over the 3 epochs (1e-3, 7.5e-4, 2.5e-4), batches of 64:
 * at least 99.0 % on the 10 000 test images. (With the rate held at 1e-3 it ends near
 * 98.9–99.1 %: the smaller steps of the last epoch are what make 99 % reliable.)
 *
 *   npx tsx examples/mnist-cnn.ts            # the full run
 *   npx tsx examples/mnist-cnn.ts --quick    # (or TSGRAD_QUICK=1) 1 epoch on 500 images, for tests
 */
import * as tg from 'tsgrad';

const quick = process.argv.includes('--quick') || process.env.TSGRAD_QUICK === '1';
tg.manualSeed(0);

let train = tg.data.loadMnist({ split: 'train' });
let test = tg.data.loadMnist({ split: 'test' });
if (quick) {
  train = tg.data.sliceDataset(train, 0, 500);
  test = tg.data.sliceDataset(test, 0, 200);
}
// Inputs centred on the training set's mean pixel and scaled to unit spread.
const normalize = tg.data.normalize(0.1307, 0.3081);
const trainLoader = new tg.data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0, transform: normalize });
const testLoader = new tg.data.DataLoader(test, { batchSize: 500, transform: normalize });

// 28×28 → conv 5×5 → 24 → pool → 12 → conv 5×5 → 8 → pool → 4: the dense layer sees 64·4·4.
const model = new tg.nn.Sequential(
  new tg.nn.Conv2D(1, 32, 5), new tg.nn.ReLU(), new tg.nn.MaxPool2D(2),
  new tg.nn.Conv2D(32, 64, 5), new tg.nn.ReLU(), new tg.nn.MaxPool2D(2),
  new tg.nn.Flatten(),
  new tg.nn.Dense(64 * 4 * 4, 128), new tg.nn.ReLU(), new tg.nn.Dropout(0.25),
  new tg.nn.Dense(128, 10),
);
console.log(model.toString());

const epochs = quick ? 1 : 3;
const optimizer = new tg.optim.Adam(model.parameters(), { lr: 1e-3 });
const started = performance.now();
const history = tg.train.fit(model, trainLoader, {
  optimizer,
  loss: new tg.nn.CrossEntropyLoss(),
  epochs,
  scheduler: new tg.optim.CosineAnnealingLR(optimizer, { tMax: epochs }),
  progress: true,
});
const { accuracy, loss } = tg.train.evaluate(model, testLoader);
const seconds = (performance.now() - started) / 1000;
const rate = history.epochs.reduce((s, e) => s + e.samplesPerSecond, 0) / history.epochs.length;
console.log(`test accuracy ${(accuracy * 100).toFixed(2)}% (loss ${loss.toFixed(4)}) on ${test.labels.length} images; ` +
  `${seconds.toFixed(0)} s in all, ${Math.round(rate)} training samples/s`);

/**
 * CIFAR-10 (32×32 colour photos, 10 classes) with the same small CNN as MNIST, trained with
 * the usual augmentation: random crops of the image padded by 4 pixels, and horizontal flips.
 *
 *   npm run fetch-data -- cifar10                # once: downloads and checks the data set (162 MB)
 *   npx tsx examples/cifar10-cnn.ts              # 10 epochs on the 50 000 training images
 *   npx tsx examples/cifar10-cnn.ts --quick      # (or TSGRAD_QUICK=1) 1 epoch on 1000 images
 *   npx tsx examples/cifar10-cnn.ts --synthetic  # no download: a made-up 10-class set of colour stripes
 *
 * Without the data (and without --synthetic) it says how to get it and exits successfully.
 */
import * as tg from 'tsgrad';

const args = process.argv.slice(2);
const quick = args.includes('--quick') || process.env.TSGRAD_QUICK === '1';
const synthetic = args.includes('--synthetic');
tg.manualSeed(0);

/**
 * A stand-in data set: class k is a pattern of stripes at an angle of k·18° in a colour of
 * its own, plus noise. Easy, but it runs the whole pipeline (augmentation included).
 */
function stripes(n: number): tg.data.Dataset {
  const images = new Float32Array(n * 3 * 32 * 32);
  const labels = new Int32Array(n);
  const phases = tg.rand([n]).data;
  const noise = tg.rand([n * 3 * 32 * 32]).data;
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    labels[i] = k;
    const angle = (k * Math.PI) / 10;
    const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
    const phase = phases[i] * 2 * Math.PI;
    for (let c = 0; c < 3; c++) {
      const tint = 0.5 + 0.5 * Math.sin(k + (c * 2 * Math.PI) / 3);
      for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) {
        const at = ((i * 3 + c) * 32 + y) * 32 + x;
        const v = 0.5 + 0.5 * Math.sin((x * dx + y * dy) * 0.8 + phase);
        images[at] = Math.min(1, Math.max(0, tint * v + 0.1 * (noise[at] - 0.5)));
      }
    }
  }
  return { images: new tg.Tensor(images, [n, 3, 32, 32]), labels };
}

function loadData(): { train: tg.data.Dataset; test: tg.data.Dataset } | null {
  if (synthetic) return { train: stripes(quick ? 300 : 2000), test: stripes(quick ? 100 : 500) };
  try {
    return { train: tg.data.loadCifar10({ split: 'train' }), test: tg.data.loadCifar10({ split: 'test' }) };
  } catch (err) {
    if (!(err instanceof tg.data.DatasetMissingError)) throw err;
    console.log(`CIFAR-10 is not on this machine, so there is nothing to train on.\n\n${err.message}\n\n` +
      'Or run `npx tsx examples/cifar10-cnn.ts --synthetic` to see the pipeline work on made-up images.');
    return null;
  }
}

/**
 * Two 5×5 conv + ReLU + 2×2 max-pool stages (32 then 64 channels), then a 128-unit dense
 * layer with dropout; the CLI's `cnn` model. On 32×32 images: 32→28→14→10→5.
 */
function cnn(channels: number, side: number): tg.nn.Sequential {
  const after = Math.floor((Math.floor((side - 4) / 2) - 4) / 2);
  return new tg.nn.Sequential(
    new tg.nn.Conv2D(channels, 32, 5), new tg.nn.ReLU(), new tg.nn.MaxPool2D(2),
    new tg.nn.Conv2D(32, 64, 5), new tg.nn.ReLU(), new tg.nn.MaxPool2D(2),
    new tg.nn.Flatten(),
    new tg.nn.Dense(64 * after * after, 128), new tg.nn.ReLU(), new tg.nn.Dropout(0.25),
    new tg.nn.Dense(128, 10),
  );
}

const data = loadData();
if (data) {
  let { train, test } = data;
  if (quick && !synthetic) {
    train = tg.data.sliceDataset(train, 0, 1000);
    test = tg.data.sliceDataset(test, 0, 500);
  }
  // Per-channel statistics of the CIFAR-10 training set.
  const normalize = tg.data.normalize([0.4914, 0.4822, 0.4465], [0.247, 0.2435, 0.2616]);
  const augment = tg.data.compose(tg.data.randomCrop(32, 4), tg.data.randomHorizontalFlip(0.5), normalize);
  const trainLoader = new tg.data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0, transform: augment });
  const testLoader = new tg.data.DataLoader(test, { batchSize: 500, transform: normalize });

  const model = cnn(3, 32);
  const started = performance.now();
  tg.train.fit(model, trainLoader, {
    optimizer: new tg.optim.Adam(model.parameters(), { lr: 1e-3 }),
    loss: new tg.nn.CrossEntropyLoss(),
    epochs: quick ? 1 : synthetic ? 3 : 10,
    progress: true,
  });
  const { accuracy } = tg.train.evaluate(model, testLoader);
  console.log(`${synthetic ? 'synthetic ' : ''}test accuracy ${(accuracy * 100).toFixed(2)}% on ${test.labels.length} images ` +
    `(chance: 10%); ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

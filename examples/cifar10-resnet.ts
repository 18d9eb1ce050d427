/**
 * CIFAR-10 with a small ResNet: a 3×3 stem, three stages of two residual blocks (16, 32 and
 * 64 channels, the last two halving the image), each block two 3×3 convolutions with
 * BatchNorm and a shortcut (a strided 1×1 convolution with BatchNorm where the shape
 * changes), global average pooling and a linear classifier — He et al.'s CIFAR ResNet-14.
 * Trained with the usual augmentation (random crops of the image padded by 4, horizontal
 * flips), SGD with Nesterov momentum and weight decay, the rate annealed along a cosine.
 *
 *   npm run fetch-data -- cifar10                       # once: downloads and checks the data set (162 MB)
 *   npx tsx examples/cifar10-resnet.ts                  # 15 epochs on the 50 000 training images
 *   npx tsx examples/cifar10-resnet.ts --quick          # (or TSGRAD_QUICK=1) 1 epoch on 500 images
 *   npx tsx examples/cifar10-resnet.ts --data-dir DIR   # the binary batches (data_batch_1.bin …) from elsewhere
 *   npx tsx examples/cifar10-resnet.ts --epochs 5
 *
 * Without the data it says how to get it and exits successfully.
 */
import * as tg from '../src/index.ts';
import { resnet14 } from './lib/resnet.ts';

const { nn } = tg;
const args = process.argv.slice(2);
const quick = args.includes('--quick') || process.env.TSGRAD_QUICK === '1';
const option = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const dir = option('--data-dir');
const epochs = Number(option('--epochs') ?? (quick ? 1 : 15));
if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`cifar10-resnet: --epochs needs a positive integer, got ${option('--epochs')}`);
tg.manualSeed(0);

function loadData(): { train: tg.data.Dataset; test: tg.data.Dataset } | null {
  try {
    return { train: tg.data.loadCifar10({ split: 'train', dir }), test: tg.data.loadCifar10({ split: 'test', dir }) };
  } catch (err) {
    if (!(err instanceof tg.data.DatasetMissingError)) throw err;
    console.log(`CIFAR-10 is not on this machine, so there is nothing to train on.\n\n${err.message}`);
    return null;
  }
}

const data = loadData();
if (data) {
  let { train, test } = data;
  if (quick) {
    train = tg.data.sliceDataset(train, 0, Math.min(500, train.labels.length));
    test = tg.data.sliceDataset(test, 0, Math.min(200, test.labels.length));
  }
  // Per-channel statistics of the CIFAR-10 training set.
  const normalize = tg.data.normalize([0.4914, 0.4822, 0.4465], [0.247, 0.2435, 0.2616]);
  const augment = tg.data.compose(tg.data.randomCrop(32, 4), tg.data.randomHorizontalFlip(0.5), normalize);
  const trainLoader = new tg.data.DataLoader(train, { batchSize: 128, shuffle: true, seed: 0, transform: augment });
  const testLoader = new tg.data.DataLoader(test, { batchSize: 500, transform: normalize });

  const model = resnet14();
  const parameterCount = model.parameters().reduce((s, p) => s + p.size, 0);
  console.log(`ResNet-14: ${parameterCount} parameters, ${model.buffers().length} BatchNorm buffers`);
  const optimizer = new tg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
  const started = performance.now();
  tg.train.fit(model, trainLoader, {
    optimizer,
    loss: new nn.CrossEntropyLoss(),
    epochs,
    scheduler: new tg.optim.CosineAnnealingLR(optimizer, { tMax: epochs }),
    progress: true,
  });
  const { accuracy, loss } = tg.train.evaluate(model, testLoader);
  console.log(`test accuracy ${(accuracy * 100).toFixed(2)}% (loss ${loss.toFixed(4)}) on ${test.labels.length} images ` +
    `(chance: 10%); ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

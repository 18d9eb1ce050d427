/**
 * Forecasting a time series with an LSTM: from the last 40 values of a noisy signal (two
 * sine waves of periods 50 and 17 plus Gaussian noise), predict the next one. The model is
 * an LSTM with 32 hidden units whose last hidden state feeds a linear head, trained by
 * tg.train.fit on a TensorDataset of (window, next value) pairs with MSELoss, validated on
 * the windows that follow the training ones in time, and tested on the last ones. It
 * reports the test error next to two baselines (repeating the last value, and the noise
 * itself, which no forecast can beat) and writes the loss curves as an SVG.
 *
 *   npx tsx examples/sequence-lstm.ts                     # 12 epochs
 *   npx tsx examples/sequence-lstm.ts --quick             # (or TSGRAD_QUICK=1) 2 epochs on fewer windows
 *   npx tsx examples/sequence-lstm.ts --out curves.svg
 */
import { writeFileSync } from 'node:fs';
import * as tg from '../src/index.ts';
import { lineChart } from './lib/svg-plot.ts';

const { nn } = tg;
const args = process.argv.slice(2);
const quick = args.includes('--quick') || process.env.TSGRAD_QUICK === '1';
const outArg = args.indexOf('--out');
const outPath = outArg >= 0 ? args[outArg + 1] : 'sequence-lstm-loss.svg';
tg.manualSeed(0);

const window = 40, noise = 0.1;
const length = quick ? 700 : 3200;
const noiseDraws = tg.randn([length]).data;
const series = Float32Array.from({ length }, (_, t) => Math.sin((2 * Math.PI * t) / 50) + 0.5 * Math.sin((2 * Math.PI * t) / 17) + noise * noiseDraws[t]);

/** Every window of `window` values starting in [from, to), as inputs [N, window, 1] and next values [N, 1]. */
function windows(from: number, to: number): tg.data.TensorDataset {
  const n = to - from;
  const x = new Float32Array(n * window), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x.set(series.subarray(from + i, from + i + window), i * window);
    y[i] = series[from + i + window];
  }
  return new tg.data.TensorDataset(new tg.Tensor(x, [n, window, 1]), new tg.Tensor(y, [n, 1]));
}

// In time order: train on the start of the series, validate on what follows, test on the end.
const usable = length - window;
const [a, b] = [Math.floor(usable * 0.7), Math.floor(usable * 0.85)];
const train = windows(0, a), val = windows(a, b), test = windows(b, usable);

class Forecaster extends nn.Module {
  lstm = new nn.LSTM(1, 32, { batchFirst: true });
  head = new nn.Dense(32, 1);

  forward(x: tg.Tensor): tg.Tensor {
    const [out] = this.lstm.forward(x);
    return this.head.forward(out.select(1, out.shape[1] - 1));
  }
}

const model = new Forecaster();
const epochs = quick ? 2 : 12;
const optimizer = new tg.optim.Adam(model.parameters(), { lr: 5e-3 });
const started = performance.now();
const history = tg.train.fit(model, new tg.data.DataLoader(train, { batchSize: 32, shuffle: true, seed: 0 }), {
  optimizer,
  loss: new nn.MSELoss(),
  epochs,
  validation: val,
  metrics: ['mae'],
  scheduler: new tg.optim.CosineAnnealingLR(optimizer, { tMax: epochs }),
  progress: true,
});

const result = tg.train.evaluate(model, new tg.data.DataLoader(test, { batchSize: 500 }), { loss: new nn.MSELoss(), metrics: ['mae'] });
// Persistence: tomorrow equals today.
const lastValues = test.x.select(1, window - 1);
const persistence = lastValues.sub(test.y).pow(2).mean().item();
console.log(`test MSE ${result.loss.toFixed(4)} (MAE ${result.metrics.mae.toFixed(4)}) on ${result.samples} windows; ` +
  `repeating the last value: ${persistence.toFixed(4)}; the noise alone: ${(noise * noise).toFixed(4)}; ` +
  `${((performance.now() - started) / 1000).toFixed(0)} s`);

const epochsAxis = history.epochs.map((e) => e.epoch);
writeFileSync(outPath, lineChart({
  title: 'sequence-lstm: next-value forecasts',
  xLabel: 'epoch',
  yLabel: 'mean squared error',
  logY: true,
  series: [
    { name: 'training loss', xs: epochsAxis.map((e) => e - 0.5), ys: history.loss },
    { name: 'validation loss', xs: epochsAxis, ys: history.valLoss },
  ],
}));
console.log(`wrote ${outPath}: training and validation loss per epoch`);

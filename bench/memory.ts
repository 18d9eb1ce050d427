// Memory check: trains the benchmark CNN for one pass over the bench batches and samples the
// process RSS after every batch. A flat curve after warm-up means no per-step growth (no
// leaked graphs, buffers or gradients). Prints one JSON line.
// Usage: npx tsx bench/memory.ts [batches]
import * as tg from '../src/index.ts';
import { TRAIN, mnistBatches, emit } from './peers/common.mjs';

const total = Number(process.argv[2] ?? 300);
tg.manualSeed(0);
const { nn } = tg;
const net = new nn.Sequential(
  new nn.Conv2D(1, 8, 5), new nn.ReLU(), new nn.MaxPool2D(2),
  new nn.Conv2D(8, 16, 5), new nn.ReLU(), new nn.MaxPool2D(2),
  new nn.Flatten(), new nn.Dense(256, 10),
);
const opt = new tg.optim.Adam(net.parameters(), { lr: TRAIN.lr });
const lossFn = new nn.CrossEntropyLoss();
const batches = mnistBatches().map(({ images, labels }) => ({ x: tg.tensor(images, { shape: [TRAIN.batchSize, 1, 28, 28] }), y: labels }));
const rssMB: number[] = [];
for (let i = 0; i < total; i++) {
  const { x, y } = batches[i % batches.length];
  const loss = lossFn.forward(net.forward(x), y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  void loss.item();
  rssMB.push(process.memoryUsage().rss / 2 ** 20);
}
// Growth is judged after the first 20% of batches (allocator and JIT warm-up), as the slope
// of a least-squares line, in MB per 100 batches.
const start = Math.floor(total * 0.2);
const ys = rssMB.slice(start);
const xs = ys.map((_, i) => i);
const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
const my = ys.reduce((a, b) => a + b, 0) / ys.length;
const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
const pick = (i: number) => Math.round(rssMB[Math.min(i, total - 1)]);
emit({
  framework: 'tsgrad', workload: 'cnn-memory', batches: total,
  rssMB: { afterWarmup: pick(start), middle: pick(Math.floor(total / 2)), end: pick(total - 1), max: Math.round(Math.max(...rssMB)) },
  growthMBPer100Batches: Math.round(slope * 100 * 100) / 100,
});

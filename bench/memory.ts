// Memory check: trains a benchmark CNN for one pass over the bench batches and samples the
// process RSS after every batch. A flat curve after warm-up means no per-step growth (no
// leaked graphs, buffers or gradients). Prints one JSON line.
// Usage: npx tsx bench/memory.ts [batches] [cnn|mnist-cnn]
import { emit } from './peers/common.mjs';
import { trainingStep, type BenchModel } from './training-step.ts';

const total = Number(process.argv[2] ?? 300);
const model = (process.argv[3] ?? 'cnn') as BenchModel;
const step = trainingStep(model);
const rssMB: number[] = [];
for (let i = 0; i < total; i++) {
  step(i);
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
  framework: 'tsgrad', workload: `${model}-memory`, batches: total,
  rssMB: { afterWarmup: pick(start), middle: pick(Math.floor(total / 2)), end: pick(total - 1), max: Math.round(Math.max(...rssMB)) },
  growthMBPer100Batches: Math.round(slope * 100 * 100) / 100,
});

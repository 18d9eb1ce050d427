/** Scoring a model on MNIST, and its guess for one drawn digit. */
import * as tg from 'tsgrad';
import { onBackend, type BackendName } from '../backends.ts';
import { nextTask } from '../ui/yield.ts';
import { makeBatch, PIXELS } from './batches.ts';
import type { MnistSplit } from './mnist.ts';

export interface Score {
  loss: number;
  accuracy: number;
  count: number;
}

const EVAL_BATCH = 500;

/**
 * Mean loss and accuracy over the first `count` samples of a split, in batches with the
 * page handed back between them.
 */
export async function evaluate(
  model: tg.nn.Module, backend: BackendName, split: MnistSplit, count: number,
  onProgress?: (done: number) => void,
): Promise<Score> {
  const lossFn = new tg.nn.CrossEntropyLoss();
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < count; start += EVAL_BATCH) {
    const n = Math.min(EVAL_BATCH, count - start);
    const batch = makeBatch(split, null, start, n);
    const [l, c] = onBackend(backend, () => tg.noGrad(() => tg.tidy(() => {
      model.eval();
      const logits = model.forward(tg.tensor(batch.x, { shape: [n, 1, 28, 28] }));
      return [lossFn.forward(logits, batch.y).item() * n, countCorrect(logits, batch.y)];
    })));
    lossSum += l!;
    correct += c!;
    onProgress?.(start + n);
    await nextTask();
  }
  model.train();
  return { loss: lossSum / count, accuracy: correct / count, count };
}

/** How many rows of `logits` have their largest value at the label. */
export function countCorrect(logits: tg.Tensor, labels: Int32Array): number {
  const guesses = logits.argmax(1).data;
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (guesses[i] === labels[i]) n++;
  return n;
}

/** The model's probabilities for one 28×28 image (pixels in [0, 1]). */
export function predict(model: tg.nn.Module, backend: BackendName, pixels: Float32Array): Float32Array {
  if (pixels.length !== PIXELS) throw new RangeError(`predict: expected ${PIXELS} pixels, got ${pixels.length}`);
  return onBackend(backend, () => tg.noGrad(() => tg.tidy(() => {
    model.eval();
    const probs = model.forward(tg.tensor(pixels, { shape: [1, 1, 28, 28] })).softmax(1);
    const out = Float32Array.from(probs.data);
    model.train();
    return out;
  })));
}

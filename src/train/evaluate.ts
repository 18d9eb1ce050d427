/** evaluate(): loss, accuracy and other metrics of a model over a data source, without recording a graph. */
import { Tensor } from '../tensor/tensor.ts';
import { noGrad } from '../tensor/autograd.ts';
import { tidy } from '../tensor/lifetimes.ts';
import { crossEntropy } from '../ops/losses.ts';
import { MetricTracker, checkMetrics, countCorrect, type Metric } from './metrics.ts';
import { describeValue } from '../data/errors.ts';
import { applyLoss, batchSize, checkBatch, type BatchSource, type LossFunction, type TrainableModel } from './types.ts';

/** Options for {@link evaluate}. */
export interface EvaluateOptions {
  /** Loss to report (a mean over each batch); default: cross-entropy of the logits against class labels. */
  loss?: LossFunction;
  /** As fit()'s option: 'accuracy', 'mae', 'mse' or { name, fn(pred, target) }. */
  metrics?: Metric[];
}

/** What {@link evaluate} measured. */
export interface Evaluation {
  /** Mean loss per sample. */
  loss: number;
  /**
   * Fraction classified correctly: without a metrics option, NaN when the output is not
   * [B, classes] against B labels; with one, NaN unless 'accuracy' is among them.
   */
  accuracy: number;
  /** Each metric asked for (empty without a metrics option). */
  metrics: Record<string, number>;
  /** Samples seen. */
  samples: number;
}

/**
 * Runs the model over every batch in evaluation mode (Dropout off) under noGrad, and
 * puts the model back in the mode it was in.
 */
export function evaluate(model: TrainableModel, loader: BatchSource, options: EvaluateOptions = {}): Evaluation {
  if (model === null || typeof model !== 'object' || typeof model.forward !== 'function' || typeof model.eval !== 'function') {
    throw new TypeError(`evaluate: model must be a tg.nn.Module, got ${describeValue(model)}`);
  }
  if (loader === null || typeof loader !== 'object' || typeof (loader as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`evaluate: loader must be a DataLoader or an iterable of { x, y } batches, got ${describeValue(loader)}`);
  }
  if (options === null || typeof options !== 'object') throw new TypeError(`evaluate: options must be an object { loss?, metrics? }, got ${describeValue(options)}`);
  const metrics = options.metrics === undefined ? undefined : checkMetrics('evaluate', options.metrics);
  const { loss } = options;
  if (loss !== undefined && (loss === null || (typeof loss !== 'function' && typeof loss.forward !== 'function'))) {
    throw new TypeError(`evaluate: options.loss must be a loss module or a function (pred, labels) => Tensor, got ${describeValue(loss)}`);
  }
  const wasTraining = model.training ?? true;
  model.eval();
  try {
    return noGrad(() => {
      let lossSum = 0;
      let correct = 0;
      let classified = true;
      let samples = 0;
      let batch = 0;
      const tracker = new MetricTracker(metrics ?? []);
      // Each batch inside tidy, as in fit(): a synchronous loop would otherwise keep every batch's tensors.
      const batches = loader[Symbol.iterator]();
      try {
        while (tidy(() => {
          const next = batches.next();
          if (next.done) return false;
          const checked = checkBatch(next.value, ++batch, 'loader', 'evaluate');
          const { x, y } = checked;
          const n = batchSize(checked);
          if (!options.loss && y instanceof Tensor && y.dtype !== 'int32') {
            throw new TypeError(`evaluate: the targets are ${y.dtype} ${JSON.stringify(y.shape)}, not class labels; pass options.loss (e.g. new tg.nn.MSELoss())`);
          }
          const pred = model.forward(x);
          lossSum += (options.loss ? applyLoss(options.loss, pred, y, 'evaluate') : crossEntropy(pred, y)).item() * n;
          tracker.add(pred, y, n);
          if (metrics === undefined) {
            const c = countCorrect(pred, y);
            if (c === null) classified = false;
            else correct += c;
          }
          samples += n;
          return true;
        }));
      } catch (err) {
        batches.return?.();
        throw err;
      }
      if (samples === 0) throw new RangeError('evaluate: the loader yielded no samples');
      const measured = tracker.values();
      const accuracy = metrics === undefined ? (classified ? correct / samples : NaN) : (measured.accuracy ?? NaN);
      return { loss: lossSum / samples, accuracy, metrics: measured, samples };
    });
  } finally {
    if (wasTraining) model.train();
  }
}

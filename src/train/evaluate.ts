/** evaluate(): loss and accuracy of a model over a data source, without recording a graph. */
import { noGrad } from '../tensor/autograd.ts';
import { crossEntropy } from '../ops/losses.ts';
import { countCorrect } from './metrics.ts';
import { describeValue } from '../data/errors.ts';
import { tidy } from '../tensor/lifetimes.ts';
import { applyLoss, checkBatch, type BatchSource, type LossFunction, type TrainableModel } from './types.ts';

/** Options for {@link evaluate}. */
export interface EvaluateOptions {
  /** Loss to report (a mean over each batch); default: cross-entropy of the logits. */
  loss?: LossFunction;
}

/** What {@link evaluate} measured. */
export interface Evaluation {
  /** Mean loss per sample. */
  loss: number;
  /** Fraction classified correctly (NaN when the output is not [B, classes]). */
  accuracy: number;
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
  if (options === null || typeof options !== 'object') throw new TypeError(`evaluate: options must be an object { loss? }, got ${describeValue(options)}`);
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
      for (const item of loader) {
        const { x, y } = checkBatch(item, ++batch, 'loader', 'evaluate');
        // Each batch's tensors are disposed with it (see fit).
        const { batchLoss, c } = tidy(() => {
          const pred = model.forward(x);
          const l = (options.loss ? applyLoss(options.loss, pred, y, 'evaluate') : crossEntropy(pred, y)).item();
          return { batchLoss: l, c: countCorrect(pred, y) };
        });
        lossSum += batchLoss * y.length;
        if (c === null) classified = false;
        else correct += c;
        samples += y.length;
      }
      if (samples === 0) throw new RangeError('evaluate: the loader yielded no samples');
      return { loss: lossSum / samples, accuracy: classified ? correct / samples : NaN, samples };
    });
  } finally {
    if (wasTraining) model.train();
  }
}

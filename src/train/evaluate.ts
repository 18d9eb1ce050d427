/** evaluate(): loss and accuracy of a model over a data source, without recording a graph. */
import { noGrad } from '../tensor/autograd.ts';
import { crossEntropy } from '../ops/losses.ts';
import { countCorrect } from './metrics.ts';
import { applyLoss, type BatchSource, type LossFunction, type TrainableModel } from './types.ts';

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
  const wasTraining = model.training ?? true;
  model.eval();
  try {
    return noGrad(() => {
      let lossSum = 0;
      let correct = 0;
      let classified = true;
      let samples = 0;
      for (const { x, y } of loader) {
        const pred = model.forward(x);
        lossSum += (options.loss ? applyLoss(options.loss, pred, y) : crossEntropy(pred, y)).item() * y.length;
        const c = countCorrect(pred, y);
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

/** Loss modules: `loss.forward(pred, target)` gives a scalar tensor to call backward() on. */
import type { Tensor } from '../tensor/tensor.ts';
import { binaryCrossEntropy, crossEntropy, mseLoss, type Labels } from '../ops/losses.ts';
import { Module } from './module.ts';

/** Mean squared error over every element; pred and target have the same shape. */
export class MSELoss extends Module {
  /** mean((pred − target)²). */
  forward(pred: Tensor, target: Tensor): Tensor {
    return mseLoss(pred, target);
  }
}

/** Cross-entropy of raw logits [N,C] against integer labels [N], averaged over the batch. */
export class CrossEntropyLoss extends Module {
  /** mean over rows of −log softmax(logits)[label]. */
  forward(logits: Tensor, labels: Labels): Tensor {
    return crossEntropy(logits, labels);
  }
}

/** Binary cross-entropy of probabilities (after a sigmoid) against targets in [0, 1]. */
export class BCELoss extends Module {
  /** mean of −[t·log p + (1 − t)·log(1 − p)], each log floored at −100 as in PyTorch. */
  forward(pred: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(pred, target);
  }
}

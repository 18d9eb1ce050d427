/** Dropout: random zeroing during training, the identity in evaluation. */
import type { Tensor } from '../../tensor/tensor.ts';
import { checkDropoutP, dropout } from '../../ops/dropout.ts';
import { Module } from '../module.ts';

/**
 * Inverted dropout: in training mode each element is zeroed with probability p and the rest
 * are scaled by 1/(1 − p); after `eval()` the input passes through unchanged.
 */
export class Dropout extends Module {
  /** A dropout layer with drop probability p (default 0.5). */
  constructor(
    /** Probability that an element is zeroed in training mode. */
    readonly p = 0.5,
  ) {
    super();
    checkDropoutP('Dropout', p);
  }

  /** Drops elements when training. */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  override describe(): string {
    return `Dropout(p=${this.p})`;
  }
}

/** Flatten: collapses image dimensions into features. */
import type { Tensor } from '../../tensor/tensor.ts';
import { normalizeAxis, sizeOf } from '../../tensor/shape.ts';
import { reshape } from '../../ops/view.ts';
import { Module } from '../module.ts';

/**
 * Collapses dimensions startDim … endDim into one; the defaults (1, −1) keep the batch
 * dimension, as PyTorch's nn.Flatten does: [N,C,H,W] → [N, C·H·W].
 */
export class Flatten extends Module {
  /** Flattens dimensions startDim through endDim (inclusive). */
  constructor(
    /** First dimension to collapse (negative counts from the end). */
    readonly startDim = 1,
    /** Last dimension to collapse, inclusive (negative counts from the end). */
    readonly endDim = -1,
  ) {
    super();
  }

  /** Reshapes x; no data is copied. */
  forward(x: Tensor): Tensor {
    const s = normalizeAxis('Flatten', this.startDim, x.ndim);
    const e = normalizeAxis('Flatten', this.endDim, x.ndim);
    if (e < s) throw new RangeError(`Flatten: endDim ${this.endDim} comes before startDim ${this.startDim} for a ${x.ndim}-D input`);
    return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
  }

  override describe(): string {
    return `Flatten(${this.startDim}, ${this.endDim})`;
  }
}

/** MaxPool2D: max pooling over NCHW images. */
import type { Tensor } from '../../tensor/tensor.ts';
import { checkInteger } from '../../tensor/validate.ts';
import { maxPool2d } from '../../ops/pool.ts';
import { Module } from '../module.ts';

/** The maximum of each kernel×kernel window, windows `stride` apart (default: kernel). */
export class MaxPool2D extends Module {
  /** Step between windows. */
  readonly stride: number;

  /** A pooling layer with square windows. */
  constructor(
    /** Side of each square window. */
    readonly kernel: number,
    stride?: number,
  ) {
    super();
    checkInteger('MaxPool2D', 'kernel', kernel, 1);
    this.stride = checkInteger('MaxPool2D', 'stride', stride ?? kernel, 1);
  }

  /** [N,C,H,W] → [N,C,oH,oW]. */
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernel, this.stride);
  }

  override describe(): string {
    return `MaxPool2D(${this.kernel}, stride=${this.stride})`;
  }
}

/** Pooling layers over NCHW images: MaxPool2D, AvgPool2D, AdaptiveAvgPool2D. */
import type { Tensor } from '../../tensor/tensor.ts';
import { checkInteger, show } from '../../tensor/validate.ts';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from '../../ops/pool.ts';
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

/** The mean of each kernel×kernel window, windows `stride` apart (default: kernel), zero padding counted. */
export class AvgPool2D extends Module {
  readonly stride: number;

  constructor(
    /** Side of each square window. */
    readonly kernel: number,
    stride?: number,
    /** Zeros added on every side (at most half the kernel). */
    readonly padding = 0,
  ) {
    super();
    checkInteger('AvgPool2D', 'kernel', kernel, 1);
    this.stride = checkInteger('AvgPool2D', 'stride', stride ?? kernel, 1);
    checkInteger('AvgPool2D', 'padding', padding, 0);
    if (padding * 2 > kernel) throw new RangeError(`AvgPool2D: padding ${padding} must be at most half the kernel ${kernel}`);
  }

  /** [N,C,H,W] → [N,C,oH,oW]. */
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernel, this.stride, this.padding);
  }

  override describe(): string {
    return `AvgPool2D(${this.kernel}, stride=${this.stride}${this.padding ? `, padding=${this.padding}` : ''})`;
  }
}

/**
 * Average pooling to a fixed output size, whatever the input size: [N,C,H,W] → [N,C,oH,oW].
 * AdaptiveAvgPool2D(1) is global average pooling, the usual head of a ResNet.
 */
export class AdaptiveAvgPool2D extends Module {
  readonly outputSize: readonly [number, number];

  constructor(outputSize: number | readonly [number, number]) {
    super();
    const pair = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
    if (!Array.isArray(pair) || pair.length !== 2) throw new RangeError(`AdaptiveAvgPool2D: outputSize must be a positive integer or [oH, oW], got ${show(outputSize)}`);
    checkInteger('AdaptiveAvgPool2D', 'outputSize', pair[0], 1);
    checkInteger('AdaptiveAvgPool2D', 'outputSize', pair[1], 1);
    this.outputSize = [pair[0], pair[1]];
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override describe(): string {
    const [h, w] = this.outputSize;
    return `AdaptiveAvgPool2D(${h === w ? h : `[${h},${w}]`})`;
  }
}

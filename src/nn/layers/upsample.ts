/** Upsample: resizing images by a factor or to a size. */
import type { Tensor } from '../../tensor/tensor.ts';
import { show } from '../../tensor/validate.ts';
import { interpolate, type InterpolateMode } from '../../ops/upsample.ts';
import { Module } from '../module.ts';

export interface UpsampleOptions {
  /** Output = ⌊input·scaleFactor⌋ along each spatial dimension (a number, or one per dimension). */
  scaleFactor?: number | readonly number[];
  /** Or a fixed output size (a number, or one per dimension). */
  size?: number | readonly number[];
  /** 'nearest' (default) copies the nearest pixel; 'bilinear' blends the four nearest. */
  mode?: InterpolateMode;
  /** 'bilinear' only; default false, as PyTorch. */
  alignCorners?: boolean;
}

/**
 * [N, C, H, W] → [N, C, H·s, W·s] (or the given size): nearest-neighbour or bilinear
 * resizing, as PyTorch's nn.Upsample. No parameters.
 */
export class Upsample extends Module {
  readonly options: Readonly<UpsampleOptions>;

  constructor(options: UpsampleOptions) {
    super();
    if (options === null || typeof options !== 'object') throw new TypeError(`Upsample: options { scaleFactor } or { size } are required, got ${show(options)}`);
    const mode = options.mode ?? 'nearest';
    if (mode !== 'nearest' && mode !== 'bilinear') throw new RangeError(`Upsample: mode must be 'nearest' or 'bilinear', got ${show(mode)}`);
    if ((options.size === undefined) === (options.scaleFactor === undefined)) throw new TypeError('Upsample: give exactly one of size and scaleFactor');
    this.options = { ...options, mode };
  }

  forward(x: Tensor): Tensor {
    return interpolate(x, this.options);
  }

  override describe(): string {
    const { scaleFactor, size, mode } = this.options;
    return `Upsample(${scaleFactor !== undefined ? `scaleFactor=${show(scaleFactor)}` : `size=${show(size)}`}, mode=${mode})`;
  }
}

/** Upsample: resizing images by a factor or to a size. */
import type { Tensor } from '../../tensor/tensor.ts';
import { checkBoolean, checkOptions, show } from '../../tensor/validate.ts';
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
    checkOptions('Upsample', options, ['scaleFactor', 'size', 'mode', 'alignCorners']);
    const mode = options.mode ?? 'nearest';
    if (mode !== 'nearest' && mode !== 'bilinear') throw new RangeError(`Upsample: mode must be 'nearest' or 'bilinear', got ${show(mode)}`);
    if ((options.size === undefined) === (options.scaleFactor === undefined)) throw new TypeError('Upsample: give exactly one of size and scaleFactor');
    // Checked here too (interpolate checks them per call) so that a bad factor fails where the model is built.
    const each = (v: unknown) => (Array.isArray(v) ? v : [v]);
    if (options.scaleFactor !== undefined && !(each(options.scaleFactor).length > 0 && each(options.scaleFactor).every((f) => typeof f === 'number' && Number.isFinite(f) && f > 0))) {
      throw new RangeError(`Upsample: scaleFactor must be a finite number > 0 or an array of them, got ${show(options.scaleFactor)}`);
    }
    if (options.size !== undefined && !(each(options.size).length > 0 && each(options.size).every((n) => Number.isInteger(n) && (n as number) >= 1))) {
      throw new RangeError(`Upsample: size must be an integer ≥ 1 or an array of them, got ${show(options.size)}`);
    }
    if (options.alignCorners !== undefined) checkBoolean('Upsample', 'alignCorners', options.alignCorners);
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

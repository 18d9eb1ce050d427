/** ConvTranspose2D: the transposed ("fractionally strided") 2-D convolution, for upsampling decoders. */
import type { Tensor } from '../../tensor/tensor.ts';
import { zeros } from '../../tensor/creation.ts';
import { checkBoolean, checkInteger, checkOptions } from '../../tensor/validate.ts';
import { convTranspose2d } from '../../ops/conv-transpose.ts';
import { Module } from '../module.ts';
import { Parameter } from '../parameter.ts';
import { biasUniform, kaimingUniform } from '../init.ts';

export interface ConvTranspose2DOptions {
  /** Spacing of the input pixels in the output (the upsampling factor). Default 1. */
  stride?: number;
  /** Removed from every side of the output. Default 0. */
  padding?: number;
  /** Added to the bottom and right of the output (smaller than stride). Default 0. */
  outputPadding?: number;
  /** Learn a per-output-channel bias. Default true. */
  bias?: boolean;
}

/**
 * x [N, inChannels, H, W] → [N, outChannels, (H − 1)·stride − 2·padding + k + outputPadding, …].
 * weight [inChannels, outChannels, k, k] (PyTorch's layout for transposed convolutions) and
 * bias [outChannels], initialised as PyTorch does: U(±1/√fanIn) with fanIn = outChannels·k²
 * (PyTorch reads the fan-in from the weight's second dimension).
 */
export class ConvTranspose2D extends Module {
  /** Shape [inChannels, outChannels, k, k], PyTorch's layout for transposed convolutions. */
  readonly weight: Parameter;
  /** [outChannels], or null without bias. */
  readonly bias: Parameter | null;
  readonly stride: number;
  readonly padding: number;
  readonly outputPadding: number;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, options: ConvTranspose2DOptions = {}) {
    super();
    checkOptions('ConvTranspose2D', options, ['stride', 'padding', 'outputPadding', 'bias']);
    checkBoolean('ConvTranspose2D', 'bias', options.bias ?? true);
    checkInteger('ConvTranspose2D', 'inChannels', inChannels, 1);
    checkInteger('ConvTranspose2D', 'outChannels', outChannels, 1);
    checkInteger('ConvTranspose2D', 'kernelSize', kernelSize, 1);
    this.stride = checkInteger('ConvTranspose2D', 'stride', options.stride ?? 1, 1);
    this.padding = checkInteger('ConvTranspose2D', 'padding', options.padding ?? 0, 0);
    this.outputPadding = checkInteger('ConvTranspose2D', 'outputPadding', options.outputPadding ?? 0, 0);
    if (this.outputPadding >= this.stride) throw new RangeError(`ConvTranspose2D: outputPadding ${this.outputPadding} must be smaller than stride ${this.stride}`);
    const fanIn = outChannels * kernelSize * kernelSize;
    this.weight = new Parameter(kaimingUniform(zeros([inChannels, outChannels, kernelSize, kernelSize]), fanIn));
    this.bias = options.bias ?? true ? new Parameter(biasUniform(zeros([outChannels]), fanIn)) : null;
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, outputPadding: this.outputPadding });
  }

  override describe(): string {
    return `ConvTranspose2D(${this.inChannels}, ${this.outChannels}, ${this.kernelSize}, stride=${this.stride}, padding=${this.padding}` +
      `${this.outputPadding ? `, outputPadding=${this.outputPadding}` : ''}${this.bias ? '' : ', bias=false'})`;
  }
}

/** Conv1D: a 1-D convolution layer over [N, C, L] sequences. */
import type { Tensor } from '../../tensor/tensor.ts';
import { zeros } from '../../tensor/creation.ts';
import { checkBoolean, checkInteger, checkOptions } from '../../tensor/validate.ts';
import { conv1d } from '../../ops/conv1d.ts';
import { Module } from '../module.ts';
import { Parameter } from '../parameter.ts';
import { biasUniform, kaimingUniform } from '../init.ts';

export interface Conv1DOptions {
  /** Step between receptive fields. Default 1. */
  stride?: number;
  /** Zeros added at both ends. Default 0. */
  padding?: number;
  /** Learn a per-output-channel bias. Default true. */
  bias?: boolean;
}

/**
 * x [N, inChannels, L] → [N, outChannels, ⌊(L + 2·padding − k)/stride⌋ + 1]; weight
 * [out, in, k] and bias [out] initialised as in PyTorch (fan-in = in·k).
 */
export class Conv1D extends Module {
  /** [outChannels, inChannels, kernelSize]. */
  readonly weight: Parameter;
  /** [outChannels], or null without bias. */
  readonly bias: Parameter | null;
  readonly stride: number;
  readonly padding: number;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, options: Conv1DOptions = {}) {
    super();
    checkOptions('Conv1D', options, ['stride', 'padding', 'bias']);
    checkBoolean('Conv1D', 'bias', options.bias ?? true);
    checkInteger('Conv1D', 'inChannels', inChannels, 1);
    checkInteger('Conv1D', 'outChannels', outChannels, 1);
    checkInteger('Conv1D', 'kernelSize', kernelSize, 1);
    this.stride = checkInteger('Conv1D', 'stride', options.stride ?? 1, 1);
    this.padding = checkInteger('Conv1D', 'padding', options.padding ?? 0, 0);
    const fanIn = inChannels * kernelSize;
    this.weight = new Parameter(kaimingUniform(zeros([outChannels, inChannels, kernelSize]), fanIn));
    this.bias = options.bias ?? true ? new Parameter(biasUniform(zeros([outChannels]), fanIn)) : null;
  }

  forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }

  override describe(): string {
    return `Conv1D(${this.inChannels}, ${this.outChannels}, ${this.kernelSize}, stride=${this.stride}, padding=${this.padding}${this.bias ? '' : ', bias=false'})`;
  }
}

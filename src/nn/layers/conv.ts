/** Conv2D: a 2-D convolution layer over NCHW images. */
import type { Tensor } from '../../tensor/tensor.ts';
import { zeros } from '../../tensor/creation.ts';
import { conv2d, conv2dRelu } from '../../ops/conv.ts';
import { checkBoolean, checkInteger, checkOptions } from '../../tensor/validate.ts';
import { Module } from '../module.ts';
import { Parameter } from '../parameter.ts';
import { biasUniform, kaimingUniform } from '../init.ts';
import { ReLU } from './activation.ts';

/** Options for Conv2D. */
export interface Conv2DOptions {
  /** Step between receptive fields. Default 1. */
  stride?: number;
  /** Zeros added on every side. Default 0. */
  padding?: number;
  /** Learn a per-output-channel bias. Default true. */
  bias?: boolean;
}

/**
 * x [N, inChannels, H, W] → [N, outChannels, oH, oW]; weight [out, in, kH, kW] and bias [out]
 * initialised as in PyTorch (fan-in = in·kH·kW).
 */
export class Conv2D extends Module {
  /** [outChannels, inChannels, kH, kW]. */
  readonly weight: Parameter;
  /** [outChannels], or null when built with `bias: false`. */
  readonly bias: Parameter | null;
  /** Step between receptive fields. */
  readonly stride: number;
  /** Zeros added on every side of the input. */
  readonly padding: number;
  /** [kH, kW]. */
  readonly kernelSize: readonly [number, number];

  /** kernelSize is a number (square) or [kH, kW]. */
  constructor(
    /** Channels of the input (dimension 1 of x). */
    readonly inChannels: number,
    /** Channels of the output: the number of filters. */
    readonly outChannels: number,
    kernelSize: number | readonly [number, number],
    options: Conv2DOptions = {},
  ) {
    super();
    checkOptions('Conv2D', options, ['stride', 'padding', 'bias']);
    checkBoolean('Conv2D', 'bias', options.bias ?? true);
    checkInteger('Conv2D', 'inChannels', inChannels, 1);
    checkInteger('Conv2D', 'outChannels', outChannels, 1);
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    checkInteger('Conv2D', 'kernelSize', kh, 1);
    checkInteger('Conv2D', 'kernelSize', kw, 1);
    this.kernelSize = [kh, kw];
    this.stride = checkInteger('Conv2D', 'stride', options.stride ?? 1, 1);
    this.padding = checkInteger('Conv2D', 'padding', options.padding ?? 0, 0);
    const fanIn = inChannels * kh * kw;
    this.weight = new Parameter(kaimingUniform(zeros([outChannels, inChannels, kh, kw]), fanIn));
    this.bias = options.bias ?? true ? new Parameter(biasUniform(zeros([outChannels]), fanIn)) : null;
  }

  /** Convolves a batch of images. */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }

  /**
   * With a ReLU next: conv2dRelu, one kernel for both (the ReLU costs no pass over the conv's
   * output). Not when either class overrides `forward`: then that forward is what must run.
   * @internal
   */
  override fusedWith(next: Module): ((x: Tensor) => Tensor) | null {
    if (!(next instanceof ReLU) || Object.getPrototypeOf(next).forward !== ReLU.prototype.forward) return null;
    if (Object.getPrototypeOf(this).forward !== Conv2D.prototype.forward) return null;
    return (x) => conv2dRelu(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }

  override describe(): string {
    const [kh, kw] = this.kernelSize;
    return `Conv2D(${this.inChannels}, ${this.outChannels}, ${kh === kw ? kh : `[${kh},${kw}]`}, stride=${this.stride}, padding=${this.padding}${this.bias ? '' : ', bias=false'})`;
  }
}

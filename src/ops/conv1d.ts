/** 1-D convolution (NCL): a 2-D convolution of images one pixel high. */
import type { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { zeros } from '../tensor/creation.ts';
import { checkFloat, checkInteger, checkOptions, checkTensor } from '../tensor/validate.ts';
import { traced } from './trace.ts';
import { conv2d } from './conv.ts';
import { cat } from './join.ts';
import { reshape } from './view.ts';

export interface Conv1dOptions {
  /** Step between receptive fields. Default 1. */
  stride?: number;
  /** Zeros added at both ends of the sequence. Default 0. */
  padding?: number;
}

/**
 * y[n,o,i] = Σ_c,q x[n, c, i·s − pad + q] · w[o, c, q] + bias[o], for x [N, C, L] and weight
 * [O, C, k]. Computed as conv2d on [N, C, 1, L] with a [O, C, 1, k] weight; the padding is
 * added along L only (conv2d's would pad the height too), so the gradients are conv2d's.
 */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv1dOptions = {}): Tensor {
  checkFloat('conv1d', 'x', checkTensor('conv1d', 'x', x));
  checkFloat('conv1d', 'weight', checkTensor('conv1d', 'weight', weight));
  if (bias !== null && bias !== undefined) checkFloat('conv1d', 'bias', checkTensor('conv1d', 'bias', bias));
  checkOptions('conv1d', options, ['stride', 'padding']);
  const stride = checkInteger('conv1d', 'stride', options.stride ?? 1, 1);
  const padding = checkInteger('conv1d', 'padding', options.padding ?? 0, 0);
  if (x.ndim !== 3) throw new ShapeError(`conv1d: input must be 3-D [N,C,L], got ${fmtShape(x.shape)}`);
  if (weight.ndim !== 3) throw new ShapeError(`conv1d: weight must be 3-D [O,C,k], got ${fmtShape(weight.shape)}`);
  const [n, c, l] = x.shape;
  const [o, wc, k] = weight.shape;
  if (wc !== c) throw new ShapeError(`conv1d: input has ${c} channels but weight ${fmtShape(weight.shape)} expects ${wc}: input ${fmtShape(x.shape)}`);
  if (k === 0 || l + 2 * padding < k) throw new ShapeError(`conv1d: kernel ${k} does not fit input ${fmtShape(x.shape)} with padding ${padding}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== o)) {
    throw new ShapeError(`conv1d: bias must be [${o}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`);
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return traced('conv1d', inputs, { stride, padding }, () => {
    const edge = zeros([n, c, padding]);
    const padded = padding > 0 ? cat([edge, x, edge], 2) : x;
    const y = conv2d(reshape(padded, [n, c, 1, l + 2 * padding]), reshape(weight, [o, c, 1, k]), bias, { stride });
    return reshape(y, [n, o, y.shape[3]]);
  });
}

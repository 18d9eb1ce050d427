/**
 * Transposed 2-D convolution (NCHW): the gradient of a convolution with respect to its input,
 * run forward. It needs no kernel of its own: its forward is the conv2dGradInput kernel, its
 * input gradient the conv2d kernel, and its weight gradient conv2dGradWeight with the roles of
 * input and output swapped — all for the convolution that maps the output back to the input.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { checkFloat, checkInteger, checkOptions, checkTensor } from '../tensor/validate.ts';
import type { Conv2dGeometry } from '../backend/nn-kernels.ts';
import { backend } from '../backend/registry.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';
import { add } from './arithmetic.ts';
import { reshape } from './view.ts';

export interface ConvTranspose2dOptions {
  /** Spacing of the input pixels in the output. Default 1. */
  stride?: number;
  /** Removed from every side of the full output (the padding of the matching convolution). Default 0. */
  padding?: number;
  /** Added to one side (bottom, right) of the output, to pick among the sizes a strided convolution maps to the same input. Default 0. */
  outputPadding?: number;
}

/**
 * x [N, inC, H, W] with weight [inC, outC, kH, kW] (PyTorch's layout) gives an output of
 * shape [N, outC, (H − 1)·s − 2p + kH + op, (W − 1)·s − 2p + kW + op]. Each input pixel adds
 * its weight-scaled kernel into the output, kernels `stride` apart.
 * With g the convolution y ↦ x (weight read as [O = inC, C = outC, kH, kW]):
 *   out = conv2dGradInput(x, w, g);  dx = conv2d(dy, w, g);  dw = conv2dGradWeight(x, dy, g);  db = Σ dy.
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTranspose2dOptions = {}): Tensor {
  checkFloat('convTranspose2d', 'x', checkTensor('convTranspose2d', 'x', x));
  checkFloat('convTranspose2d', 'weight', checkTensor('convTranspose2d', 'weight', weight));
  if (bias !== null && bias !== undefined) checkFloat('convTranspose2d', 'bias', checkTensor('convTranspose2d', 'bias', bias));
  checkOptions('convTranspose2d', options, ['stride', 'padding', 'outputPadding']);
  const stride = checkInteger('convTranspose2d', 'stride', options.stride ?? 1, 1);
  const padding = checkInteger('convTranspose2d', 'padding', options.padding ?? 0, 0);
  const outputPadding = checkInteger('convTranspose2d', 'outputPadding', options.outputPadding ?? 0, 0);
  if (outputPadding >= stride) throw new RangeError(`convTranspose2d: outputPadding ${outputPadding} must be smaller than stride ${stride}`);
  if (x.ndim !== 4) throw new ShapeError(`convTranspose2d: input must be 4-D [N,C,H,W], got ${fmtShape(x.shape)}`);
  if (weight.ndim !== 4) throw new ShapeError(`convTranspose2d: weight must be 4-D [inC,outC,kH,kW], got ${fmtShape(weight.shape)}`);
  const [n, inC, h, w] = x.shape;
  const [wIn, outC, kh, kw] = weight.shape;
  if (wIn !== inC) throw new ShapeError(`convTranspose2d: input has ${inC} channels but weight ${fmtShape(weight.shape)} expects ${wIn}: input ${fmtShape(x.shape)}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outC)) {
    throw new ShapeError(`convTranspose2d: bias must be [${outC}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`);
  }
  const oh = (h - 1) * stride - 2 * padding + kh + outputPadding;
  const ow = (w - 1) * stride - 2 * padding + kw + outputPadding;
  if (kh === 0 || kw === 0 || oh < 1 || ow < 1 || h === 0 || w === 0) {
    throw new ShapeError(`convTranspose2d: input ${fmtShape(x.shape)} with kernel ${kh}x${kw}, stride ${stride} and padding ${padding} gives an empty output ${oh}x${ow}`);
  }
  const g: Conv2dGeometry = { n, c: outC, h: oh, w: ow, o: inC, kh, kw, stride, padding, oh: h, ow: w };
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return traced('convTranspose2d', inputs, { stride, padding, outputPadding }, () => {
    const y = new Tensor(backend().conv2dGradInput(x.storage, weight.storage, g), [n, outC, oh, ow]);
    const out = record('convTranspose2d', y, [x, weight], (dy, needs) => [
      needs[0] ? new Tensor(backend().conv2d(dy.storage, weight.storage, null, g), x.shape) : null,
      needs[1] ? new Tensor(backend().conv2dGradWeight(x.storage, dy.storage, g), weight.shape) : null,
    ]);
    return bias ? add(out, reshape(bias, [outC, 1, 1])) : out;
  });
}

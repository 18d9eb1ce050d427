/** 2-D convolution (NCHW), differentiable in the input, the weight and the bias. */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import type { Conv2dGeometry, ConvWorkspace } from '../backend/nn-kernels.ts';
import { isGradEnabled } from '../tensor/autograd.ts';
import { backend } from '../backend/registry.ts';
import { result } from './record.ts';

/** Stride and zero padding of a convolution, the same along height and width. */
export interface Conv2dOptions {
  /** Step between receptive fields. Default 1. */
  stride?: number;
  /** Zeros added on every side of the input. Default 0. */
  padding?: number;
}

/** Checks an integer hyperparameter, throwing a RangeError that names the op, option and value. */
export function checkInt(op: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${op}: ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** Resolves and validates the geometry of x [N,C,H,W] convolved with weight [O,C,kH,kW]. */
export function conv2dGeometry(x: Tensor, weight: Tensor, options: Conv2dOptions = {}): Conv2dGeometry {
  const stride = checkInt('conv2d', 'stride', options.stride ?? 1, 1);
  const padding = checkInt('conv2d', 'padding', options.padding ?? 0, 0);
  if (x.ndim !== 4) throw new ShapeError(`conv2d: input must be 4-D [N,C,H,W], got ${fmtShape(x.shape)}`);
  if (weight.ndim !== 4) throw new ShapeError(`conv2d: weight must be 4-D [O,C,kH,kW], got ${fmtShape(weight.shape)}`);
  const [n, c, h, w] = x.shape;
  const [o, wc, kh, kw] = weight.shape;
  if (wc !== c) {
    throw new ShapeError(`conv2d: input has ${c} channels but weight ${fmtShape(weight.shape)} expects ${wc}: input ${fmtShape(x.shape)}`);
  }
  const oh = Math.floor((h + 2 * padding - kh) / stride) + 1;
  const ow = Math.floor((w + 2 * padding - kw) / stride) + 1;
  if (kh === 0 || kw === 0 || oh < 1 || ow < 1) {
    throw new ShapeError(`conv2d: kernel ${kh}x${kw} does not fit input ${fmtShape(x.shape)} with padding ${padding}`);
  }
  return { n, c, h, w, o, kh, kw, stride, padding, oh, ow };
}

/**
 * y[N,O,oH,oW] = Σ_c,i,j x[n, c, oy·s − p + i, ox·s − p + j] · w[o, c, i, j] + bias[o]
 * (cross-correlation, as in every deep learning framework).
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  const g = conv2dGeometry(x, weight, options);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== g.o)) {
    throw new ShapeError(`conv2d: bias must be [${g.o}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`);
  }
  // Only a recorded call whose weight needs a gradient has a backward that can reuse the forward's work.
  const workspace: ConvWorkspace | undefined = isGradEnabled() && weight.requiresGrad ? {} : undefined;
  const out = backend().conv2d(x.storage, weight.storage, bias ? bias.storage : null, g, workspace);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return result('conv2d', out, [g.n, g.o, g.oh, g.ow], inputs, (dy) => {
    const k = backend();
    const grads = [
      x.requiresGrad ? new Tensor(k.conv2dGradInput(dy.storage, weight.storage, g), x.shape) : null,
      weight.requiresGrad ? new Tensor(k.conv2dGradWeight(dy.storage, x.storage, g, workspace), weight.shape) : null,
      // The bias gradient is dy summed over the batch and every output position.
      bias?.requiresGrad ? new Tensor(k.sumAxes(dy.storage, [g.n, g.o, g.oh * g.ow], [0, 2]), bias.shape) : null,
    ];
    // The unrolled input is needed once; let it go now rather than with the graph.
    if (workspace) workspace.cols = undefined;
    return grads;
  });
}

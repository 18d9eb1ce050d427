/** 2-D convolution (NCHW), differentiable in the input, the weight and the bias. */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { checkFloat, checkInteger, checkTensor } from '../tensor/validate.ts';
import { isGradEnabled } from '../tensor/autograd.ts';
import type { Conv2dGeometry, ConvWorkspace } from '../backend/nn-kernels.ts';
import type { Storage } from '../tensor/storage.ts';
import { backend } from '../backend/registry.ts';
import { record } from './record.ts';
import { isTracing, traced } from './trace.ts';
import { pointwise } from './pointwise.ts';
import { relu } from './activation.ts';

export interface Conv2dOptions {
  /** Step between receptive fields. Default 1. */
  stride?: number;
  /** Zeros added on every side of the input. Default 0. */
  padding?: number;
}

/** Resolves and validates the geometry of x [N,C,H,W] convolved with weight [O,C,kH,kW]. */
export function conv2dGeometry(x: Tensor, weight: Tensor, options: Conv2dOptions = {}): Conv2dGeometry {
  const stride = options.stride ?? 1;
  const padding = options.padding ?? 0;
  checkInteger('conv2d', 'stride', stride, 1);
  checkInteger('conv2d', 'padding', padding, 0);
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
 * y[n,o,i,j] = Σ_c,p,q x[n, c, i·s − pad + p, j·s − pad + q] · w[o, c, p, q] + bias[o]
 * (cross-correlation, as in every deep learning framework).
 * dx = the transposed convolution of dy with w;  dw = the correlation of dy with x;  db = Σ dy
 * (dw and db in one kernel call, conv2dGradParams).
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  return convolve(x, weight, bias, options, false);
}

/**
 * relu(conv2d(x, weight, bias)) in one kernel: the conv's outputs go through max(·, 0) as they
 * are stored, so the ReLU makes no pass of its own and no tensor of the conv's output exists.
 * What nn.Sequential runs for a Conv2D followed by a ReLU. Not a public op: under `trace` (ONNX
 * export) it is the composition, so that the trace shows the public conv2d and relu.
 * dy_conv = dy·[y > 0], which is relu's dy·[x > 0] (y > 0 exactly where the conv's output is),
 * then conv2d's backward.
 */
export function conv2dRelu(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  if (isTracing()) return relu(conv2d(x, weight, bias, options));
  return convolve(x, weight, bias, options, true);
}

function convolve(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions, fuseRelu: boolean): Tensor {
  checkTensor('conv2d', 'x', x);
  checkTensor('conv2d', 'weight', weight);
  checkFloat('conv2d', 'x', x);
  checkFloat('conv2d', 'weight', weight);
  if (bias !== null && bias !== undefined) checkTensor('conv2d', 'bias', bias);
  const g = conv2dGeometry(x, weight, options);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== g.o)) {
    throw new ShapeError(`conv2d: bias must be [${g.o}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`);
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return traced('conv2d', inputs, { stride: g.stride, padding: g.padding }, () => {
    // Only a recorded call whose weight needs a gradient has a backward that can reuse the forward's work.
    const workspace: ConvWorkspace | undefined = isGradEnabled() && weight.requiresGrad ? {} : undefined;
    const activation = fuseRelu ? 'relu' : undefined;
    const y = new Tensor(backend().conv2d(x.storage, weight.storage, bias ? bias.storage : null, g, workspace, activation), [g.n, g.o, g.oh, g.ow]);
    return record(fuseRelu ? 'conv2dRelu' : 'conv2d', y, inputs, (dyOut, needs) => {
      const kernels = backend();
      let dy: Storage = dyOut.storage;
      let dw: Storage | null = null, db: Storage | null = null;
      if (needs[1]) {
        // dw and db in one pass over dy, masked first by the fused ReLU's output (y > 0).
        const reluOutput = fuseRelu ? y.storage : null;
        const params = kernels.conv2dGradParams(dy, x.storage, g, { bias: needs[2] === true, reluOutput, keepMaskedDy: fuseRelu && needs[0] }, workspace);
        dw = params.weight; db = params.bias;
        // A masked dy is a new array: as a Tensor, it is given back for reuse with the step's others.
        if (params.dy !== dy) dy = new Tensor(params.dy, y.shape).storage;
      } else if (fuseRelu) {
        dy = pointwise('conv2dRelu.grad', 'dy * (y > 0)', { dy: dyOut, y }).storage;
      }
      if (needs[2] && db === null) db = kernels.reduce('sum', dy, [g.n, g.o, g.oh * g.ow], [0, 2], 'float32', 'float32');
      const grads = [
        needs[0] ? new Tensor(kernels.conv2dGradInput(dy, weight.storage, g), x.shape) : null,
        dw && new Tensor(dw, weight.shape),
        db && new Tensor(db, [g.o]),
      ];
      // The unrolled input is needed once; let it go now rather than with the graph.
      if (workspace) workspace.cols = undefined;
      return grads;
    });
  });
}

/** 2-D max pooling (NCHW, no padding), differentiable in the input. */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { checkFloat, checkInteger, checkTensor } from '../tensor/validate.ts';
import type { Pool2dGeometry } from '../backend/nn-kernels.ts';
import { backend } from '../backend/registry.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';

export function pool2dGeometry(op: string, x: Tensor, kernel: number, stride: number): Pool2dGeometry {
  checkInteger(op, 'kernel', kernel, 1);
  checkInteger(op, 'stride', stride, 1);
  if (x.ndim !== 4) throw new ShapeError(`${op}: input must be 4-D [N,C,H,W], got ${fmtShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  if (h < kernel || w < kernel) {
    throw new ShapeError(`${op}: kernel ${kernel} is larger than the input plane ${h}x${w} of ${fmtShape(x.shape)}`);
  }
  const oh = Math.floor((h - kernel) / stride) + 1;
  const ow = Math.floor((w - kernel) / stride) + 1;
  return { n, c, h, w, kernel, stride, oh, ow };
}

/**
 * The maximum of each kernel×kernel window, windows `stride` apart (default: the kernel, so
 * they do not overlap). Rows or columns left over at the edge are dropped, as in PyTorch;
 * NaN propagates. dx: each dy goes to its window's first maximal element.
 */
export function maxPool2d(x: Tensor, kernel: number, stride: number = kernel): Tensor {
  checkTensor('maxPool2d', 'x', x);
  checkFloat('maxPool2d', 'x', x);
  const g = pool2dGeometry('maxPool2d', x, kernel, stride);
  return traced('maxPool2d', [x], { kernel, stride }, () => {
    const { values, argmax } = backend().maxPool2d(x.storage, g);
    const y = new Tensor(values, [g.n, g.c, g.oh, g.ow]);
    return record('maxPool2d', y, [x], (dy) => [new Tensor(backend().maxPool2dGrad(dy.storage, argmax, g), x.shape)]);
  });
}

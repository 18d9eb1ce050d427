/** 2-D max pooling (NCHW, no padding), differentiable in the input. */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import type { Pool2dGeometry } from '../backend/nn-kernels.ts';
import { backend } from '../backend/registry.ts';
import { result } from './record.ts';
import { checkInt } from './conv.ts';

/** Resolves and validates the geometry of a max-pool over x [N,C,H,W]. */
export function pool2dGeometry(x: Tensor, kernel: number, stride: number): Pool2dGeometry {
  checkInt('maxPool2d', 'kernel', kernel, 1);
  checkInt('maxPool2d', 'stride', stride, 1);
  if (x.ndim !== 4) throw new ShapeError(`maxPool2d: input must be 4-D [N,C,H,W], got ${fmtShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  if (h < kernel || w < kernel) {
    throw new ShapeError(`maxPool2d: kernel ${kernel} is larger than the input plane ${h}x${w} of ${fmtShape(x.shape)}`);
  }
  const oh = Math.floor((h - kernel) / stride) + 1;
  const ow = Math.floor((w - kernel) / stride) + 1;
  return { n, c, h, w, kernel, stride, oh, ow };
}

/**
 * The maximum of each kernel×kernel window, windows `stride` apart (default: the kernel, so
 * they do not overlap). Rows or columns left over at the edge are dropped, as in PyTorch.
 * The gradient flows to the first maximal element of each window.
 */
export function maxPool2d(x: Tensor, kernel: number, stride: number = kernel): Tensor {
  const g = pool2dGeometry(x, kernel, stride);
  const { values, argmax } = backend().maxPool2d(x.storage, g);
  return result('maxPool2d', values, [g.n, g.c, g.oh, g.ow], [x], (dy) => [
    new Tensor(backend().maxPool2dGrad(dy.storage, argmax, g), x.shape),
  ]);
}

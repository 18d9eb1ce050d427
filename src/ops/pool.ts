/**
 * 2-D pooling over NCHW images: max pooling (a kernel of its own, differentiable in the
 * input), and average and adaptive average pooling, which are compositions.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { full } from '../tensor/creation.ts';
import { checkFloat, checkInteger, checkTensor, show } from '../tensor/validate.ts';
import type { Pool2dGeometry } from '../backend/nn-kernels.ts';
import { backend } from '../backend/registry.ts';
import { ownedByScope } from '../tensor/lifetimes.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';
import { conv2d } from './conv.ts';
import { matmul } from './matmul.ts';
import { mean } from './reduce.ts';
import { narrow } from './indexing.ts';
import { reshape, transpose } from './view.ts';

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
    // No tensor holds argmax, so tidy frees it explicitly: otherwise every step's would wait
    // for the collector, and never be reused for the next step (host-pool.ts).
    const savedArgmax = ownedByScope('maxPool2d', argmax);
    return record('maxPool2d', y, [x], (dy) => [new Tensor(backend().maxPool2dGrad(dy.storage, savedArgmax(), g), x.shape)]);
  });
}

/**
 * The mean of each kernel×kernel window, windows `stride` apart (default: the kernel), over
 * x zero-padded by `padding` on every side; the padding counts in each mean, as PyTorch's
 * default (count_include_pad) does. Composed: non-overlapping windows are a reshape and a
 * mean; any other sweep is a convolution of each channel with a constant 1/k² kernel.
 */
export function avgPool2d(x: Tensor, kernel: number, stride: number = kernel, padding = 0): Tensor {
  checkTensor('avgPool2d', 'x', x);
  checkFloat('avgPool2d', 'x', x);
  checkInteger('avgPool2d', 'kernel', kernel, 1);
  checkInteger('avgPool2d', 'stride', stride, 1);
  checkInteger('avgPool2d', 'padding', padding, 0);
  if (padding * 2 > kernel) throw new RangeError(`avgPool2d: padding ${padding} must be at most half the kernel ${kernel}`);
  if (x.ndim !== 4) throw new ShapeError(`avgPool2d: input must be 4-D [N,C,H,W], got ${fmtShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  if (h + 2 * padding < kernel || w + 2 * padding < kernel) {
    throw new ShapeError(`avgPool2d: kernel ${kernel} is larger than the input plane ${h}x${w} of ${fmtShape(x.shape)} padded by ${padding}`);
  }
  const oh = Math.floor((h + 2 * padding - kernel) / stride) + 1;
  const ow = Math.floor((w + 2 * padding - kernel) / stride) + 1;
  return traced('avgPool2d', [x], { kernel, stride, padding }, () => {
    if (stride === kernel && padding === 0) {
      const cropped = oh * kernel === h && ow * kernel === w ? x : narrow(narrow(x, 2, 0, oh * kernel), 3, 0, ow * kernel);
      return mean(reshape(cropped, [n, c, oh, kernel, ow, kernel]), [3, 5]);
    }
    const planes = reshape(x, [n * c, 1, h, w]);
    const averaging = full([1, 1, kernel, kernel], 1 / (kernel * kernel));
    return reshape(conv2d(planes, averaging, null, { stride, padding }), [n, c, oh, ow]);
  });
}

/** Output size of adaptive pooling: a number (square) or [oH, oW]. */
function outputSizeOf(op: string, size: unknown): [number, number] {
  const pair = typeof size === 'number' ? [size, size] : size;
  if (!Array.isArray(pair) || pair.length !== 2 || pair.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 1)) {
    throw new RangeError(`${op}: outputSize must be a positive integer or [oH, oW] of them, got ${show(size)}`);
  }
  return pair as [number, number];
}

/**
 * The averaging matrix of adaptive pooling along one axis: row i averages the input
 * positions ⌊i·n/out⌋ … ⌈(i+1)·n/out⌉ − 1, PyTorch's bins (they overlap when out ∤ n).
 */
function binMatrix(n: number, out: number): Tensor {
  const m = new Float32Array(out * n);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * n) / out), end = Math.ceil(((i + 1) * n) / out);
    for (let j = start; j < end; j++) m[i * n + j] = 1 / (end - start);
  }
  return new Tensor(m, [out, n]);
}

/**
 * Average pooling to a fixed output size whatever the input's: output cell (i, j) is the
 * mean of the input rows and columns in bin i and bin j. Composed: a global mean for 1×1,
 * a plain average pool when the bins tile the input, and otherwise a product with the
 * averaging matrices, rows(oH×H) · x · cols(oW×W)ᵀ (a rectangle's mean is the mean over
 * rows of the means over columns).
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number, number]): Tensor {
  checkTensor('adaptiveAvgPool2d', 'x', x);
  checkFloat('adaptiveAvgPool2d', 'x', x);
  const [oh, ow] = outputSizeOf('adaptiveAvgPool2d', outputSize);
  if (x.ndim !== 4) throw new ShapeError(`adaptiveAvgPool2d: input must be 4-D [N,C,H,W], got ${fmtShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  if (h === 0 || w === 0) throw new ShapeError(`adaptiveAvgPool2d: input ${fmtShape(x.shape)} has an empty plane`);
  return traced('adaptiveAvgPool2d', [x], { outputSize: [oh, ow] }, () => {
    if (oh === 1 && ow === 1) return mean(x, [2, 3], true);
    if (h % oh === 0 && w % ow === 0) {
      return mean(reshape(x, [n, c, oh, h / oh, ow, w / ow]), [3, 5]);
    }
    return matmul(matmul(binMatrix(h, oh), x), transpose(binMatrix(w, ow)));
  });
}

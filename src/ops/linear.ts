/** The affine map behind Dense layers, y = x·Wᵀ + b, as one op: the most frequent product in training. */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { checkFloat, checkTensor } from '../tensor/validate.ts';
import { backend } from '../backend/registry.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';

/**
 * x [..., in] @ weightᵀ + bias for weight [out, in] and bias [out] (PyTorch's layout); every
 * leading dimension of x is a row. The GEMM reads the weight transposed in place and starts
 * from the bias, so no transposed copy or separate bias pass is made.
 * dx = dy·W,  dW = dyᵀ·x,  db = Σ_rows dy.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkTensor('linear', 'x', x);
  checkTensor('linear', 'weight', weight);
  if (bias !== null && bias !== undefined) checkTensor('linear', 'bias', bias);
  checkFloat('linear', 'x', x);
  if (weight.ndim !== 2) throw new ShapeError(`linear: weight must be 2-D [out,in], got ${fmtShape(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(`linear: input ${fmtShape(x.shape)} must end in ${inF} features to match weight ${fmtShape(weight.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`linear: bias must be [${outF}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`);
  }
  const rows = inF === 0 ? x.size : x.size / inF;
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return traced('linear', inputs, {}, () => {
    const y = new Tensor(backend().matmul(x.storage, weight.storage, 1, rows, outF, inF, false, true, bias ? bias.storage : null), [...x.shape.slice(0, -1), outF]);
    return record('linear', y, inputs, (dy, needs) => {
      const kernels = backend();
      return [
        needs[0] ? new Tensor(kernels.matmul(dy.storage, weight.storage, 1, rows, inF, outF, false, false), x.shape) : null,
        needs[1] ? new Tensor(kernels.matmul(dy.storage, x.storage, 1, outF, inF, rows, true, false), weight.shape) : null,
        needs[2] ? new Tensor(kernels.reduce('sum', dy.storage, [rows, outF], [0], 'float32', 'float32'), [outF]) : null,
      ];
    });
  });
}

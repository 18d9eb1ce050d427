/** The affine map behind Dense layers: y = x @ wᵀ + b, as one op with its own backward. */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { isHost, type Storage } from '../tensor/storage.ts';
import { backend } from '../backend/registry.ts';
import { result } from './record.ts';

/** Adds bias[out] to every row of a fresh [rows, out] result, in place when it lives on the host. */
function addBias(y: Storage, bias: Storage, rows: number, out: number): Storage {
  if (isHost(y) && isHost(bias)) {
    for (let r = 0; r < rows; r++) {
      const base = r * out;
      for (let j = 0; j < out; j++) y[base + j] += bias[j];
    }
    return y;
  }
  return backend().binary('add', y, [rows, out], bias, [out], [rows, out]);
}

/**
 * x [..., in] @ weightᵀ + bias for weight [out, in] and bias [out] (PyTorch's layout).
 * The weight is read transposed by the GEMM itself, so no transposed copy is ever made;
 * every leading dimension of x is treated as a batch row.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(`linear: weight must be 2-D [out,in], got ${fmtShape(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(`linear: input ${fmtShape(x.shape)} must end in ${inF} features to match weight ${fmtShape(weight.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`linear: bias must be [${outF}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`);
  }
  const rows = inF === 0 ? x.size : x.size / inF;
  let y = backend().matmul(x.storage, weight.storage, 1, rows, outF, inF, false, true);
  if (bias) y = addBias(y, bias.storage, rows, outF);
  const outShape = [...x.shape.slice(0, -1), outF];
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return result('linear', y, outShape, inputs, (g) => {
    const k = backend();
    return [
      x.requiresGrad ? new Tensor(k.matmul(g.storage, weight.storage, 1, rows, inF, outF, false, false), x.shape) : null,
      weight.requiresGrad ? new Tensor(k.matmul(g.storage, x.storage, 1, outF, inF, rows, true, false), weight.shape) : null,
      bias?.requiresGrad ? new Tensor(k.sumAxes(g.storage, [rows, outF], [0]), bias.shape) : null,
    ];
  });
}

/** Activation functions: relu, sigmoid, tanh. */
import { Tensor } from '../tensor/tensor.ts';
import type { UnaryGradOp } from '../backend/core-kernels.ts';
import { backend } from '../backend/registry.ts';
import { result } from './record.ts';

function activation(op: UnaryGradOp, x: Tensor): Tensor {
  const y: Tensor = result(op, backend().unary(op, x.storage, x.size), x.shape, [x], (g) => [
    new Tensor(backend().unaryGrad(op, x.storage, y.storage, g.storage, x.size), x.shape),
  ]);
  return y;
}

/** max(0, x); the gradient at exactly 0 is 0, as in PyTorch. */
export function relu(x: Tensor): Tensor {
  return activation('relu', x);
}

/** 1 / (1 + e⁻ˣ), computed without overflow for large |x|. */
export function sigmoid(x: Tensor): Tensor {
  return activation('sigmoid', x);
}

/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  return activation('tanh', x);
}

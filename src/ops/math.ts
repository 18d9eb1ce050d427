/** Elementwise math functions: exp, log, sqrt, abs. */
import { Tensor } from '../tensor/tensor.ts';
import { backend } from '../backend/registry.ts';
import { result } from './record.ts';

/** Elementwise eˣ. */
export function exp(x: Tensor): Tensor {
  const y = result('exp', backend().unary('exp', x.storage, x.size), x.shape, [x], (g) => [g.mul(y.detach())]);
  return y;
}

/** Elementwise natural logarithm. */
export function log(x: Tensor): Tensor {
  return result('log', backend().unary('log', x.storage, x.size), x.shape, [x], (g) => [g.div(x)]);
}

/** Elementwise square root. */
export function sqrt(x: Tensor): Tensor {
  // d√x/dx = 1 / (2√x)
  const y = result('sqrt', backend().unary('sqrt', x.storage, x.size), x.shape, [x], (g) => [g.div(y.detach().mul(2))]);
  return y;
}

/** Elementwise |x|; the gradient at 0 is 0, as in PyTorch. */
export function abs(x: Tensor): Tensor {
  return result('abs', backend().unary('abs', x.storage, x.size), x.shape, [x], (g) => {
    const sign = new Tensor(backend().unary('sign', x.storage, x.size), x.shape);
    return [g.mul(sign)];
  });
}

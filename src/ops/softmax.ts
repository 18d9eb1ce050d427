/** softmax and logSoftmax along an axis, stable for logits of any size. */
import { Tensor } from '../tensor/tensor.ts';
import { backend } from '../backend/registry.ts';
import { result } from './record.ts';
import { axisLayout } from './layout.ts';

function softmaxOp(name: string, x: Tensor, axis: number, log: boolean): Tensor {
  if (x.ndim === 0) throw new RangeError(`${name}: needs at least one dimension, got a scalar`);
  const { layout } = axisLayout(name, x.shape, axis);
  const y: Tensor = result(name, backend().softmax(x.storage, layout, log), x.shape, [x], (g) => [
    new Tensor(backend().softmaxGrad(y.storage, g.storage, layout, log), x.shape),
  ]);
  return y;
}

/** exp(x) / Σ exp(x) along `axis` (default: the last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp('softmax', x, axis, false);
}

/** log(softmax(x)) along `axis` (default: the last), computed as x − logΣexp(x) without forming softmax. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp('logSoftmax', x, axis, true);
}

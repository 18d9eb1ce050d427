/**
 * softmax and logSoftmax along an axis, stable for logits of any size. They could be
 * composed (x − logsumexp(x)), but a row-wise kernel is one pass instead of six on the
 * hottest path of classification training; the composed form is what the tests check it by.
 */
import { Tensor } from '../tensor/tensor.ts';
import { checkAxis, checkFloat, checkTensor } from '../tensor/validate.ts';
import { backend } from '../backend/registry.ts';
import { axisLayout } from '../backend/plan.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';

/**
 * softmax:    y = eˣ/Σeˣ,          dx = y·(dy − Σ dy·y)
 * logSoftmax: y = x − ln Σeˣ,      dx = dy − eʸ·Σ dy
 */
function softmaxOp(op: string, x: Tensor, axis: number, log: boolean): Tensor {
  checkTensor(op, 'x', x);
  checkFloat(op, 'x', x);
  if (x.ndim === 0) throw new RangeError(`${op}: needs at least one dimension, got a scalar`);
  const layout = axisLayout(x.shape, checkAxis(op, axis, x.ndim));
  return traced(op, [x], { axis }, () => {
    const y = new Tensor(backend().softmax(x.storage, layout, log), x.shape);
    return record(op, y, [x], (dy) => [new Tensor(backend().softmaxGrad(y.storage, dy.storage, layout, log), x.shape)]);
  });
}

/** exp(x) / Σ exp(x) along `axis` (default: the last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp('softmax', x, axis, false);
}

/** log(softmax(x)) along `axis` (default: the last), without forming softmax. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp('logSoftmax', x, axis, true);
}

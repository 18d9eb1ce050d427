/** Inverted dropout: zero each element with probability p and scale the survivors by 1/(1−p). */
import { Tensor } from '../tensor/tensor.ts';
import { rand } from '../tensor/creation.ts';
import { checkTensor, show } from '../tensor/validate.ts';
import { pointwise } from './pointwise.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';

export function checkDropoutP(op: string, p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${op}: p must be a probability in [0, 1], got ${show(p)}`);
  return p;
}

/**
 * In training each element is kept with probability 1 − p (drawn from the seeded generator)
 * and scaled by 1/(1 − p), so the expected value is unchanged and evaluation needs no
 * rescaling. With `training` false, or p = 0, x is returned as is.  dx = dy·mask/(1 − p).
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  checkTensor('dropout', 'x', x);
  checkDropoutP('dropout', p);
  if (!training || p === 0) return x;
  return traced('dropout', [x], { p, training }, () => {
    const u = rand(x.shape);
    const args = { x, u, p, s: p === 1 ? 0 : 1 / (1 - p) };
    // A product, not a select: a NaN stays NaN even where it is dropped, as in PyTorch.
    const y = pointwise('dropout', 'x * (u >= p) * s', args);
    return record('dropout', y, [x], (dy) => [pointwise('dropout.grad', 'dy * (u >= p) * s', { ...args, dy })]);
  });
}

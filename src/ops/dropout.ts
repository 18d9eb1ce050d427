/** Inverted dropout: zero each element with probability p and scale the survivors by 1/(1−p). */
import { Tensor } from '../tensor/tensor.ts';
import { randomUniform } from '../tensor/random.ts';
import { backend } from '../backend/registry.ts';
import { result } from './record.ts';

/** Checks a dropout probability, throwing a RangeError naming the op and value. */
export function checkDropoutP(op: string, p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new RangeError(`${op}: p must be a probability in [0, 1], got ${String(p)}`);
  }
  return p;
}

/**
 * During training, each element is kept with probability 1 − p (drawn from the seeded
 * generator) and scaled by 1/(1 − p), so the expected value is unchanged and evaluation
 * needs no rescaling. With `training` false, or p = 0, x is returned as is.
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  checkDropoutP('dropout', p);
  if (!training || p === 0) return x;
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = randomUniform() < p ? 0 : scale;
  const k = backend();
  const m = k.upload(mask);
  const y = k.binary('mul', x.storage, x.shape, m, x.shape, x.shape);
  return result('dropout', y, x.shape, [x], (g) => [
    new Tensor(backend().binary('mul', g.storage, g.shape, m, g.shape, g.shape), x.shape),
  ]);
}

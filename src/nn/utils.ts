/** Training helpers that act on parameters and their gradients: clipping and an L1 penalty. */
import { Tensor } from '../tensor/tensor.ts';
import { noGrad } from '../tensor/autograd.ts';
import { tidy } from '../tensor/lifetimes.ts';
import { add, mul } from '../ops/arithmetic.ts';
import { abs, clamp } from '../ops/math.ts';
import { sum } from '../ops/reduce.ts';

/** A bad argument as an error shows it: strings quoted, so 'x' is not read as a word of the message. */
function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * Rescales the gradients in place so that their joint L2 norm is at most maxNorm, and
 * returns the norm they had before. As in PyTorch, the factor is maxNorm / (norm + 1e-6),
 * applied only when below 1; parameters without a gradient are skipped, and a NaN or
 * infinite norm is returned as is (the gradients then become NaN, as in PyTorch).
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) {
    throw new RangeError(`clipGradNorm: maxNorm must be a number >= 0, got ${show(maxNorm)}`);
  }
  const grads = [...params].map((p) => p.grad).filter((g): g is Tensor => g !== null);
  let sq = 0;
  for (const g of grads) {
    const d = g.data;
    for (let i = 0; i < d.length; i++) sq += d[i] * d[i];
  }
  const total = Math.sqrt(sq);
  const factor = maxNorm / (total + 1e-6);
  if (factor < 1 || Number.isNaN(factor)) {
    for (const g of grads) {
      const d = g.data;
      for (let i = 0; i < d.length; i++) d[i] *= factor;
    }
  }
  return total;
}

/** The parameters as an array, checked: one tensor or any iterable of tensors. */
function tensorsOf(fn: string, params: Iterable<Tensor> | Tensor): Tensor[] {
  if (params instanceof Tensor) return [params];
  if (params === null || typeof (params as Iterable<Tensor>)?.[Symbol.iterator] !== 'function') {
    throw new TypeError(`${fn}: params must be a Tensor or an iterable of Tensors (e.g. model.parameters()), got ${params === null ? 'null' : typeof params}`);
  }
  const list = [...params];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TypeError(`${fn}: params[${i}] is ${p === null ? 'null' : typeof p}, not a Tensor`);
  });
  return list;
}

/**
 * Clamps every gradient element into [−clipValue, clipValue], in place (PyTorch's
 * clip_grad_value_). Unlike clipGradNorm it changes the gradient's direction: each
 * component is cut on its own. Parameters without a gradient are skipped; NaN stays NaN.
 */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) {
    throw new RangeError(`clipGradValue: clipValue must be a number >= 0, got ${show(clipValue)}`);
  }
  const list = tensorsOf('clipGradValue', params);
  list.forEach((p, i) => {
    if (p.grad !== null && !(p.grad instanceof Tensor)) throw new TypeError(`clipGradValue: the gradient of params[${i}] is ${typeof p.grad}, not a Tensor`);
  });
  // In place, as PyTorch's: the gradient tensor stays the same object and takes the clamped values.
  noGrad(() => tidy(() => {
    for (const p of list) {
      if (p.grad !== null) p.grad.storage = clamp(p.grad, -clipValue, clipValue).storage;
    }
  }));
}

/**
 * The L1 penalty Σ|θ| over the given parameters, times `weight`, as a scalar tensor to add to
 * the loss: `loss.add(tg.nn.utils.l1Penalty(model.parameters(), 1e-4))`. Its gradient is
 * weight·sign(θ), which pushes small weights to exactly 0 (sparse models), where an L2
 * penalty (weightDecay) only shrinks them in proportion to their size. Usually applied to
 * weights only, not biases: pass the tensors you want penalised.
 */
export function l1Penalty(params: Iterable<Tensor> | Tensor, weight = 1): Tensor {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
    throw new RangeError(`l1Penalty: weight must be a finite number >= 0, got ${show(weight)}`);
  }
  const list = tensorsOf('l1Penalty', params);
  if (list.length === 0) throw new RangeError('l1Penalty: got no parameters');
  let total = sum(abs(list[0]));
  for (const p of list.slice(1)) total = add(total, sum(abs(p)));
  return weight === 1 ? total : mul(total, weight);
}

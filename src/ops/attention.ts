/**
 * Scaled dot-product attention, composed of matmul, a mask, softmax and dropout:
 *   weights = softmax(q·kᵀ·scale + mask),  output = dropout(weights)·v.
 * Masks follow MultiheadAttention's convention: a bool mask is true where attention is NOT
 * allowed (that score becomes −∞), a float mask is added to the scores. A query whose every
 * key is masked gets NaN weights, as in PyTorch.
 */
import { Tensor } from '../tensor/tensor.ts';
import { DTypeError, ShapeError, fmtShape } from '../tensor/errors.ts';
import { checkFloat, checkInteger, checkOptions, checkTensor, show } from '../tensor/validate.ts';
import { traced } from './trace.ts';
import { add, mul } from './arithmetic.ts';
import { maskedFill } from './compare.ts';
import { dropout, checkDropoutP } from './dropout.ts';
import { matmul } from './matmul.ts';
import { softmax } from './softmax.ts';
import { transpose } from './view.ts';

export interface AttentionOptions {
  /** Broadcast to the scores [..., L, S]: bool (true = masked) or float (added). */
  attnMask?: Tensor | null;
  /** Probability of dropping each attention weight. Default 0. */
  dropoutP?: number;
  /** Whether dropout is active (a layer passes its training flag). Default true. */
  training?: boolean;
  /** Multiplies the scores. Default 1/√E, E the query's last dimension. */
  scale?: number;
}

/** A [size, size] bool mask that is true above the diagonal: position i may attend to positions ≤ i only. */
export function causalMask(size: number, keys: number = size): Tensor {
  checkInteger('causalMask', 'size', size, 1);
  checkInteger('causalMask', 'keys', keys, 1);
  const m = new Uint8Array(size * keys);
  for (let i = 0; i < size; i++) for (let j = i + 1; j < keys; j++) m[i * keys + j] = 1;
  return new Tensor(m, [size, keys], { dtype: 'bool' });
}

/**
 * q [..., L, E], k [..., S, E], v [..., S, Ev] → [output [..., L, Ev], weights [..., L, S]].
 * Leading dimensions broadcast (batch, heads). Gradients flow to q, k and v (and to a float mask).
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): [Tensor, Tensor] {
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) checkFloat('attention', name, checkTensor('attention', name, t));
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2) throw new ShapeError(`attention: q, k and v need at least 2 dimensions, got ${fmtShape(q.shape)}, ${fmtShape(k.shape)}, ${fmtShape(v.shape)}`);
  const e = q.shape[q.ndim - 1];
  if (k.shape[k.ndim - 1] !== e) throw new ShapeError(`attention: queries ${fmtShape(q.shape)} and keys ${fmtShape(k.shape)} must have the same last dimension`);
  if (k.shape[k.ndim - 2] !== v.shape[v.ndim - 2]) throw new ShapeError(`attention: keys ${fmtShape(k.shape)} and values ${fmtShape(v.shape)} must have the same number of positions`);
  checkOptions('attention', options, ['attnMask', 'dropoutP', 'training', 'scale']);
  const mask = options.attnMask ?? null;
  if (mask !== null) {
    checkTensor('attention', 'attnMask', mask);
    if (mask.dtype === 'int32') throw new DTypeError('attention: attnMask must be bool (true = masked) or float32 (added to the scores), got int32');
  }
  const p = checkDropoutP('attention', options.dropoutP ?? 0);
  const training = options.training ?? true;
  if (typeof training !== 'boolean') throw new TypeError(`attention: training must be true or false, got ${show(training)}`);
  const scale = options.scale ?? 1 / Math.sqrt(e);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new RangeError(`attention: scale must be a finite number, got ${show(scale)}`);
  const inputs = mask ? [q, k, v, mask] : [q, k, v];
  return traced('attention', inputs, { dropoutP: p, training, scale }, () => {
    let scores = mul(matmul(q, transpose(k, -2, -1)), scale);
    if (mask) {
      try {
        scores = mask.dtype === 'bool' ? maskedFill(scores, mask, -Infinity) : add(scores, mask);
      } catch (err) {
        if (!(err instanceof ShapeError || err instanceof RangeError)) throw err;
        throw new ShapeError(`attention: attnMask ${fmtShape(mask.shape)} does not broadcast to the scores ${fmtShape(scores.shape)} (queries × keys)`);
      }
      if (scores.ndim !== Math.max(q.ndim, k.ndim)) throw new ShapeError(`attention: attnMask ${fmtShape(mask.shape)} has more dimensions than the scores ${fmtShape(scores.shape)}`);
    }
    // The weights returned are the ones applied, dropout included, as PyTorch's MultiheadAttention returns them.
    const weights = dropout(softmax(scores, -1), p, training);
    return [matmul(weights, v), weights];
  });
}

/** Batch metrics computed straight from the output values: correct predictions and cross-entropy. */
import type { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';

/** Number of rows of logits [B, C] whose largest entry is at the label's index (null if not [B, C>1]). */
export function countCorrect(logits: Tensor, labels: Int32Array): number | null {
  if (logits.ndim !== 2 || logits.shape[1] < 2 || logits.shape[0] !== labels.length) return null;
  const [b, c] = logits.shape;
  const v = logits.data;
  let correct = 0;
  for (let i = 0; i < b; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (v[i * c + j] > v[i * c + best]) best = j;
    if (best === labels[i]) correct++;
  }
  return correct;
}

/**
 * Sum over rows of −log softmax(logits)[label], in float64 with the max subtracted; the
 * default loss of evaluate(), so evaluation needs no loss module.
 */
export function crossEntropySum(logits: Tensor, labels: Int32Array): number {
  if (logits.ndim !== 2 || logits.shape[0] !== labels.length) {
    throw new ShapeError(`evaluate: the default loss is cross-entropy of logits [B,C] against ${labels.length} labels, got output ${fmtShape(logits.shape)}; pass options.loss`);
  }
  const [b, c] = logits.shape;
  const v = logits.data;
  let total = 0;
  for (let i = 0; i < b; i++) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, v[i * c + j]);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(v[i * c + j] - m);
    total += m + Math.log(s) - v[i * c + labels[i]];
  }
  return total;
}

/** Batch metrics computed straight from the output values: correct predictions. */
import type { Tensor } from '../tensor/tensor.ts';

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

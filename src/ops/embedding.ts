/**
 * Embedding lookup: rows of a table picked by integer indices. It is indexSelect, whose
 * backward scatter-adds each output row's gradient into the row it was read from, so a
 * token seen twice in a batch gets both contributions, and a 50k-row table costs nothing
 * for the rows not looked up.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { checkFloat, checkIndexTensor, checkOptions, checkTensor, show } from '../tensor/validate.ts';
import { traced } from './trace.ts';
import { eq, where } from './compare.ts';
import { indexSelect } from './indexing.ts';
import { max, min } from './reduce.ts';
import { reshape, unsqueeze } from './view.ts';

export interface EmbeddingOptions {
  /** A row that gets no gradient (a padding token): it stays as it is through training. */
  paddingIdx?: number | null;
}

/** Resolves paddingIdx against a table of `rows` rows (a negative one counts from the end, as in PyTorch). */
export function checkPaddingIdx(op: string, paddingIdx: unknown, rows: number): number | null {
  if (paddingIdx === null || paddingIdx === undefined) return null;
  if (typeof paddingIdx !== 'number' || !Number.isInteger(paddingIdx) || paddingIdx < -rows || paddingIdx >= rows) {
    throw new RangeError(`${op}: paddingIdx must be an integer in [${-rows}, ${rows - 1}] for ${rows} embeddings, got ${show(paddingIdx)}`);
  }
  return paddingIdx < 0 ? paddingIdx + rows : paddingIdx;
}

/**
 * weight[indices]: indices (int32, any shape) → [...indices.shape, dim] for a table
 * weight [num, dim].  dweight[r] = Σ of dy over the positions whose index is r (zero for
 * paddingIdx); indices get no gradient.
 */
export function embedding(indices: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  checkIndexTensor('embedding', 'indices', indices);
  checkOptions('embedding', options, ['paddingIdx']);
  checkFloat('embedding', 'weight', checkTensor('embedding', 'weight', weight));
  if (weight.ndim !== 2) throw new ShapeError(`embedding: weight must be 2-D [num, dim], got ${fmtShape(weight.shape)}`);
  const [rows, dim] = weight.shape;
  const paddingIdx = checkPaddingIdx('embedding', options?.paddingIdx, rows);
  if (indices.size > 0) {
    // Two one-element reads (on a gpu, two small reductions) keep a bad token id from
    // surfacing later as a message about indexSelect.
    const lo = min(indices).item(), hi = max(indices).item();
    if (lo < 0 || hi >= rows) {
      throw new RangeError(`embedding: index ${lo < 0 ? lo : hi} is out of range for ${rows} embeddings (valid: 0 to ${rows - 1}) in indices ${fmtShape(indices.shape)}`);
    }
  }
  return traced('embedding', [indices, weight], { paddingIdx }, () => {
    const flat = reshape(indices, [indices.size]);
    let rowsOut = indexSelect(weight, 0, flat);
    if (paddingIdx !== null) {
      // Same values, but the rows read at paddingIdx come from a detached copy: no gradient reaches that row.
      rowsOut = where(unsqueeze(eq(flat, paddingIdx), 1), rowsOut.detach(), rowsOut);
    }
    return reshape(rowsOut, [...indices.shape, dim]);
  });
}

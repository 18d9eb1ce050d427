/** unbind: the slices of a tensor along one dimension, as a list (a sequence's time steps). */
import type { Tensor } from '../tensor/tensor.ts';
import { checkAxis, checkTensor } from '../tensor/validate.ts';
import { traced } from './trace.ts';
import { narrow } from './indexing.ts';
import { reshape } from './view.ts';

/**
 * x split into its x.shape[dim] slices along `dim`, that dimension removed: unbind([T, N, F], 0)
 * gives T tensors [N, F].
 *
 * Why halves and not T slices: each slice's backward pads its gradient back to the full
 * input, so taking the T slices directly would make backward allocate and add T full-size
 * gradients, O(T²) work for a 200-step sequence. Splitting in halves, recursively, costs
 * O(T log T) both ways (each level copies and pads the whole tensor once).
 */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  checkTensor('unbind', 'x', x);
  const d = checkAxis('unbind', dim, x.ndim);
  const sliceShape = x.shape.filter((_, i) => i !== d);
  return traced('unbind', [x], { dim: d }, () => {
    const out: Tensor[] = [];
    const halve = (t: Tensor): void => {
      const n = t.shape[d];
      if (n === 1) { out.push(reshape(t, sliceShape)); return; }
      if (n === 0) return;
      const half = Math.floor(n / 2);
      halve(narrow(t, d, 0, half));
      halve(narrow(t, d, half, n - half));
    };
    halve(x);
    return out;
  });
}

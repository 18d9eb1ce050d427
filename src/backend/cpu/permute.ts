/** CPU permutation of dimensions (the kernel behind transpose). */
import { toHost, type Storage } from '../../tensor/storage.ts';
import { stridesOf, type Shape } from '../../tensor/shape.ts';

/** Output dimension i is input dimension perm[i]; the result is contiguous. */
export function permute(xs: Storage, shape: Shape, perm: readonly number[]): Float32Array {
  const x = toHost(xs);
  const nd = shape.length;
  const out = new Float32Array(x.length);
  if (x.length === 0) return out;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  // For each output dimension, how far to step in the input.
  const step = perm.map((p) => inStrides[p]);
  if (nd === 2 && perm[0] === 1) {
    // Plain matrix transpose, blocked so both reads and writes stay in cache.
    const [rows, cols] = shape;
    const B = 32;
    for (let r0 = 0; r0 < rows; r0 += B) {
      for (let c0 = 0; c0 < cols; c0 += B) {
        const rEnd = Math.min(r0 + B, rows), cEnd = Math.min(c0 + B, cols);
        for (let r = r0; r < rEnd; r++) for (let c = c0; c < cEnd; c++) out[c * rows + r] = x[r * cols + c];
      }
    }
    return out;
  }
  const idx = new Array<number>(nd).fill(0);
  let src = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = x[src];
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      src += step[d];
      if (idx[d] < outShape[d]) break;
      src -= step[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return out;
}

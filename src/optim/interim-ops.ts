/**
 * STOPGAP — elementwise functions the newer optimizers need and `src/ops/` does not have yet.
 * When the op core gains `sign`, `clamp` and `maximum`, the optimizers call those and this
 * file is deleted. `sign` and `clamp` already run on any backend (they call existing kernels);
 * `maximum` reads host data, so on the gpu backend it costs a download and an upload.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { backend } from '../backend/registry.ts';

/** −1, 0 or 1 by the sign of each element (0 for ±0 and for NaN, as torch.sign). */
export function sign(x: Tensor): Tensor {
  return new Tensor(backend().unary('sign', x.storage, x.size), x.shape);
}

/** Each element limited to [min, max]; NaN stays NaN. */
export function clamp(x: Tensor, min: number, max: number): Tensor {
  const low = backend().scalar('clampMin', x.storage, min, x.size);
  return new Tensor(backend().scalar('clampMax', low, max, x.size), x.shape);
}

/** The larger of a and b elementwise (same shapes); NaN if either is NaN, as torch.maximum. */
export function maximum(a: Tensor, b: Tensor): Tensor {
  if (a.size !== b.size || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`maximum: shapes differ: ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const x = a.data, y = b.data;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] >= y[i] ? x[i] : y[i] > x[i] ? y[i] : NaN;
  return new Tensor(backend().upload(out), a.shape);
}

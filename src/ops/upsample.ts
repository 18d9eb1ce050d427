/**
 * Resizing images: interpolate(x, { scaleFactor | size, mode }) over the spatial dimensions
 * of x [N, C, H, W] (or [N, C, L]). Both modes are compositions: 'nearest' picks source
 * rows and columns with indexSelect; 'bilinear' multiplies by interpolation matrices,
 * Mh·x·Mwᵀ, whose rows hold the two weights of each output position. Source coordinates are
 * computed as PyTorch computes them, in float32, so outputs agree to the last bit of the
 * weights.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { checkFloat, checkOptions, checkTensor, show } from '../tensor/validate.ts';
import { traced } from './trace.ts';
import { indexSelect } from './indexing.ts';
import { matmul } from './matmul.ts';
import { transpose } from './view.ts';

export type InterpolateMode = 'nearest' | 'bilinear';

export interface InterpolateOptions {
  /** Output size of each spatial dimension: a number for all, or one per dimension. */
  size?: number | readonly number[];
  /** Multiplier of each spatial dimension (output = ⌊input·factor⌋): a number for all, or one per dimension. */
  scaleFactor?: number | readonly number[];
  /** Default 'nearest'. */
  mode?: InterpolateMode;
  /**
   * 'bilinear' only: map the corner pixels' centres onto each other (true), or the corners
   * of the images (false, the default, as PyTorch's).
   */
  alignCorners?: boolean;
}

const f32 = Math.fround;

function perDim(op: string, name: string, v: unknown, dims: number, positive: (x: number) => boolean): number[] | null {
  if (v === undefined || v === null) return null;
  const list = typeof v === 'number' ? new Array<number>(dims).fill(v) : v;
  if (!Array.isArray(list) || list.length !== dims || list.some((d) => typeof d !== 'number' || !positive(d))) {
    throw new RangeError(`${op}: ${name} must be a positive number or ${dims} of them (one per spatial dimension), got ${show(v)}`);
  }
  return list;
}

/** PyTorch's scale from output to input coordinates: 1/factor when a factor was given, in/out otherwise. */
function sourceScale(inSize: number, outSize: number, factor: number | null, alignCorners: boolean): number {
  if (alignCorners) return outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : 0;
  return factor !== null ? f32(1 / factor) : f32(inSize / outSize);
}

/** Source index of each output position for 'nearest': min(⌊dst·scale⌋, in − 1). */
function nearestIndices(inSize: number, outSize: number, factor: number | null): Tensor {
  const scale = sourceScale(inSize, outSize, factor, false);
  const idx = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) idx[i] = Math.min(Math.floor(f32(i * scale)), inSize - 1);
  return new Tensor(idx, [outSize], { dtype: 'int32' });
}

/** [out, in] matrix of linear-interpolation weights along one axis. */
function linearWeights(inSize: number, outSize: number, factor: number | null, alignCorners: boolean): Tensor {
  const scale = sourceScale(inSize, outSize, factor, alignCorners);
  const m = new Float32Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const src = alignCorners ? f32(scale * i) : Math.max(f32(scale * (i + 0.5) - 0.5), 0);
    const i0 = Math.floor(src);
    const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
    const l1 = f32(src - i0);
    m[i * inSize + i0] += f32(1 - l1);
    m[i * inSize + i1] += l1;
  }
  return new Tensor(m, [outSize, inSize]);
}

/**
 * x [N, C, …spatial] resized to `size`, or to ⌊input·scaleFactor⌋. 'nearest' copies the
 * source element min(⌊dst·scale⌋, in − 1) along each dimension; 'bilinear' (4-D input)
 * blends the two nearest rows and columns. Gradients flow back through the same selections
 * and weights.
 */
export function interpolate(x: Tensor, options: InterpolateOptions): Tensor {
  checkFloat('interpolate', 'x', checkTensor('interpolate', 'x', x));
  if (options === null || typeof options !== 'object') throw new TypeError(`interpolate: options { size } or { scaleFactor } are required, got ${show(options)}`);
  checkOptions('interpolate', options, ['size', 'scaleFactor', 'mode', 'alignCorners']);
  const mode = options.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear') throw new RangeError(`interpolate: mode must be 'nearest' or 'bilinear', got ${show(mode)}`);
  const alignCorners = options.alignCorners ?? false;
  if (typeof alignCorners !== 'boolean') throw new TypeError(`interpolate: alignCorners must be true or false, got ${show(alignCorners)}`);
  if (alignCorners && mode === 'nearest') throw new RangeError("interpolate: alignCorners only applies to mode 'bilinear'");
  if (mode === 'bilinear' ? x.ndim !== 4 : x.ndim < 3 || x.ndim > 4) {
    throw new ShapeError(`interpolate: mode '${mode}' needs a ${mode === 'bilinear' ? '4-D [N,C,H,W]' : '3-D [N,C,L] or 4-D [N,C,H,W]'} input, got ${fmtShape(x.shape)}`);
  }
  const dims = x.ndim - 2;
  const size = perDim('interpolate', 'size', options.size, dims, (d) => Number.isInteger(d) && d >= 1);
  const factors = perDim('interpolate', 'scaleFactor', options.scaleFactor, dims, (d) => Number.isFinite(d) && d > 0);
  if ((size === null) === (factors === null)) throw new TypeError('interpolate: give exactly one of size and scaleFactor');
  const inSizes = x.shape.slice(2);
  const outSizes = size ?? inSizes.map((s, i) => Math.floor(s * factors![i]));
  if (outSizes.some((s) => s < 1)) throw new ShapeError(`interpolate: scaleFactor ${show(options.scaleFactor)} shrinks ${fmtShape(x.shape)} to nothing`);
  const attrs = { size: size ?? null, scaleFactor: factors ?? null, mode, alignCorners };
  return traced('interpolate', [x], attrs, () => {
    if (mode === 'nearest') {
      let y = x;
      inSizes.forEach((s, i) => {
        if (outSizes[i] !== s) y = indexSelect(y, 2 + i, nearestIndices(s, outSizes[i], factors ? factors[i] : null));
      });
      return y;
    }
    const [h, w] = inSizes;
    const rows = linearWeights(h, outSizes[0], factors ? factors[0] : null, alignCorners);
    const cols = linearWeights(w, outSizes[1], factors ? factors[1] : null, alignCorners);
    return matmul(matmul(rows, x), transpose(cols));
  });
}

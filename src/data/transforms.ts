/**
 * Batch transforms for the DataLoader: per-channel normalisation and, for CIFAR-style
 * augmentation, random crops with zero padding and random horizontal flips.
 *
 * A transform maps a batch [B, C, H, W] to a new batch and never writes to its input
 * (batches may share memory with the dataset). Random transforms draw from the global
 * generator; a seeded DataLoader reseeds that per batch (see `seed-scope.ts`), so the
 * augmentations are reproducible and resumable without any generator of their own.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { randomInt, randomUniform } from '../tensor/random.ts';
import { describeValue } from './errors.ts';

/** Maps a batch [B, ...] to a new batch; applied by the DataLoader to every batch it yields. */
export type Transform = (batch: Tensor) => Tensor;

function checkImages(op: string, x: Tensor): [number, number, number, number] {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a batch Tensor [B,C,H,W], got ${describeValue(x)}`);
  if (x.ndim !== 4) throw new ShapeError(`${op}: batch must be 4-D [B,C,H,W], got ${fmtShape(x.shape)}`);
  return x.shape as unknown as [number, number, number, number];
}

function perChannel(op: string, name: string, v: number | readonly number[]): number[] {
  const arr: unknown[] = typeof v === 'number' ? [v] : Array.isArray(v) ? [...v] : [];
  if (arr.length === 0 || arr.some((a) => typeof a !== 'number' || !Number.isFinite(a))) {
    throw new RangeError(`${op}: ${name} must be a finite number or a non-empty array of them, got ${Array.isArray(v) ? `[${v.slice(0, 8).map(describeValue).join(', ')}]` : describeValue(v)}`);
  }
  return arr as number[];
}

/** Applies transforms left to right. */
export function compose(...transforms: Transform[]): Transform {
  transforms.forEach((t, i) => {
    if (typeof t !== 'function') throw new TypeError(`compose: transform ${i} must be a function (batch) => batch, got ${describeValue(t)}`);
  });
  return (batch) => transforms.reduce((x, t) => t(x), batch);
}

/**
 * (x − mean[c]) / std[c] for each channel c. A single number applies to every channel;
 * a list must have one entry per channel of the batch.
 */
export function normalize(mean: number | readonly number[], std: number | readonly number[]): Transform {
  const m = perChannel('normalize', 'mean', mean);
  const s = perChannel('normalize', 'std', std);
  if (s.some((v) => v <= 0)) throw new RangeError(`normalize: std must be > 0, got ${JSON.stringify(s)}`);
  if (m.length !== s.length && m.length !== 1 && s.length !== 1) {
    throw new RangeError(`normalize: mean has ${m.length} channels but std has ${s.length}`);
  }
  return (x) => {
    const [b, c, h, w] = checkImages('normalize', x);
    const channels = Math.max(m.length, s.length);
    if (channels !== 1 && channels !== c) {
      throw new ShapeError(`normalize: ${channels} channel statistics for a batch with ${c} channels ${fmtShape(x.shape)}`);
    }
    const src = x.data;
    const out = new Float32Array(src.length);
    const plane = h * w;
    for (let i = 0; i < b; i++) {
      for (let ch = 0; ch < c; ch++) {
        const mu = m[m.length === 1 ? 0 : ch];
        const inv = 1 / s[s.length === 1 ? 0 : ch];
        const base = (i * c + ch) * plane;
        for (let k = base; k < base + plane; k++) out[k] = (src[k] - mu) * inv;
      }
    }
    return new Tensor(out, x.shape);
  };
}

/**
 * Pads each image with `padding` zeros on every side, then cuts a random `size` window
 * out of it (one offset per image). CIFAR-10 training commonly uses randomCrop(32, 4).
 */
export function randomCrop(size: number | readonly [number, number], padding = 0): Transform {
  const [ch, cw] = typeof size === 'number' ? [size, size] : Array.isArray(size) && size.length === 2 ? size : [NaN, NaN];
  if (![ch, cw].every((v) => Number.isInteger(v) && v > 0)) {
    throw new RangeError(`randomCrop: size must be a positive integer or [h, w] of them, got ${Array.isArray(size) ? `[${(size as unknown[]).map(describeValue).join(', ')}]` : describeValue(size)}`);
  }
  if (!Number.isInteger(padding) || padding < 0) throw new RangeError(`randomCrop: padding must be a non-negative integer, got ${describeValue(padding)}`);
  return (x) => {
    const [b, c, h, w] = checkImages('randomCrop', x);
    if (ch > h + 2 * padding || cw > w + 2 * padding) {
      throw new ShapeError(`randomCrop: crop ${ch}x${cw} is larger than the padded image ${h + 2 * padding}x${w + 2 * padding} of batch ${fmtShape(x.shape)}`);
    }
    const src = x.data;
    const out = new Float32Array(b * c * ch * cw); // zeros: the padding
    for (let i = 0; i < b; i++) {
      // Window origin in unpadded coordinates; negative means it starts in the padding.
      const top = randomInt(h + 2 * padding - ch + 1) - padding;
      const left = randomInt(w + 2 * padding - cw + 1) - padding;
      const r0 = Math.max(0, -top), r1 = Math.min(ch, h - top);
      const c0 = Math.max(0, -left), c1 = Math.min(cw, w - left);
      for (let k = 0; k < c; k++) {
        const srcPlane = (i * c + k) * h * w;
        const dstPlane = (i * c + k) * ch * cw;
        for (let r = r0; r < r1; r++) {
          const s = srcPlane + (top + r) * w + left;
          out.set(src.subarray(s + c0, s + c1), dstPlane + r * cw + c0);
        }
      }
    }
    return new Tensor(out, [b, c, ch, cw]);
  };
}

/** Mirrors each image left–right with probability p (one draw per image). */
export function randomHorizontalFlip(p = 0.5): Transform {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`randomHorizontalFlip: p must be a number in [0, 1], got ${describeValue(p)}`);
  return (x) => {
    const [b, c, h, w] = checkImages('randomHorizontalFlip', x);
    const src = x.data;
    const out = new Float32Array(src);
    const per = c * h * w;
    for (let i = 0; i < b; i++) {
      if (!(randomUniform() < p)) continue;
      for (let row = i * per; row < (i + 1) * per; row += w) {
        for (let j = 0; j < w; j++) out[row + j] = src[row + w - 1 - j];
      }
    }
    return new Tensor(out, x.shape);
  };
}

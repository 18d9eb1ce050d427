/**
 * Finding NaN and ±Infinity in a list of tensors, every training step, cheaply.
 *
 * Host tensors are scanned in place. Device tensors are not downloaded (reading `.data`
 * would move them to the host for good): each is reduced on the device to Σ x·0, which is
 * 0 when every element is finite and NaN otherwise (∞·0 and NaN·0 are NaN), and the sums
 * of the whole list come back as one number, so a healthy step costs one tiny download.
 * Only when that number is not finite are the tensors searched one by one.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { isHost, toHost } from '../tensor/storage.ts';
import { noGrad } from '../tensor/autograd.ts';
import { add, mul } from '../ops/arithmetic.ts';
import { sum } from '../ops/reduce.ts';

/** The first non-finite value of host values, or null when all are finite. */
function firstBadValue(values: ArrayLike<number>): number | null {
  for (let i = 0; i < values.length; i++) {
    // v - v is 0 for every finite v and NaN for ±Infinity and NaN: one compare per element.
    if (values[i] - values[i] !== 0) return values[i];
  }
  return null;
}

/** A tensor in the list holding a non-finite value: its index and the first such value. */
export interface NonFinite {
  index: number;
  value: number;
}

/** The first tensor (in list order) holding NaN or ±Infinity, or null when all are finite. */
export function findNonFinite(tensors: readonly (Tensor | null)[]): NonFinite | null {
  let onDevice: Tensor | null = null;
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    if (t === null) continue;
    if (isHost(t.storage)) {
      const value = firstBadValue(t.storage);
      if (value !== null) return { index: i, value };
    } else {
      const probe = noGrad(() => sum(mul(t, 0)));
      onDevice = onDevice === null ? probe : noGrad(() => add(onDevice!, probe));
    }
  }
  if (onDevice === null || Number.isFinite(onDevice.item())) return null;
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    if (t === null || isHost(t.storage)) continue;
    const value = firstBadValue(toHost(t.storage)); // a copy: the tensor stays on the device
    if (value !== null) return { index: i, value };
  }
  return null;
}

/** Comparing onnxruntime's output with tsgrad's. */
import { expect } from 'vitest';
import type { Tensor } from '../../../src/tensor/tensor.ts';
import type { OrtResult } from './ort.ts';

/**
 * The largest difference between the elements, relative to the largest magnitude in the
 * expected tensor (so elements near zero, where float32 rounding in a different summation
 * order dominates, are judged on the tensor's scale). Shapes must agree; bool and integer
 * results compare as numbers, so any difference in them is a large error.
 */
export function relativeError(actual: OrtResult | undefined, expected: Tensor): number {
  expect(actual, 'onnxruntime produced the output').toBeDefined();
  expect([...actual!.dims]).toEqual([...expected.shape]);
  const want = expected.data;
  let scale = 1e-6;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const diff = Math.abs(Number(actual!.data[i]) - want[i]);
    // NaN where tsgrad has NaN is agreement; NaN anywhere else is the worst error.
    worst = Math.max(worst, Number.isNaN(diff) ? (Number.isNaN(want[i]) && Number.isNaN(Number(actual!.data[i])) ? 0 : Infinity) : diff / scale);
  }
  return worst;
}

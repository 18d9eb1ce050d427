/** Comparing onnxruntime's output with tsgrad's (or a reference's). */
import { expect } from 'vitest';
import type { Tensor } from '../../../src/tensor/tensor.ts';
import type { OrtResult } from './ort.ts';

/**
 * Same shape, and every element within 1e-5 relative — measured against the largest
 * magnitude in the expected tensor, so elements near zero (where float32 rounding in a
 * different summation order dominates) are judged on the tensor's scale.
 */
export function expectClose(actual: OrtResult, expected: Tensor, rel = 1e-5): void {
  expect([...actual.dims]).toEqual([...expected.shape]);
  const want = expected.data;
  const scale = Math.max(1e-6, ...Array.from(want, Math.abs));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(Number(actual.data[i]) - want[i]) / scale);
  expect(worst).toBeLessThanOrEqual(rel);
}

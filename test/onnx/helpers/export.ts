/** Running exported bytes in onnxruntime against the model itself. */
import { expect } from 'vitest';
import { Module } from '../../../src/nn/module.ts';
import type { Tensor } from '../../../src/tensor/tensor.ts';
import { runOnnx } from './ort.ts';
import { relativeError } from './close.ts';
import { checkerViolations, decodeModel } from './decode.ts';

/** A model whose forward is a function: one op (or a few) under test. */
export class FnModule extends Module {
  constructor(private readonly fn: (...xs: Tensor[]) => Tensor | Tensor[]) {
    super();
  }
  forward(...xs: Tensor[]): Tensor {
    return this.fn(...xs) as Tensor;
  }
}

function flat(v: unknown): Tensor[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v as Tensor];
}

/** The largest relative error seen per test name, printed at the end of a file (for the reports). */
export const worstErrors = new Map<string, number>();

/**
 * Runs the exported bytes in onnxruntime on each input set and compares every output with
 * the model's own forward (in eval mode) on the same inputs, within `rel` (relative to the
 * largest magnitude of each expected tensor); also holds the bytes to the checker's rules.
 * Returns the largest relative error seen.
 */
export async function expectRunsLikeModel(bytes: Uint8Array, model: Module, inputSets: Tensor[][], label: string, rel = 1e-5): Promise<number> {
  const decoded = decodeModel(bytes);
  expect(checkerViolations(decoded)).toEqual([]);
  const names = decoded.graph.inputs.map((i) => i.name);
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  model.eval();
  let worst = 0;
  try {
    for (const inputs of inputSets) {
      const expected = flat(model.forward(...inputs));
      expect(decoded.graph.outputs.length).toBe(expected.length);
      const got = await runOnnx(bytes, Object.fromEntries(inputs.map((t, i) => [names[i], t])));
      decoded.graph.outputs.forEach((o, k) => {
        const err = relativeError(got[o.name], expected[k]);
        worst = Math.max(worst, err);
        expect(err, `${label}: output ${o.name} at input shapes ${inputs.map((t) => `[${t.shape}]`).join(' ')}`).toBeLessThanOrEqual(rel);
      });
    }
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
  worstErrors.set(label, Math.max(worstErrors.get(label) ?? 0, worst));
  return worst;
}

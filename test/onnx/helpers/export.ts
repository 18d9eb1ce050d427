/** Exporting with the stand-in trace, and running the result against the model itself. */
import { expect } from 'vitest';
import { Module } from '../../../src/nn/module.ts';
import type { Tensor } from '../../../src/tensor/tensor.ts';
import { exportWith } from '../../../src/onnx/export.ts';
import type { ExportOptions } from '../../../src/onnx/options.ts';
import { trace } from './stand-in-trace.ts';
import { runOnnx } from './ort.ts';
import { expectClose } from './close.ts';
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

export function exportStandIn(model: Module, example: Tensor | Tensor[], options: ExportOptions = {}): Uint8Array {
  return exportWith(trace, model, example, options);
}

function flat(v: unknown): Tensor[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v as Tensor];
}

/**
 * Runs the exported bytes in onnxruntime on each input set and compares every output with
 * the model's own forward (in eval mode) on the same inputs; also holds the bytes to the
 * checker's rules.
 */
export async function expectRunsLikeModel(bytes: Uint8Array, model: Module, inputSets: Tensor[][], inputNames?: string[], rel = 1e-5): Promise<void> {
  const decoded = decodeModel(bytes);
  expect(checkerViolations(decoded)).toEqual([]);
  const names = inputNames ?? decoded.graph.inputs.map((i) => i.name);
  const wasTraining = model.training;
  model.eval();
  try {
    for (const inputs of inputSets) {
      const expected = flat(model.forward(...inputs));
      const feeds = Object.fromEntries(inputs.map((t, i) => [names[i], t]));
      const got = await runOnnx(bytes, feeds);
      decoded.graph.outputs.forEach((o, k) => expectClose(got[o.name], expected[k], rel));
    }
  } finally {
    model.train(wasTraining);
  }
}

/** Runs exported bytes in onnxruntime (onnxruntime-web's wasm CPU backend, in Node). */
import * as ort from 'onnxruntime-web';
import type { Tensor } from '../../../src/tensor/tensor.ts';
import { dtypeOf } from '../../../src/onnx/tensor-info.ts';

// One thread: the test machines are small and shared, and results must not depend on it.
ort.env.wasm.numThreads = 1;

export interface OrtResult {
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
  dims: readonly number[];
}

function feed(t: Tensor): ort.Tensor {
  const dtype = dtypeOf(t);
  if (dtype === 'float32') return new ort.Tensor('float32', Float32Array.from(t.data), [...t.shape]);
  if (dtype === 'int32') return new ort.Tensor('int32', Int32Array.from(t.data), [...t.shape]);
  return new ort.Tensor('bool', Uint8Array.from(t.data, (v) => (v ? 1 : 0)), [...t.shape]);
}

/** Loads the model (onnxruntime checks it then) and runs it on the given inputs, by name. */
export async function runOnnx(bytes: Uint8Array, inputs: Record<string, Tensor>): Promise<Record<string, OrtResult>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(inputs)) feeds[name] = feed(t);
    const out = await session.run(feeds);
    const result: Record<string, OrtResult> = {};
    for (const [name, t] of Object.entries(out)) result[name] = { data: t.data as OrtResult['data'], dims: t.dims };
    return result;
  } finally {
    await session.release();
  }
}

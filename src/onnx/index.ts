/** ONNX export: a tsgrad model as an ONNX ModelProto that onnxruntime (Node, web, Python, C++) runs. */
import type { Tensor } from '../tensor/tensor.ts';
import type { Module } from '../nn/module.ts';
import { exportWith } from './export.ts';
import { coreTrace } from './trace-source.ts';
import type { ExportOptions } from './options.ts';

export { OnnxExportError } from './errors.ts';
export type { ExportOptions } from './options.ts';

/**
 * The model as ONNX bytes (a ModelProto; opset 17 unless `opset` says otherwise). Runs one
 * forward pass on `exampleInput` (a tensor, or the list of forward's tensor arguments) in
 * eval mode, records the ops it runs, and writes them as nodes, the parameters and buffers
 * as initializers under their stateDict names, and the inputs' and outputs' shapes. With
 * `dynamicBatch` the graph takes any batch size. Throws OnnxExportError, naming the op and
 * module path, for anything ONNX cannot express; the model's mode and weights are unchanged
 * either way.
 */
export function exportModel(model: Module, exampleInput: Tensor | readonly Tensor[], options: ExportOptions = {}): Uint8Array {
  return exportWith(coreTrace(), model, exampleInput, options);
}

/** Errors of the ONNX exporter. */

/**
 * Thrown by `exportModel` when a model, its example input or the options cannot be exported.
 * The message names the op, the module path and the values at fault; nothing has been
 * returned or written, and the model's mode and weights are as they were.
 */
export class OnnxExportError extends Error {
  /** Always 'OnnxExportError'. */
  override name = 'OnnxExportError';
}

/** ONNX export: a tsgrad model as an ONNX ModelProto that onnxruntime (Node, web, Python, C++) runs. */
export { exportModel } from './export.ts';
export { OnnxExportError } from './errors.ts';
export type { ExportOptions } from './options.ts';

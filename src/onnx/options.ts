/** The options of `exportModel`, and their checks. */
import { Tensor } from '../tensor/tensor.ts';
import { fmtShape } from '../tensor/errors.ts';
import { OnnxExportError } from './errors.ts';

/** How `exportModel` shapes the graph: batch handling, value names, opset. */
export interface ExportOptions {
  /**
   * Let the exported graph take any batch size: the batch dimension of each input is
   * declared as the symbol 'batch', and sizes that follow it are computed at run time.
   * Default false: the graph takes exactly the example's shapes.
   */
  dynamicBatch?: boolean;
  /**
   * Which dimension of each input is the batch, when dynamicBatch is set: one number for
   * every input, or one per input (null for an input without one, such as an attention
   * mask). Default 0; 1 for sequence-first inputs ([T, N, F]).
   */
  batchDim?: number | readonly (number | null)[];
  /** Graph input names, one per example input. Default 'input' (or input_0, input_1, …). */
  inputNames?: readonly string[];
  /** Graph output names, one per output tensor (nested outputs are flattened in order). Default 'output' (or output_0, …). */
  outputNames?: readonly string[];
  /** ONNX opset version, 13 to 21. Default 17. */
  opset?: number;
}

export const DEFAULT_OPSET = 17;
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;

/** The IR version each opset was released with: the oldest IR a runtime needs to read it. */
export function irVersionFor(opset: number): number {
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

export interface CheckedOptions {
  dynamicBatch: boolean;
  batchDims: (number | null)[];
  inputNames: string[];
  outputNames: readonly string[] | undefined;
  opset: number;
}

function checkNames(what: string, names: unknown, count: number): string[] {
  if (!Array.isArray(names) || names.length !== count || !names.every((n) => typeof n === 'string' && n.length > 0)) {
    throw new OnnxExportError(`exportModel: ${what} must be ${count} non-empty string(s), one per ${what === 'inputNames' ? 'example input' : 'output tensor'}, got ${JSON.stringify(names)}`);
  }
  if (new Set(names).size !== names.length) throw new OnnxExportError(`exportModel: ${what} repeats a name: ${JSON.stringify(names)}`);
  return names as string[];
}

export function defaultNames(base: string, count: number): string[] {
  return count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}_${i}`);
}

/** The example input as a list of tensors, each checked. */
export function checkExampleInput(exampleInput: unknown): Tensor[] {
  const list = exampleInput instanceof Tensor ? [exampleInput] : exampleInput;
  if (!Array.isArray(list) || list.length === 0 || !list.every((t) => t instanceof Tensor)) {
    throw new OnnxExportError(`exportModel: exampleInput must be a Tensor or a non-empty array of Tensors (the forward's arguments), got ${describe(exampleInput)}`);
  }
  for (const t of list as Tensor[]) {
    if (t.size === 0) throw new OnnxExportError(`exportModel: exampleInput of shape ${fmtShape(t.shape)} has no elements`);
  }
  return list as Tensor[];
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of [${v.map((x) => (x instanceof Tensor ? 'Tensor' : typeof x)).join(', ')}]`;
  return typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
}

export function checkOptions(options: unknown, inputs: readonly Tensor[]): CheckedOptions {
  if (options === null || typeof options !== 'object') throw new OnnxExportError(`exportModel: options must be an object, got ${describe(options)}`);
  const o = options as ExportOptions;
  const known = ['dynamicBatch', 'batchDim', 'inputNames', 'outputNames', 'opset'];
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length) throw new OnnxExportError(`exportModel: unknown option(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const opset = o.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new OnnxExportError(`exportModel: opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${JSON.stringify(o.opset)}`);
  }
  if (o.dynamicBatch !== undefined && typeof o.dynamicBatch !== 'boolean') throw new OnnxExportError(`exportModel: dynamicBatch must be a boolean, got ${JSON.stringify(o.dynamicBatch)}`);
  const dynamicBatch = o.dynamicBatch ?? false;
  if (o.batchDim !== undefined && !dynamicBatch) throw new OnnxExportError('exportModel: batchDim applies only with dynamicBatch: true');
  const given = o.batchDim ?? 0;
  const batchDims = typeof given === 'number' ? inputs.map(() => given) : given;
  if (!Array.isArray(batchDims) || batchDims.length !== inputs.length) {
    throw new OnnxExportError(`exportModel: batchDim must be a number or one entry per example input (${inputs.length}), got ${JSON.stringify(o.batchDim)}`);
  }
  if (dynamicBatch) {
    batchDims.forEach((d, i) => {
      if (d !== null && (!Number.isInteger(d) || d < 0 || d >= inputs[i].shape.length)) {
        throw new OnnxExportError(`exportModel: batchDim ${JSON.stringify(d)} is not a dimension of example input ${i} of shape ${fmtShape(inputs[i].shape)}`);
      }
    });
    const sizes = new Set(batchDims.flatMap((d, i) => (d === null ? [] : [inputs[i].shape[d]])));
    if (sizes.size === 0) throw new OnnxExportError('exportModel: dynamicBatch needs at least one input with a batch dimension (batchDim is null for all)');
    if (sizes.size > 1) throw new OnnxExportError(`exportModel: the example inputs disagree on the batch size along batchDim: ${[...sizes].join(' vs ')}`);
  }
  const inputNames = o.inputNames === undefined ? defaultNames('input', inputs.length) : checkNames('inputNames', o.inputNames, inputs.length);
  return { dynamicBatch, batchDims: batchDims as (number | null)[], inputNames, outputNames: o.outputNames, opset };
}

/** The output names, checked now that the number of outputs is known. */
export function checkOutputNames(names: readonly string[] | undefined, count: number, inputNames: readonly string[]): string[] {
  const out = names === undefined ? defaultNames('output', count) : checkNames('outputNames', names, count);
  const clash = out.find((n) => inputNames.includes(n));
  if (clash) throw new OnnxExportError(`exportModel: ${JSON.stringify(clash)} is both an input and an output name`);
  return out;
}

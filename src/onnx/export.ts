/**
 * Exporting a model to ONNX: run its forward in eval mode while the op trace records (on
 * the example; with dynamicBatch again at batch + 1, to see which sizes follow the batch;
 * and on other values of the example's shape, to find values made outside the ops), lower
 * the recorded ops to ONNX nodes, and encode the ModelProto.
 *
 * The exporter never writes anything itself: it returns bytes, or throws before returning
 * any. The model's training flags are restored whatever happens, and its weights are only
 * read.
 */
import { Tensor } from '../tensor/tensor.ts';
import { fmtShape } from '../tensor/errors.ts';
import { noGrad } from '../tensor/autograd.ts';
import { Module } from '../nn/module.ts';
import { OnnxExportError } from './errors.ts';
import { GraphBuilder } from './graph-builder.ts';
import { ShapeEmitter, type BatchSizes } from './batch-size.ts';
import { Lowerer } from './lower.ts';
import { CONVERTERS } from './converters/index.ts';
import { assembleModel, declaredShape, type OutputSpec } from './assemble.ts';
import { checkExampleInput, checkOptions, checkOutputNames, type ExportOptions } from './options.ts';
import { attr, encodeModel } from './proto.ts';
import { dtypeOf, growAlong, onnxType, rawBytes } from './tensor-info.ts';
import { StorageIndex, otherValues, varyingLeaves } from './leaves.ts';
import { trace, type TraceEvent } from '../ops/trace.ts';

interface Run {
  events: TraceEvent[];
  outputs: Tensor[];
}

/** The forward's return value as a flat list of tensors ([output, [h, c]] → output, h, c). */
function flattenOutputs(value: unknown, path = 'output'): Tensor[] {
  if (value instanceof Tensor) return [value];
  if (Array.isArray(value)) return value.flatMap((v, i) => flattenOutputs(v, `${path}[${i}]`));
  throw new OnnxExportError(`exportModel: the forward returned ${value === null ? 'null' : typeof value} at ${path}; only Tensors and arrays of them can be graph outputs`);
}

function runTraced(model: Module, inputs: readonly Tensor[], what = 'exampleInput'): Run {
  let traced: { value: unknown; events: TraceEvent[] };
  try {
    traced = noGrad(() => trace(() => model.forward(...inputs)));
  } catch (err) {
    if (err instanceof OnnxExportError) throw err;
    const shapes = inputs.map((t) => fmtShape(t.shape)).join(', ');
    throw new OnnxExportError(`exportModel: ${model.constructor.name}.forward failed on ${what} ${shapes}: ${(err as Error).message}`, { cause: err });
  }
  return { events: traced.events, outputs: flattenOutputs(traced.value) };
}

/** Every parameter and buffer by identity, under its stateDict name. */
function namedWeights(model: Module): Map<Tensor, string> {
  const named = new Map<Tensor, string>();
  for (const [name, p] of model.namedParameters()) named.set(p, name);
  for (const [name, b] of model.namedBuffers()) if (!named.has(b)) named.set(b, name);
  return named;
}

/** True when every element is the same (a tensor made by zeros/ones/full). */
function uniform(t: Tensor): boolean {
  const d = t.data;
  for (let i = 1; i < d.length; i++) if (d[i] !== d[0]) return false;
  return true;
}

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
  if (!(model instanceof Module)) throw new OnnxExportError(`exportModel: model must be a tg.nn.Module, got ${model === null ? 'null' : typeof model}`);
  const inputs = checkExampleInput(exampleInput);
  const opts = checkOptions(options, inputs);

  // Eval mode for the trace (dropout off, running statistics used), every module's own flag restored after.
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  let runA: Run;
  let runB: Run | null = null;
  let runC: Run;
  let batch: BatchSizes | null = null;
  try {
    model.eval();
    runA = runTraced(model, inputs);
    if (opts.dynamicBatch) {
      const first = opts.batchDims.findIndex((d) => d !== null);
      const dim = opts.batchDims[first]!;
      const sizeA = inputs[first].shape[dim];
      batch = { a: sizeA, b: sizeA + 1, input: opts.inputNames[first], dim };
      runB = runTraced(model, inputs.map((t, i) => (opts.batchDims[i] === null ? t : growAlong(t, opts.batchDims[i]!))), 'the example grown by one along the batch,');
    }
    runC = runTraced(model, otherValues(inputs), 'other values (the exporter runs the forward a second time, on scaled and shifted float inputs, to find values computed outside the ops) of shape');
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
  if (runB && runB.outputs.length !== runA.outputs.length) {
    throw new OnnxExportError(`exportModel: the forward returned ${runA.outputs.length} tensors at batch ${batch!.a} but ${runB.outputs.length} at batch ${batch!.b}`);
  }
  const outputNames = checkOutputNames(opts.outputNames, runA.outputs.length, opts.inputNames);

  const g = new GraphBuilder(opts.opset);
  const weights = namedWeights(model);
  // Weights and inputs, and views of them made outside the ops (weight.detach()), by storage.
  const sources = new StorageIndex([...weights.keys(), ...inputs]);
  const source = (t: Tensor) => (weights.has(t) || inputs.includes(t) ? t : sources.viewed(t));
  const varying = varyingLeaves(runA.events, runC!.events, (t) => source(t) !== undefined);
  for (const n of [...opts.inputNames, ...outputNames, ...weights.values()]) g.reserve(n);
  const inputInfos = inputs.map((t, i) => {
    const d = opts.batchDims[i];
    g.bind(t, opts.inputNames[i]);
    return { name: opts.inputNames[i], elemType: onnxType(dtypeOf(t)), shape: t.shape.map((s, k) => (opts.dynamicBatch && k === d ? 'batch' : s)) };
  });
  const shapes = new ShapeEmitter(g, batch);

  const lowerer = new Lowerer(g, shapes, CONVERTERS, (t, tB, user) => {
    const alias = g.aliasOf(t);
    if (alias !== undefined) return alias;
    const src = source(t);
    const weight = src && weights.get(src);
    let name: string;
    if (src && weight === undefined) {
      name = g.nameOf(src)!; // an input, bound from the start
    } else if (src && weight !== undefined) {
      name = g.nameOf(src) ?? g.addInitializer(weight, src.data, dtypeOf(src), src.shape);
      g.bind(src, name);
    } else if (varying.has(t)) {
      return user.fail(`operand of shape ${fmtShape(t.shape)} was computed outside tsgrad's ops (from x.data or x.item(), or at random): it changed when the forward ran on other input values, so it cannot be written as a constant; compute it with tensor ops`);
    } else if (tB && tB.shape.some((d, i) => d !== t.shape[i])) {
      // A tensor made inside forward whose size follows the batch (zeros for an initial
      // state): ConstantOfShape rebuilds it at the run's batch size, if it is uniform.
      if (!uniform(t)) user.fail(`a constant operand of shape ${fmtShape(t.shape)} changes size with the batch and is not filled with one value, so it cannot be rebuilt at another batch size; export without dynamicBatch`);
      const dims = t.shape.map((d, i) => ({ a: d, b: tB.shape[i] }));
      const shape = shapes.shape(user.event.module ?? '', dims, `exportModel: ${user.where()} constant operand`);
      const value = { name: '', dataType: onnxType(dtypeOf(t)), dims: [1], rawData: rawBytes([t.data[0]], dtypeOf(t)) };
      name = user.op('ConstantOfShape', [shape], { value: attr.tensor(value) });
    } else {
      name = user.constant(t.data, dtypeOf(t), t.shape);
    }
    g.bind(t, name);
    return name;
  });
  lowerer.lower(runA.events, runB ? runB.events : null);

  const outputs: OutputSpec[] = runA.outputs.map((t, k) => {
    const tB = runB ? runB.outputs[k] : t;
    const src = source(t);
    const weight = src && weights.get(src);
    const value = g.nameOf(t) ?? g.aliasOf(t) ?? (src && g.nameOf(src)) ?? weight;
    if (value === undefined) throw new OnnxExportError(`exportModel: output ${k} of shape ${fmtShape(t.shape)} was not computed by any traced op from the inputs (was it made outside tsgrad's ops?)`);
    if (src && weight !== undefined && g.nameOf(src) === undefined) {
      g.addInitializer(weight, src.data, dtypeOf(src), src.shape);
      g.bind(src, weight);
    }
    const shape = batch ? declaredShape(t.shape, tB.shape, batch.a, batch.b) : [...t.shape];
    return { value, info: { name: outputNames[k], elemType: onnxType(dtypeOf(t)), shape } };
  });
  return encodeModel(assembleModel(g, model.constructor.name, inputInfos, outputs));
}

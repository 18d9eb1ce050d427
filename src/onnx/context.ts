/**
 * What a converter works with while it turns one traced op into ONNX nodes: the op's
 * inputs as graph value names, its attributes, and helpers that add nodes and constants.
 */
import { Tensor } from '../tensor/tensor.ts';
import { fmtShape } from '../tensor/errors.ts';
import { OnnxExportError } from './errors.ts';
import type { GraphBuilder } from './graph-builder.ts';
import type { ShapeEmitter } from './batch-size.ts';
import type { AttributeValue } from './proto.ts';
import { dtypeOf, type DType } from './tensor-info.ts';
import type { TraceEvent } from '../ops/trace.ts';

/**
 * Turns one traced op into nodes and returns the graph names of its outputs (one per output
 * tensor), or undefined when this op, with these attributes, has no direct ONNX form: the
 * exporter then lowers the ops it is composed of (its `children`) instead.
 */
export type Converter = (ctx: Lowering) => string | readonly string[] | undefined;

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** An argument by name, as the op recorded it (null and undefined both mean "not given"). */
function rawAttr(e: TraceEvent, name: string): unknown {
  return e.attrs[name] ?? undefined;
}

export function outputsOf(e: TraceEvent): readonly Tensor[] {
  return Array.isArray(e.output) ? e.output : [e.output as Tensor];
}

export class Lowering {
  constructor(
    private readonly g: GraphBuilder,
    private readonly shapes: ShapeEmitter,
    /** The op as traced at the example's batch size. */
    readonly event: TraceEvent,
    /** The same op traced at batch size + 1 (dynamic batch only). */
    private readonly eventB: TraceEvent | null,
    private readonly resolve: (i: number) => string,
  ) {}

  get opset(): number {
    return this.g.opset;
  }

  /** 'conv2d at module "features.0" (Conv2D)': where error messages say the problem is. */
  where(): string {
    const m = this.event.module;
    return `${this.event.op}${m === undefined ? '' : ` at module ${JSON.stringify(m)}${this.event.moduleType ? ` (${this.event.moduleType})` : ''}`}`;
  }

  fail(message: string): never {
    throw new OnnxExportError(`exportModel: ${this.where()}: ${message}`);
  }

  get inputCount(): number {
    return this.event.inputs.length;
  }

  /** The graph name of tensor operand i (added as an initializer or constant on first use). */
  input(i: number): string {
    if (i >= this.event.inputs.length) this.fail(`expected at least ${i + 1} tensor operands, the trace has ${this.event.inputs.length}`);
    return this.resolve(i);
  }

  inputTensor(i: number): Tensor {
    if (i >= this.event.inputs.length) this.fail(`expected at least ${i + 1} tensor operands, the trace has ${this.event.inputs.length}`);
    return this.event.inputs[i];
  }

  inputShape(i: number): readonly number[] {
    return this.inputTensor(i).shape;
  }

  inputDtype(i: number): DType {
    return dtypeOf(this.inputTensor(i));
  }

  output(k = 0): Tensor {
    return outputsOf(this.event)[k];
  }

  /**
   * Every operand in argument order, tensors and numbers (`sub(1, x)` → [1, x]). A number must
   * be the same at both traced batch sizes: one that follows the batch (x.div(x.shape[0]))
   * would be frozen into the graph.
   */
  operands(): readonly unknown[] {
    const a = this.event.operands;
    if (this.eventB) {
      a.forEach((o, i) => {
        const b = this.eventB!.operands[i];
        if (!(o instanceof Tensor) && !sameValue(o, b)) {
          this.fail(`operand ${i} is the number ${JSON.stringify(o)} at one batch size and ${JSON.stringify(b)} at another (computed from the batch size?); it cannot follow a dynamic batch, export without dynamicBatch`);
        }
      });
    }
    return a;
  }

  outputDtype(k = 0): DType {
    return dtypeOf(this.output(k));
  }

  /**
   * An attribute, which must be the same at both traced batch sizes: a value that follows
   * the batch (a shape, a split size) is read through `outputShape` instead.
   */
  attr(name: string): unknown {
    const v = rawAttr(this.event, name);
    if (this.eventB && !sameValue(v, rawAttr(this.eventB, name))) {
      this.fail(`${name} is ${JSON.stringify(v)} at one batch size and ${JSON.stringify(rawAttr(this.eventB, name))} at another; this op's ${name} cannot follow a dynamic batch, export without dynamicBatch`);
    }
    return v;
  }

  /** A numeric attribute (or `fallback` when absent); anything else is an error naming it. */
  num(name: string, fallback?: number): number {
    const v = this.attr(name);
    if (v === undefined || v === null) {
      if (fallback === undefined) this.fail(`missing attribute ${name}`);
      return fallback;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${name} must be a finite number, got ${JSON.stringify(v)}`);
    return v;
  }

  /** An integer attribute given as one number or one per spatial dimension, expanded to `n` values. */
  ints(name: string, n: number, fallback: number): number[] {
    const v = this.attr(name) ?? fallback;
    const list = typeof v === 'number' ? Array(n).fill(v) : v;
    if (!Array.isArray(list) || list.length !== n || !list.every((x) => Number.isInteger(x))) {
      this.fail(`${name} must be an integer or ${n} integers, got ${JSON.stringify(v)}`);
    }
    return list as number[];
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.attr(name);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(`${name} must be a boolean, got ${JSON.stringify(v)}`);
    return v;
  }

  /** An axis attribute made non-negative against a tensor of rank `rank`. */
  axis(name: string, rank: number, fallback?: number): number {
    const a = this.num(name, fallback);
    if (!Number.isInteger(a) || a < -rank || a >= Math.max(rank, 1)) this.fail(`${name} ${a} is out of range for a ${rank}-D tensor`);
    return a < 0 ? a + rank : a;
  }

  /** Adds a node in this op's module and returns its output names. */
  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, outputs = 1): string[] {
    return this.g.addNode(this.event.module ?? '', opType, inputs, attributes, outputs);
  }

  /** A node with one output. */
  op(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}): string {
    return this.node(opType, inputs, attributes, 1)[0];
  }

  /** A constant initializer. */
  constant(values: ArrayLike<number>, dtype: DType | 'int64', dims: readonly number[]): string {
    return this.g.addInitializer(this.g.unique(`${this.event.module ? `/${this.event.module}` : ''}/${this.event.op}_const`), values, dtype, dims);
  }

  /** A 1-D int64 constant (axes, starts, repeats). */
  int64s(values: readonly number[]): string {
    return this.constant(values, 'int64', [values.length]);
  }

  /** A scalar constant of the given dtype. */
  scalar(value: number, dtype: DType): string {
    return this.constant([value], dtype, []);
  }

  /**
   * Output k's shape as an int64 tensor for Reshape/Expand/ConstantOfShape: constants where
   * the size is fixed, computed from the input's batch size where it follows the batch.
   */
  outputShape(k = 0, forReshape = false): string {
    const a = this.output(k).shape;
    const b = this.eventB ? outputsOf(this.eventB)[k].shape : a;
    return this.shapes.shape(this.event.module ?? '', a.map((d, i) => ({ a: d, b: b[i] })), `exportModel: ${this.where()} output ${fmtShape(a)}`, forReshape);
  }

  /** True when any of the given dimensions of input i has a different size at the two traced batch sizes. */
  inputDimsFollowBatch(i: number, dims: readonly number[]): boolean {
    if (!this.eventB) return false;
    const a = this.inputShape(i);
    const b = this.eventB.inputs[i].shape;
    return dims.some((d) => a[d] !== b[d]);
  }
}

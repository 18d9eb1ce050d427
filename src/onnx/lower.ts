/**
 * Lowering a trace to graph nodes: each op goes through its converter, and an op without
 * one (or whose converter declines these attributes) is replaced by the ops it is
 * composed of, recursively. Events run in trace order, which is a topological order.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { OnnxExportError } from './errors.ts';
import type { GraphBuilder } from './graph-builder.ts';
import type { ShapeEmitter } from './batch-size.ts';
import { Lowering, outputsOf, type Converter } from './context.ts';
import type { TraceEvent } from '../ops/trace.ts';

/** Names a tensor that no lowered op produced: a graph input, a parameter or a constant. */
export type LeafNamer = (t: Tensor, atBatchB: Tensor | undefined, user: Lowering) => string;

export class Lowerer {
  constructor(
    private readonly g: GraphBuilder,
    private readonly shapes: ShapeEmitter,
    private readonly table: Readonly<Record<string, Converter>>,
    private readonly leaf: LeafNamer,
  ) {}

  /** Lowers a list of events; `eventsB` is the same forward traced at the other batch size. */
  lower(events: readonly TraceEvent[], eventsB: readonly TraceEvent[] | null): void {
    if (eventsB && eventsB.length !== events.length) {
      throw new OnnxExportError(`exportModel: the forward ran ${events.length} ops at one batch size and ${eventsB.length} at another, so its graph depends on the batch size; export without dynamicBatch`);
    }
    events.forEach((e, i) => this.lowerEvent(e, eventsB ? eventsB[i] : null));
  }

  private lowerEvent(e: TraceEvent, b: TraceEvent | null): void {
    if (b && (b.op !== e.op || b.inputs.length !== e.inputs.length)) {
      throw new OnnxExportError(`exportModel: the forward ran '${e.op}' at one batch size and '${b.op}' at another, so its graph depends on the batch size; export without dynamicBatch`);
    }
    const ctx: Lowering = new Lowering(this.g, this.shapes, e, b, (i) => {
      const t = e.inputs[i];
      return this.g.nameOf(t) ?? this.leaf(t, b?.inputs[i], ctx);
    });
    const convert: Converter | undefined = Object.prototype.hasOwnProperty.call(this.table, e.op) ? this.table[e.op] : undefined;
    const names = convert ? convert(ctx) : undefined;
    const outputs = outputsOf(e);
    if (names !== undefined) {
      const list = typeof names === 'string' ? [names] : names;
      if (list.length !== outputs.length) ctx.fail(`the converter gave ${list.length} outputs for ${outputs.length} output tensors`);
      outputs.forEach((t, k) => this.g.bind(t, list[k]));
      return;
    }
    if (e.children.length === 0) {
      ctx.fail(convert
        ? 'ONNX cannot express it with these arguments, and the trace records no simpler ops it is made of'
        : `no ONNX export for this op, and the trace records no simpler ops it is made of (ops with an export: ${Object.keys(this.table).sort().join(', ')})`);
    }
    this.lower(e.children, b ? b.children : null);
    for (const t of outputs) {
      if (this.g.nameOf(t) === undefined) ctx.fail('the ops it is made of do not produce its output');
    }
  }
}

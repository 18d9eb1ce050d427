/**
 * Watching ops run: `trace(fn)` records every op called while `fn` runs, nested the way the
 * ops are composed (gelu's event holds the mul, erf and add it is made of). The ONNX exporter
 * reads a model's forward pass this way; an op without a direct ONNX counterpart is exported
 * through its children. Outside `trace` the cost is one check per op call.
 */
import { Tensor } from '../tensor/tensor.ts';

export interface TraceEvent {
  /** The public op name, as in `tg.ops`: 'add', 'conv2d', 'reshape', … */
  readonly op: string;
  /** Tensor operands in argument order (a number operand is in `operands`, and on the right also in `attrs.other`). */
  readonly inputs: readonly Tensor[];
  /**
   * Every operand in argument order, numbers included: `sub(1, x)` is [1, x], where `inputs`
   * alone ([x]) would not say which side the number was on, nor its value.
   */
  readonly operands: readonly unknown[];
  output: Tensor | readonly Tensor[];
  /** Every non-tensor argument by its parameter name. */
  readonly attrs: Readonly<Record<string, unknown>>;
  /** The events of the ops this op is made of. */
  readonly children: TraceEvent[];
  /** Dotted path of the innermost Module whose forward was running ('' for the root). */
  readonly module?: string;
  readonly moduleType?: string;
}

interface ModuleFrame {
  path: string;
  type: string;
}

let stack: TraceEvent[][] | null = null;
const modules: ModuleFrame[] = [];

/** Runs `fn`, returning its value and the ops it called. Traces do not nest. */
export function trace<T>(fn: () => T): { value: T; events: TraceEvent[] } {
  if (stack) throw new Error('trace: already tracing (traces do not nest)');
  const events: TraceEvent[] = [];
  stack = [events];
  try {
    return { value: fn(), events };
  } finally {
    stack = null;
  }
}

export function isTracing(): boolean {
  return stack !== null;
}

/** Runs one op's `compute`, recording it (and the ops inside it) when a trace is on. */
export function traced<T extends Tensor | readonly Tensor[]>(
  op: string, inputs: readonly unknown[], attrs: Record<string, unknown>, compute: () => T,
): T {
  if (!stack) return compute();
  const frame = modules[modules.length - 1];
  const event: TraceEvent = {
    op,
    inputs: inputs.filter((x): x is Tensor => x instanceof Tensor),
    operands: inputs,
    output: [],
    attrs,
    children: [],
    ...(frame ? { module: frame.path, moduleType: frame.type } : {}),
  };
  stack[stack.length - 1].push(event);
  stack.push(event.children);
  try {
    event.output = compute();
  } finally {
    stack.pop();
  }
  return event.output as T;
}

/** Marks ops called inside `fn` as belonging to the module at `path` (Module.forward uses it). */
export function inModule<T>(path: string, type: string, fn: () => T): T {
  modules.push({ path, type });
  try {
    return fn();
  } finally {
    modules.pop();
  }
}

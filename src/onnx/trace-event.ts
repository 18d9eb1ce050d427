/**
 * What the exporter reads: the op trace the core records while a forward pass runs.
 *
 * These types restate, field for field, the interface the op core exposes as
 * `src/ops/trace.ts` (TraceEvent, trace); they live here until that file exists, and then
 * become a re-export of it. TypeScript compares them structurally, so either satisfies
 * the exporter.
 */
import type { Tensor } from '../tensor/tensor.ts';

export interface TraceEvent {
  /** The public op name, as in tg.ops: 'add', 'matmul', 'conv2d', 'reshape', 'linear', … */
  op: string;
  /** Tensor operands in argument order; a number operand (x.add(2)) is in attrs instead. */
  inputs: readonly Tensor[];
  output: Tensor | readonly Tensor[];
  /** Every non-tensor argument by its parameter name: { axis, keepDim }, { stride, padding }, { other: 2 }, … */
  attrs: Readonly<Record<string, unknown>>;
  /** The events of the ops this op is composed of (gelu → mul/erf/add). */
  children: readonly TraceEvent[];
  /** Dotted path of the innermost Module whose forward was running ('' for the root). */
  module?: string;
  moduleType?: string;
}

/** Runs fn and returns its value with the events of the ops it ran, in order. */
export type TraceFn = <T>(fn: () => T) => { value: T; events: TraceEvent[] };

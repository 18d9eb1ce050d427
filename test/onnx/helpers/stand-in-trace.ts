/**
 * A stand-in for the core's op trace, for testing the exporter before the core records
 * traces itself: ops called through `record` while `trace` runs become events, with the ops
 * they call inside as children and the module path set by `inModule`.
 */
import type { Tensor } from '../../../src/tensor/tensor.ts';
import type { TraceEvent } from '../../../src/onnx/trace-event.ts';

let frames: TraceEvent[][] | null = null;
const modules: { path: string; type: string }[] = [];

export function trace<T>(fn: () => T): { value: T; events: TraceEvent[] } {
  const root: TraceEvent[] = [];
  const outer = frames;
  frames = [root];
  try {
    return { value: fn(), events: root };
  } finally {
    frames = outer;
  }
}

/** Runs `compute` and, while tracing, records it as one op with whatever it records inside as children. */
export function record<T extends Tensor | Tensor[]>(op: string, inputs: Tensor[], attrs: Record<string, unknown>, compute: () => T): T {
  if (!frames) return compute();
  const children: TraceEvent[] = [];
  frames.push(children);
  let output: T;
  try {
    output = compute();
  } finally {
    frames.pop();
  }
  const m = modules[modules.length - 1];
  frames[frames.length - 1].push({ op, inputs, output, attrs, children, module: m?.path ?? '', moduleType: m?.type });
  return output;
}

/** Runs fn as the forward of the module at `path`, so the ops inside carry that path. */
export function inModule<T>(path: string, type: string, fn: () => T): T {
  modules.push({ path, type });
  try {
    return fn();
  } finally {
    modules.pop();
  }
}

/**
 * Running an elementwise program (src/backend/program.ts) on tensors: the arguments broadcast
 * together, numbers pass by value, and the result dtypes follow the program's types.
 * Nothing is recorded here; the op calling it records its own backward.
 */
import { Tensor } from '../tensor/tensor.ts';
import type { Storage } from '../tensor/storage.ts';
import { backend } from '../backend/registry.ts';
import { outputTypesFor, program, type ProgramArgs } from '../backend/program.ts';
import { broadcastAll } from './broadcast.ts';

export type PointwiseArgs = Readonly<Record<string, Tensor | number>>;

/** Runs the program `source` for `op`, returning all its outputs by name. */
export function pointwiseAll(op: string, source: string, args: PointwiseArgs, inPlace = false): Record<string, Tensor> {
  const p = program(source);
  const kernelArgs: Record<string, ProgramArgs<Storage>[string]> = {};
  const shapes: (readonly number[])[] = [];
  for (const name of p.inputs) {
    const a = args[name];
    if (a instanceof Tensor) {
      kernelArgs[name] = { storage: a.storage, shape: a.shape, dtype: a.dtype };
      shapes.push(a.shape);
    } else if (typeof a === 'number') {
      kernelArgs[name] = a;
    } else {
      throw new TypeError(`${op}: expected a Tensor or a number, got ${describe(a)}`);
    }
  }
  const outShape = broadcastAll(op, shapes);
  const dtypes = outputTypesFor(p, kernelArgs);
  const storages = backend().elementwise(p, kernelArgs, outShape, inPlace);
  const out: Record<string, Tensor> = {};
  for (const name of p.outputs) out[name] = new Tensor(storages[name], outShape, { dtype: dtypes[name] });
  return out;
}

/** Runs a one-output program (a bare expression) for `op`. */
export function pointwise(op: string, source: string, args: PointwiseArgs): Tensor {
  return pointwiseAll(op, source, args).out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array (wrap it with tg.tensor())`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return `${typeof v} ${String(v)}`;
}

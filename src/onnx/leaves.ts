/**
 * Tensors the trace did not see made: operands that no recorded op produced and that are
 * neither an input nor a weight. Most are honest constants made inside forward (a causal
 * mask, zeros for an initial state, interpolation tables) and go into the file as they are.
 * Two kinds are not constants, and the exporter must not freeze them:
 *  - a view of a traced value made outside the ops (`x.detach()`), which shares its storage
 *    and so is the same graph value;
 *  - a value computed from the input outside the ops (`tensor(x.max().item())`, a loop over
 *    `x.data`), or a random one: found by tracing the forward a second time on other input
 *    values and seeing which of these operands changed.
 */
import { Tensor } from '../tensor/tensor.ts';
import type { TraceEvent } from '../ops/trace.ts';
import { OnnxExportError } from './errors.ts';
import { outputsOf } from './context.ts';

/**
 * The inputs with their float32 values moved (scaled and shifted by a fixed pattern, so no
 * random generator is touched); int32 and bool inputs, which are usually indices and masks
 * whose range the forward checks, are kept.
 */
export function otherValues(inputs: readonly Tensor[]): Tensor[] {
  return inputs.map((x) => {
    if (x.dtype !== 'float32') return x;
    const d = x.data;
    return new Tensor(Float32Array.from(d, (v, i) => v * 1.5 + 0.25 + 0.125 * ((i * 7) % 5)), x.shape);
  });
}

function sameValues(a: Tensor, b: Tensor): boolean {
  if (a.size !== b.size || a.dtype !== b.dtype) return false;
  const x = a.data, y = b.data;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return false;
  return true;
}

function produced(events: readonly TraceEvent[], into: Set<Tensor>): Set<Tensor> {
  for (const e of events) {
    for (const t of outputsOf(e)) into.add(t);
    produced(e.children, into);
  }
  return into;
}

const sameLayout = (a: Tensor, b: Tensor) => a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

/** Finds, for a tensor, a tensor among `values` it shares storage with at the same shape and dtype: a view of it. */
export class StorageIndex {
  private readonly byStorage = new Map<unknown, Tensor[]>();
  constructor(values: Iterable<Tensor>) {
    for (const t of values) {
      const list = this.byStorage.get(t.storage);
      if (list) list.push(t);
      else this.byStorage.set(t.storage, [t]);
    }
  }
  viewed(t: Tensor): Tensor | undefined {
    return this.byStorage.get(t.storage)?.find((v) => v !== t && sameLayout(v, t));
  }
}

/**
 * The operands of `events` that no op produced, are not `known` (inputs, weights, views of
 * them) nor views of a value an op produced, and hold
 * other values in `other` — the same forward traced on other input values. Throws when the
 * two traces ran different ops: the forward's control flow then depends on the input's
 * values, which one graph cannot follow.
 */
export function varyingLeaves(events: readonly TraceEvent[], other: readonly TraceEvent[], known: (t: Tensor) => boolean): Set<Tensor> {
  const made = produced(events, new Set());
  const views = new StorageIndex(made);
  const varying = new Set<Tensor>();
  const walk = (a: readonly TraceEvent[], b: readonly TraceEvent[]) => {
    a.forEach((e, k) => {
      const f = b[k];
      if (!f || f.op !== e.op || f.inputs.length !== e.inputs.length || f.children.length !== e.children.length) {
        const where = e.module === undefined ? '' : ` at module ${JSON.stringify(e.module)}`;
        throw new OnnxExportError(`exportModel: the forward ran '${e.op}'${where} for the example input but ${f ? `'${f.op}'` : 'nothing'} for other values of the same shape: which ops it runs depends on the input's values (an if on x.item(), say), and one graph cannot follow that`);
      }
      e.inputs.forEach((t, i) => {
        if (!made.has(t) && !known(t) && !views.viewed(t) && !sameValues(t, f.inputs[i])) varying.add(t);
      });
      walk(e.children, f.children);
    });
  };
  walk(events, other);
  return varying;
}

/**
 * Sizes that follow the batch, for exports with a dynamic batch dimension.
 *
 * tsgrad ops see shapes as plain numbers, so a traced `reshape(x, [N, 784])` records 784 and
 * whatever N the example had. The exporter therefore runs the model twice, at batch sizes
 * A and B = A + 1, and compares: a size that is the same in both runs is a constant; one
 * that changed is taken to be `a·N + b`, with a and b solved from the two runs. In the graph
 * such a size is computed from the input's actual batch size (Shape → Gather → Mul → Add).
 */
import { OnnxExportError } from './errors.ts';
import type { GraphBuilder } from './graph-builder.ts';

/** The two batch sizes traced, and where the graph reads the real batch size from. */
export interface BatchSizes {
  a: number;
  b: number;
  /** Graph input name and the dimension of it that is the batch. */
  input: string;
  dim: number;
}

/** One dimension of a shape, as seen at batch A and batch B. */
export interface DimPair {
  a: number;
  b: number;
}

/** The size as `scale·N + offset`; null when the two runs do not fit one integer line. */
export function batchLine(d: DimPair, batch: BatchSizes): { scale: number; offset: number } | null {
  const scale = (d.b - d.a) / (batch.b - batch.a);
  const offset = d.a - scale * batch.a;
  return Number.isInteger(scale) && Number.isInteger(offset) ? { scale, offset } : null;
}

/** Builds the 1-D int64 shape tensors a graph needs, static or following the batch. */
export class ShapeEmitter {
  private batchValue: string | undefined;

  constructor(private readonly g: GraphBuilder, private readonly batch: BatchSizes | null) {}

  /** A [1] int64 tensor holding the batch size the graph is run with (made once, on first use). */
  private batchSize(): string {
    if (!this.batch) throw new Error('ShapeEmitter: no dynamic batch');
    if (this.batchValue === undefined) {
      const [shape] = this.g.addNode('', 'Shape', [this.batch.input]);
      const index = this.g.addInitializer(this.g.unique('batch_dim'), [this.batch.dim], 'int64', [1]);
      [this.batchValue] = this.g.addNode('', 'Gather', [shape, index], { axis: { kind: 'int', value: 0 } });
    }
    return this.batchValue;
  }

  /**
   * The shape as an int64 tensor. With `inferOne` (Reshape targets), a single size that
   * follows the batch becomes −1 and Reshape infers it, which keeps the graph small.
   * `what` names the op and value for the error when a size cannot be expressed.
   */
  shape(scope: string, dims: readonly DimPair[], what: string, inferOne = false): string {
    const moving = dims.filter((d) => d.a !== d.b);
    if (moving.length === 0) return this.g.addInitializer(this.g.unique('shape'), dims.map((d) => d.a), 'int64', [dims.length]);
    if (!this.batch) throw new Error('ShapeEmitter: sizes changed without a dynamic batch');
    if (inferOne && moving.length === 1) {
      return this.g.addInitializer(this.g.unique('shape'), dims.map((d) => (d.a === d.b ? d.a : -1)), 'int64', [dims.length]);
    }
    const parts: string[] = [];
    let run: number[] = [];
    const flush = () => {
      if (run.length) parts.push(this.g.addInitializer(this.g.unique('shape'), run, 'int64', [run.length]));
      run = [];
    };
    for (const d of dims) {
      if (d.a === d.b) { run.push(d.a); continue; }
      const line = batchLine(d, this.batch);
      if (!line) {
        throw new OnnxExportError(`${what}: size ${d.a} at batch ${this.batch.a} became ${d.b} at batch ${this.batch.b}, which is not a whole multiple of the batch size; export without dynamicBatch`);
      }
      flush();
      let v = this.batchSize();
      if (line.scale !== 1) v = this.g.addNode(scope, 'Mul', [v, this.g.addInitializer(this.g.unique('scale'), [line.scale], 'int64', [1])])[0];
      if (line.offset !== 0) v = this.g.addNode(scope, 'Add', [v, this.g.addInitializer(this.g.unique('offset'), [line.offset], 'int64', [1])])[0];
      parts.push(v);
    }
    flush();
    return parts.length === 1 ? parts[0] : this.g.addNode(scope, 'Concat', parts, { axis: { kind: 'int', value: 0 } })[0];
  }
}

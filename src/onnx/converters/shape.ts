/** Shape and indexing ops: reshape and its relatives, transpose/permute, cat/stack/split, slicing, gathers. */
import type { Converter, Lowering } from '../context.ts';
import { attr } from '../proto.ts';

/**
 * Every op that only relabels the shape (reshape, view, flatten, squeeze, unsqueeze) is a
 * Reshape to the shape the op produced, whatever arguments it was given.
 */
const toOutputShape: Converter = (ctx) => ctx.op('Reshape', [ctx.input(0), ctx.outputShape(0, true)]);

function transpose(ctx: Lowering): string {
  const rank = ctx.inputShape(0).length;
  if (rank < 2) return ctx.input(0);
  const a = ctx.axis(ctx.attrName('a', 'dim0'), rank, -2);
  const b = ctx.axis(ctx.attrName('b', 'dim1'), rank, -1);
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[a], perm[b]] = [perm[b], perm[a]];
  return ctx.op('Transpose', [ctx.input(0)], { perm: attr.ints(perm) });
}

function permute(ctx: Lowering): string {
  const rank = ctx.inputShape(0).length;
  const dims = ctx.attr(ctx.attrName('dims', 'perm'));
  if (!Array.isArray(dims) || dims.length !== rank || !dims.every((d) => Number.isInteger(d) && d >= -rank && d < rank)) {
    ctx.fail(`dims must list every dimension of a ${rank}-D tensor once, got ${JSON.stringify(dims)}`);
  }
  const perm = (dims as number[]).map((d) => (d < 0 ? d + rank : d));
  if (new Set(perm).size !== rank) ctx.fail(`dims ${JSON.stringify(dims)} repeat a dimension`);
  return ctx.op('Transpose', [ctx.input(0)], { perm: attr.ints(perm) });
}

function dimArg(ctx: Lowering, rank: number): number {
  return ctx.axis(ctx.attrName('dim', 'axis'), rank, 0);
}

function allInputs(ctx: Lowering): string[] {
  return Array.from({ length: ctx.inputCount }, (_, i) => ctx.input(i));
}

/** split and chunk: the piece sizes are read from the outputs the op produced. */
function split(ctx: Lowering): string[] {
  const outputs = Array.isArray(ctx.event.output) ? ctx.event.output : [ctx.event.output];
  const dim = dimArg(ctx, ctx.inputShape(0).length);
  if (ctx.inputDimsFollowBatch(0, [dim])) ctx.fail('splitting along the batch dimension cannot follow a dynamic batch; export without dynamicBatch');
  const sizes = outputs.map((t) => t.shape[dim]);
  return ctx.node('Split', [ctx.input(0), ctx.int64s(sizes)], { axis: attr.int(dim) }, outputs.length);
}

function repeat(ctx: Lowering): string {
  const shape = ctx.inputShape(0);
  const times = ctx.attr(ctx.attrName('times', 'repeats', 'sizes'));
  if (!Array.isArray(times) || times.length < shape.length || !times.every((t) => Number.isInteger(t) && t >= 0)) {
    ctx.fail(`times must give at least one count per dimension of ${JSON.stringify(shape)}, got ${JSON.stringify(times)}`);
  }
  let x = ctx.input(0);
  // Extra leading counts add leading dimensions of size 1 first, as in PyTorch.
  if (times.length > shape.length) x = ctx.op('Unsqueeze', [x, ctx.int64s(Array.from({ length: times.length - shape.length }, (_, i) => i))]);
  return ctx.op('Tile', [x, ctx.int64s(times as number[])]);
}

function narrow(ctx: Lowering): string {
  const shape = ctx.inputShape(0);
  const dim = dimArg(ctx, shape.length);
  let start = ctx.num('start');
  if (start < 0) start += shape[dim];
  const length = ctx.num('length');
  return ctx.op('Slice', [ctx.input(0), ctx.int64s([start]), ctx.int64s([start + length]), ctx.int64s([dim])]);
}

function select(ctx: Lowering): string {
  const shape = ctx.inputShape(0);
  const dim = dimArg(ctx, shape.length);
  let index = ctx.num('index');
  if (index < 0) index += shape[dim];
  // A scalar index removes the dimension, as select does.
  return ctx.op('Gather', [ctx.input(0), ctx.constant([index], 'int64', [])], { axis: attr.int(dim) });
}

export const shapeOps: Record<string, Converter> = {
  reshape: toOutputShape,
  view: toOutputShape,
  flatten: toOutputShape,
  unflatten: toOutputShape,
  squeeze: toOutputShape,
  unsqueeze: toOutputShape,
  transpose,
  permute,
  expand: (ctx) => ctx.op('Expand', [ctx.input(0), ctx.outputShape()]),
  repeat,
  cat: (ctx) => ctx.op('Concat', allInputs(ctx), { axis: attr.int(dimArg(ctx, ctx.inputShape(0).length)) }),
  stack: (ctx) => {
    const dim = ctx.axis(ctx.attrName('dim', 'axis'), ctx.inputShape(0).length + 1, 0);
    const axes = ctx.int64s([dim]);
    return ctx.op('Concat', allInputs(ctx).map((x) => ctx.op('Unsqueeze', [x, axes])), { axis: attr.int(dim) });
  },
  split,
  chunk: split,
  narrow,
  select,
  indexSelect: (ctx) => ctx.op('Gather', [ctx.input(0), ctx.input(1)], { axis: attr.int(dimArg(ctx, ctx.inputShape(0).length)) }),
  gather: (ctx) => ctx.op('GatherElements', [ctx.input(0), ctx.input(1)], { axis: attr.int(dimArg(ctx, ctx.inputShape(0).length)) }),
};

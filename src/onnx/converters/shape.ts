/**
 * Shape and indexing ops: reshape (which flatten, squeeze and unsqueeze are made of),
 * permute (transpose's), expand, repeat, cat/stack/split/unbind, narrow/select, gathers.
 */
import type { Converter, Lowering } from '../context.ts';
import { attr } from '../proto.ts';
import { onnxType } from '../tensor-info.ts';

/**
 * A reshape is a Reshape to the shape the op produced (with a size that follows a dynamic
 * batch computed at run time, or left to Reshape to infer).
 */
const reshape: Converter = (ctx) => ctx.op('Reshape', [ctx.input(0), ctx.outputShape(0, true)]);

function permute(ctx: Lowering): string {
  const rank = ctx.inputShape(0).length;
  const dims = ctx.attr('dims');
  if (!Array.isArray(dims) || dims.length !== rank || !dims.every((d) => Number.isInteger(d) && d >= -rank && d < rank)) {
    ctx.fail(`dims must list every dimension of a ${rank}-D tensor once, got ${JSON.stringify(dims)}`);
  }
  const perm = (dims as number[]).map((d) => (d < 0 ? d + rank : d));
  if (new Set(perm).size !== rank) ctx.fail(`dims ${JSON.stringify(dims)} repeat a dimension`);
  return ctx.op('Transpose', [ctx.input(0)], { perm: attr.ints(perm) });
}

function dimArg(ctx: Lowering, rank: number): number {
  return ctx.axis('dim', rank, 0);
}

/** The tensor operands, each cast to the output's dtype where it differs (cat promotes, Concat does not). */
function inputsAsOutput(ctx: Lowering): string[] {
  const dtype = ctx.outputDtype();
  return Array.from({ length: ctx.inputCount }, (_, i) =>
    (ctx.inputDtype(i) === dtype ? ctx.input(i) : ctx.op('Cast', [ctx.input(i)], { to: attr.int(onnxType(dtype)) })));
}

/** split (chunk is made of it): the piece sizes are read from the outputs the op produced. */
function split(ctx: Lowering): string[] {
  const outputs = Array.isArray(ctx.event.output) ? ctx.event.output : [ctx.event.output];
  const dim = dimArg(ctx, ctx.inputShape(0).length);
  if (ctx.inputDimsFollowBatch(0, [dim])) ctx.fail('splitting along the batch dimension cannot follow a dynamic batch; export without dynamicBatch');
  const sizes = outputs.map((t) => t.shape[dim]);
  return ctx.node('Split', [ctx.input(0), ctx.int64s(sizes)], { axis: attr.int(dim) }, outputs.length);
}

/** unbind: one piece per index along dim, that dimension removed from each. */
function unbind(ctx: Lowering): string[] {
  const dim = dimArg(ctx, ctx.inputShape(0).length);
  if (ctx.inputDimsFollowBatch(0, [dim])) {
    ctx.fail('unbinding along the batch dimension gives as many outputs as the batch is long, which a graph cannot follow; export without dynamicBatch');
  }
  const n = ctx.inputShape(0)[dim];
  const pieces = ctx.node('Split', [ctx.input(0), ctx.int64s(Array<number>(n).fill(1))], { axis: attr.int(dim) }, n);
  const axes = ctx.int64s([dim]);
  return pieces.map((p) => ctx.op('Squeeze', [p, axes]));
}

function repeat(ctx: Lowering): string {
  const shape = ctx.inputShape(0);
  const times = ctx.attr('times');
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
  reshape,
  permute,
  expand: (ctx) => ctx.op('Expand', [ctx.input(0), ctx.outputShape()]),
  repeat,
  cat: (ctx) => ctx.op('Concat', inputsAsOutput(ctx), { axis: attr.int(dimArg(ctx, ctx.inputShape(0).length)) }),
  stack: (ctx) => {
    const dim = ctx.axis('dim', ctx.inputShape(0).length + 1, 0);
    const axes = ctx.int64s([dim]);
    return ctx.op('Concat', inputsAsOutput(ctx).map((x) => ctx.op('Unsqueeze', [x, axes])), { axis: attr.int(dim) });
  },
  split,
  unbind,
  narrow,
  select,
  // Gather and GatherElements take int32 indices as they are.
  indexSelect: (ctx) => ctx.op('Gather', [ctx.input(0), ctx.input(1)], { axis: attr.int(dimArg(ctx, ctx.inputShape(0).length)) }),
  gather: (ctx) => ctx.op('GatherElements', [ctx.input(0), ctx.input(1)], { axis: attr.int(dimArg(ctx, ctx.inputShape(0).length)) }),
};

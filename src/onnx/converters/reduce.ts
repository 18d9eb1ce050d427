/** Reductions: sum, mean, max, min, logsumexp, var, std, argmax, argmin. */
import type { Converter, Lowering } from '../context.ts';
import { attr } from '../proto.ts';
import { dtypeOf, onnxType } from '../tensor-info.ts';

/** The reduced axes, non-negative and sorted; every axis when the op got none. */
function axes(ctx: Lowering): number[] {
  const rank = ctx.inputShape(0).length;
  const name = 'axis';
  const v = ctx.attr(name);
  if (v === undefined || v === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || !list.every((a) => Number.isInteger(a) && a >= -rank && a < rank)) {
    ctx.fail(`${name} ${JSON.stringify(v)} is not an axis (or list of axes) of a ${rank}-D tensor`);
  }
  return [...new Set((list as number[]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
}

function keepDim(ctx: Lowering): boolean {
  return ctx.bool('keepDim', false);
}

/**
 * A Reduce* node. ReduceSum has taken its axes as an input since opset 13, the others only
 * since opset 18; before that they are an attribute.
 */
export function reduce(ctx: Lowering, opType: string, x: string, over: number[], keep: boolean): string {
  const keepdims = attr.int(keep ? 1 : 0);
  if (opType === 'ReduceSum' || ctx.opset >= 18) return ctx.op(opType, [x, ctx.int64s(over)], { keepdims });
  return ctx.op(opType, [x], { axes: attr.ints(over), keepdims });
}

/** A reduction; a bool tensor is summed as int32 (ONNX reduces no bools), as tsgrad's sum does. */
const reduction = (opType: string): Converter => (ctx) => {
  const x = ctx.inputDtype(0) === ctx.outputDtype() ? ctx.input(0) : ctx.op('Cast', [ctx.input(0)], { to: attr.int(onnxType(ctx.outputDtype())) });
  return reduce(ctx, opType, x, axes(ctx), keepDim(ctx));
};

/** Σ(x − mean)² / (n − correction), with PyTorch's default correction 1 (unbiased). */
function variance(ctx: Lowering): string {
  const over = axes(ctx);
  const shape = ctx.inputShape(0);
  const n = over.reduce((p, a) => p * shape[a], 1);
  if (ctx.inputDimsFollowBatch(0, over)) {
    ctx.fail('the variance is taken across the batch dimension, whose size is not fixed with dynamicBatch');
  }
  const unbiased = ctx.attr('unbiased');
  const correction = unbiased === false ? 0 : ctx.num('correction', 1);
  const x = ctx.input(0);
  const centered = ctx.op('Sub', [x, reduce(ctx, 'ReduceMean', x, over, true)]);
  const sumSq = reduce(ctx, 'ReduceSum', ctx.op('Mul', [centered, centered]), over, keepDim(ctx));
  return ctx.op('Div', [sumSq, ctx.scalar(n - correction, 'float32')]);
}

/** ArgMax/ArgMin give int64; tsgrad's result dtype is restored with a Cast. */
function argReduce(opType: string): Converter {
  return (ctx) => {
    let x = ctx.input(0);
    let axis: number;
    let keep = keepDim(ctx);
    const given = ctx.attr('axis');
    if (given === undefined || given === null) {
      // Over all elements: the index into the flattened tensor, a scalar whatever keepDim says, as in PyTorch.
      x = ctx.op('Reshape', [x, ctx.int64s([-1])]);
      axis = 0;
      keep = false;
    } else {
      axis = ctx.axis('axis', ctx.inputShape(0).length);
    }
    const index = ctx.op(opType, [x], { axis: attr.int(axis), keepdims: attr.int(keep ? 1 : 0) });
    return ctx.op('Cast', [index], { to: attr.int(onnxType(dtypeOf(ctx.output()))) });
  };
}

export const reductions: Record<string, Converter> = {
  sum: reduction('ReduceSum'),
  mean: reduction('ReduceMean'),
  max: reduction('ReduceMax'),
  min: reduction('ReduceMin'),
  logsumexp: reduction('ReduceLogSumExp'),
  var: variance,
  std: (ctx) => ctx.op('Sqrt', [variance(ctx)]),
  argmax: argReduce('ArgMax'),
  argmin: argReduce('ArgMin'),
};

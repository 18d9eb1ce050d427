/** Elementwise ops: arithmetic, math functions, comparisons, selection and casts. */
import type { Converter, Lowering } from '../context.ts';
import { attr } from '../proto.ts';
import { onnxType, type DType } from '../tensor-info.ts';

/** Where ops record a number operand (x.add(2) → { other: 2 }), most likely name first. */
const NUMBER_OPERAND = ['other', 'b', 'exponent', 'p', 'value', 'y'];

/** The two operands of a binary op: both tensors, or the tensor and a constant of its dtype. */
function operands(ctx: Lowering, dtype: DType = ctx.inputDtype(0)): [string, string] {
  if (ctx.inputCount >= 2) return [ctx.input(0), ctx.input(1)];
  const key = NUMBER_OPERAND.find((k) => typeof ctx.event.attrs[k] === 'number');
  if (key === undefined) ctx.fail(`expected a second operand, a tensor or a number, got attrs ${JSON.stringify(ctx.event.attrs)}`);
  return [ctx.input(0), ctx.scalar(ctx.num(key), dtype)];
}

const binary = (opType: string): Converter => (ctx) => ctx.op(opType, operands(ctx));
const unary = (opType: string): Converter => (ctx) => ctx.op(opType, [ctx.input(0)]);
/** An op whose output is its input (copies, detaching, dropout in eval): no node at all. */
export const alias: Converter = (ctx) => ctx.input(0);

export const elementwise: Record<string, Converter> = {
  add: binary('Add'),
  sub: binary('Sub'),
  mul: binary('Mul'),
  div: binary('Div'),
  pow: binary('Pow'),
  minimum: binary('Min'),
  maximum: binary('Max'),
  neg: unary('Neg'),
  exp: unary('Exp'),
  log: unary('Log'),
  sqrt: unary('Sqrt'),
  abs: unary('Abs'),
  sin: unary('Sin'),
  cos: unary('Cos'),
  erf: unary('Erf'),
  reciprocal: unary('Reciprocal'),
  eq: binary('Equal'),
  ne: (ctx) => ctx.op('Not', [ctx.op('Equal', operands(ctx))]),
  lt: binary('Less'),
  le: binary('LessOrEqual'),
  gt: binary('Greater'),
  ge: binary('GreaterOrEqual'),
  clone: alias,
  detach: alias,
  contiguous: alias,

  clamp: (ctx) => {
    // Clip takes its bounds as optional scalar inputs; '' leaves one out.
    const dtype = ctx.inputDtype(0);
    const bound = (name: string) => (ctx.attr(name) === undefined || ctx.attr(name) === null ? '' : ctx.scalar(ctx.num(name), dtype));
    return ctx.op('Clip', [ctx.input(0), bound('min'), bound('max')]);
  },

  where: (ctx) => {
    if (ctx.inputCount === 3) return ctx.op('Where', [ctx.input(0), ctx.input(1), ctx.input(2)]);
    // One branch is a number: it takes the dtype of the other, tensor, branch.
    const first = ['a', 'x', 'input'].find((k) => typeof ctx.event.attrs[k] === 'number');
    const second = ['b', 'y', 'other'].find((k) => typeof ctx.event.attrs[k] === 'number');
    if (ctx.inputCount === 2 && first) return ctx.op('Where', [ctx.input(0), ctx.scalar(ctx.num(first), ctx.inputDtype(1)), ctx.input(1)]);
    if (ctx.inputCount === 2 && second) return ctx.op('Where', [ctx.input(0), ctx.input(1), ctx.scalar(ctx.num(second), ctx.inputDtype(1))]);
    return ctx.fail(`expected a condition and two branches (tensors or numbers), got ${ctx.inputCount} tensors and attrs ${JSON.stringify(ctx.event.attrs)}`);
  },

  maskedFill: (ctx) => ctx.op('Where', [ctx.input(1), ctx.scalar(ctx.num('value'), ctx.inputDtype(0)), ctx.input(0)]),

  cast: (ctx) => ctx.op('Cast', [ctx.input(0)], { to: attr.int(onnxType(dtypeArg(ctx))) }),
};

function dtypeArg(ctx: Lowering): DType {
  const d = ctx.attr(ctx.attrName('dtype', 'to'));
  if (d !== 'float32' && d !== 'int32' && d !== 'bool') ctx.fail(`dtype must be 'float32', 'int32' or 'bool', got ${JSON.stringify(d)}`);
  return d;
}

/** Elementwise ops: arithmetic, math functions, comparisons, selection and casts. */
import { Tensor } from '../../tensor/tensor.ts';
import type { Converter, Lowering } from '../context.ts';
import { attr } from '../proto.ts';
import { onnxType, type DType } from '../tensor-info.ts';

/**
 * The operands in argument order as graph values of one dtype: tensors cast to it when they
 * differ (ONNX's binary operators take one element type, tsgrad promotes), numbers as scalar
 * constants of it. `sub(1, x)` keeps its number on the left.
 */
function operandsAs(ctx: Lowering, dtype: DType): string[] {
  let next = 0;
  return ctx.operands().map((o) => {
    if (o instanceof Tensor) {
      const i = next++;
      return ctx.inputDtype(i) === dtype ? ctx.input(i) : ctx.op('Cast', [ctx.input(i)], { to: attr.int(onnxType(dtype)) });
    }
    if (typeof o !== 'number') ctx.fail(`operand ${JSON.stringify(o)} is neither a tensor nor a number`);
    return ctx.scalar(o, dtype);
  });
}

/** Arithmetic computes in the result's dtype (int32 + 0.5 is float32, div is always float32). */
const arithmetic = (opType: string): Converter => (ctx) => ctx.op(opType, operandsAs(ctx, ctx.outputDtype()));

/**
 * The dtype two compared operands meet in: float32 if either is a float (or a fractional
 * number), otherwise int32 — bools too, since Less and Greater take no bools — except that
 * two bools are compared for equality as they are.
 */
function comparedAs(ctx: Lowering, equality: boolean): DType {
  const kinds = ctx.operands().map((o) => (o instanceof Tensor ? o.dtype : Number.isInteger(o) ? 'int32' : 'float32'));
  if (kinds.includes('float32')) return 'float32';
  if (equality && kinds.every((k) => k === 'bool')) return 'bool';
  return 'int32';
}

const comparison = (opType: string, equality = false): Converter => (ctx) => ctx.op(opType, operandsAs(ctx, comparedAs(ctx, equality)));

/** Float math on an int32 or bool tensor promotes it to float32 first, as tsgrad does. */
function floatInput(ctx: Lowering): string {
  return ctx.inputDtype(0) === ctx.outputDtype() ? ctx.input(0) : ctx.op('Cast', [ctx.input(0)], { to: attr.int(onnxType(ctx.outputDtype())) });
}

const unary = (opType: string): Converter => (ctx) => ctx.op(opType, [floatInput(ctx)]);
/** An op whose output is its input (copies, detaching, dropout in eval): no node at all. */
export const alias: Converter = (ctx) => ctx.input(0);

export const elementwise: Record<string, Converter> = {
  add: arithmetic('Add'),
  sub: arithmetic('Sub'),
  mul: arithmetic('Mul'),
  div: arithmetic('Div'),
  pow: arithmetic('Pow'),
  minimum: arithmetic('Min'),
  maximum: arithmetic('Max'),
  neg: unary('Neg'),
  exp: unary('Exp'),
  log: unary('Log'),
  sqrt: unary('Sqrt'),
  abs: unary('Abs'),
  sin: unary('Sin'),
  cos: unary('Cos'),
  erf: unary('Erf'),
  sign: unary('Sign'),
  // ln(1 + x): no ONNX operator of its own. Exact to float32 except for |x| below ~1e-4,
  // where 1 + x rounds; the error there is absolute (≤ 6e-8), not relative to x.
  log1p: (ctx) => ctx.op('Log', [ctx.op('Add', [floatInput(ctx), ctx.scalar(1, 'float32')])]),
  eq: comparison('Equal', true),
  ne: (ctx) => ctx.op('Not', [ctx.op('Equal', operandsAs(ctx, comparedAs(ctx, true)))]),
  lt: comparison('Less'),
  le: comparison('LessOrEqual'),
  gt: comparison('Greater'),
  ge: comparison('GreaterOrEqual'),
  logicalNot: (ctx) => ctx.op('Not', [ctx.inputDtype(0) === 'bool' ? ctx.input(0) : ctx.op('Cast', [ctx.input(0)], { to: attr.int(onnxType('bool')) })]),
  clone: alias,

  clamp: (ctx) => {
    // Clip takes its bounds as optional scalar inputs; '' leaves one out. tsgrad gives max
    // the last word when min > max (every value becomes max); Clip's result is the same
    // there, as it applies max after min.
    const dtype = ctx.inputDtype(0);
    const bound = (name: string) => (ctx.attr(name) === undefined || ctx.attr(name) === null ? '' : ctx.scalar(ctx.num(name), dtype));
    return ctx.op('Clip', [ctx.input(0), bound('min'), bound('max')]);
  },

  where: (ctx) => {
    // operands are [cond, a, b]; the branches meet in the result's dtype.
    const [cond, ...branches] = ctx.operands();
    if (!(cond instanceof Tensor) || branches.length !== 2) ctx.fail(`expected a condition tensor and two branches, got ${ctx.operands().length} operands`);
    const dtype = ctx.outputDtype();
    let next = 1;
    const values = branches.map((b) => {
      if (b instanceof Tensor) {
        const i = next++;
        return ctx.inputDtype(i) === dtype ? ctx.input(i) : ctx.op('Cast', [ctx.input(i)], { to: attr.int(onnxType(dtype)) });
      }
      if (typeof b !== 'number') return ctx.fail(`a branch is neither a tensor nor a number: ${JSON.stringify(b)}`);
      return ctx.scalar(b, dtype);
    });
    return ctx.op('Where', [ctx.input(0), values[0], values[1]]);
  },

  maskedFill: (ctx) => {
    // The fill may be ±Infinity (attention masks with −∞) or NaN: any number.
    const value = ctx.attr('value');
    if (typeof value !== 'number') return ctx.fail(`value must be a number, got ${JSON.stringify(value)}`);
    return ctx.op('Where', [ctx.input(1), ctx.scalar(value, ctx.inputDtype(0)), ctx.input(0)]);
  },

  cast: (ctx) => ctx.op('Cast', [ctx.input(0)], { to: attr.int(onnxType(ctx.outputDtype())) }),
};

/** Activations and (log-)softmax. */
import type { Converter, Lowering } from '../context.ts';
import { attr } from '../proto.ts';

const unary = (opType: string): Converter => (ctx) => ctx.op(opType, [ctx.input(0)]);

function softmaxLike(opType: string): Converter {
  return (ctx) => ctx.op(opType, [ctx.input(0)], { axis: attr.int(ctx.axis('axis', ctx.inputShape(0).length, -1)) });
}

/** x · k for a float constant k. */
function scaled(ctx: Lowering, x: string, k: number): string {
  return ctx.op('Mul', [x, ctx.scalar(k, 'float32')]);
}

/**
 * gelu before opset 20 (which has Gelu): 0.5·x·(1 + erf(x/√2)), or with approximate 'tanh'
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the two forms PyTorch defines.
 */
function geluParts(ctx: Lowering, x: string, approximate: string): string {
  let inner: string;
  if (approximate === 'tanh') {
    const cube = ctx.op('Mul', [ctx.op('Mul', [x, x]), x]);
    const poly = ctx.op('Add', [x, scaled(ctx, cube, 0.044715)]);
    inner = ctx.op('Tanh', [scaled(ctx, poly, Math.sqrt(2 / Math.PI))]);
  } else {
    inner = ctx.op('Erf', [scaled(ctx, x, Math.SQRT1_2)]);
  }
  const onePlus = ctx.op('Add', [inner, ctx.scalar(1, 'float32')]);
  return ctx.op('Mul', [scaled(ctx, x, 0.5), onePlus]);
}

export const activations: Record<string, Converter> = {
  relu: unary('Relu'),
  sigmoid: unary('Sigmoid'),
  tanh: unary('Tanh'),
  softmax: softmaxLike('Softmax'),
  logSoftmax: softmaxLike('LogSoftmax'),

  leakyRelu: (ctx) => ctx.op('LeakyRelu', [ctx.input(0)], { alpha: attr.float(ctx.num('negativeSlope', 0.01)) }),
  elu: (ctx) => ctx.op('Elu', [ctx.input(0)], { alpha: attr.float(ctx.num('alpha', 1)) }),
  silu: (ctx) => ctx.op('Mul', [ctx.input(0), ctx.op('Sigmoid', [ctx.input(0)])]),

  gelu: (ctx) => {
    const approximate = ctx.attr('approximate') ?? 'none';
    if (approximate !== 'none' && approximate !== 'tanh') return ctx.fail(`approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
    if (ctx.opset >= 20) return ctx.op('Gelu', [ctx.input(0)], { approximate: attr.string(approximate) });
    return geluParts(ctx, ctx.input(0), approximate);
  },

  softplus: (ctx) => {
    // PyTorch's softplus is log(1 + e^(βx))/β, and x itself once βx passes the threshold
    // (20 by default) — where the two already agree to float32 precision.
    const beta = ctx.num('beta', 1);
    if (beta === 1) return ctx.op('Softplus', [ctx.input(0)]);
    return scaled(ctx, ctx.op('Softplus', [scaled(ctx, ctx.input(0), beta)]), 1 / beta);
  },

  // log σ(x) = −softplus(−x), which stays finite for very negative x where log(σ(x)) would not.
  logSigmoid: (ctx) => ctx.op('Neg', [ctx.op('Softplus', [ctx.op('Neg', [ctx.input(0)])])]),
};

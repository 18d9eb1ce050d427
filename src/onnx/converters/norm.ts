/** Normalisation ops: batchNorm (running statistics), layerNorm, groupNorm. */
import type { Converter, Lowering } from '../context.ts';
import { attr } from '../proto.ts';

function epsilon(ctx: Lowering): number {
  return ctx.num('eps', 1e-5);
}

/** A [n] float constant filled with `value`: the scale or shift of a norm without affine parameters. */
function filled(ctx: Lowering, value: number, dims: readonly number[]): string {
  return ctx.constant(new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value), 'float32', dims);
}

/**
 * batchNorm(x, runningMean, runningVar, weight?, bias?) normalising by its running statistics
 * (eval): BatchNormalization in inference form. With batch statistics (training: true, or no
 * running statistics) the op is exported through the mean and variance it is composed of.
 * A weight without a bias (or the reverse) leaves four tensor operands that do not say which
 * one is missing; that case goes through the composition too.
 */
function batchNorm(ctx: Lowering): string | undefined {
  if (ctx.bool('training', false) || ctx.inputCount === 4) return undefined;
  const channels = [ctx.inputShape(0)[1]];
  const scale = ctx.inputCount > 3 ? ctx.input(3) : filled(ctx, 1, channels);
  const shift = ctx.inputCount > 4 ? ctx.input(4) : filled(ctx, 0, channels);
  return ctx.op('BatchNormalization', [ctx.input(0), scale, shift, ctx.input(1), ctx.input(2)], { epsilon: attr.float(epsilon(ctx)) });
}

/** layerNorm over the trailing `normalizedShape` dims; LayerNormalization exists from opset 17. */
function layerNorm(ctx: Lowering): string | undefined {
  // Two operands are x and a weight or a bias — which, the trace does not say: composed then.
  if (ctx.opset < 17 || ctx.inputCount === 2) return undefined;
  const shape = ctx.inputShape(0);
  const given = ctx.attr('normalizedShape');
  const normalized = typeof given === 'number' ? [given] : given;
  if (!Array.isArray(normalized) || normalized.length === 0 || normalized.length > shape.length ||
      normalized.some((d, i) => d !== shape[shape.length - normalized.length + i])) {
    ctx.fail(`normalizedShape ${JSON.stringify(given)} is not the trailing shape of the input ${JSON.stringify(shape)}`);
  }
  const inputs = [ctx.input(0), ctx.inputCount > 1 ? ctx.input(1) : filled(ctx, 1, normalized as number[])];
  if (ctx.inputCount > 2) inputs.push(ctx.input(2));
  return ctx.op('LayerNormalization', inputs, { axis: attr.int(-normalized.length), epsilon: attr.float(epsilon(ctx)) });
}

/**
 * groupNorm(x [N, C, …], groups, weight?, bias?): the channels of each group are normalised
 * together, which is InstanceNormalization over x seen as [N, groups, rest], followed by the
 * per-channel affine map. (GroupNormalization's scale changed meaning in opset 21, so the
 * decomposition is the one form every opset reads the same way.)
 */
function groupNorm(ctx: Lowering): string | undefined {
  if (ctx.inputCount === 2) return undefined;
  const shape = ctx.inputShape(0);
  const groups = ctx.num('numGroups');
  const channels = shape[1];
  if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0) ctx.fail(`${groups} groups do not divide ${channels} channels`);
  const grouped = ctx.op('Reshape', [ctx.input(0), ctx.int64s([0, groups, -1])]);
  const normed = ctx.op('InstanceNormalization', [grouped, filled(ctx, 1, [groups]), filled(ctx, 0, [groups])], { epsilon: attr.float(epsilon(ctx)) });
  let y = ctx.op('Reshape', [normed, ctx.op('Shape', [ctx.input(0)])]);
  // weight [C] and bias [C] broadcast over [N, C, …] once shaped [C, 1, …].
  const perChannel = [channels, ...shape.slice(2).map(() => 1)];
  if (ctx.inputCount > 1) y = ctx.op('Mul', [y, ctx.op('Reshape', [ctx.input(1), ctx.int64s(perChannel)])]);
  if (ctx.inputCount > 2) y = ctx.op('Add', [y, ctx.op('Reshape', [ctx.input(2), ctx.int64s(perChannel)])]);
  return y;
}

export const normOps: Record<string, Converter> = {
  batchNorm,
  layerNorm,
  groupNorm,
};

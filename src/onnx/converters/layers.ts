/** The ops behind layers: matmul, linear, convolutions, pooling, resizing, dropout, embedding. */
import type { Converter, Lowering } from '../context.ts';
import { attr, type AttributeValue } from '../proto.ts';
import { alias } from './elementwise.ts';

/** x [..., in] @ weightᵀ + bias with weight [out, in]: one Gemm for 2-D x, MatMul otherwise. */
function linear(ctx: Lowering): string {
  const x = ctx.input(0);
  const w = ctx.input(1);
  const bias = ctx.inputCount > 2 ? ctx.input(2) : undefined;
  if (ctx.inputShape(0).length === 2) return ctx.op('Gemm', bias ? [x, w, bias] : [x, w], { transB: attr.int(1) });
  // The weight stays as stored (its initializer keeps the parameter's name and layout);
  // runtimes fold this Transpose of a constant once, at load time.
  const y = ctx.op('MatMul', [x, ctx.op('Transpose', [w], { perm: attr.ints([1, 0]) })]);
  return bias ? ctx.op('Add', [y, bias]) : y;
}

/** Conv's attributes for tsgrad's convolutions: one stride and one zero padding for every side. */
function convAttrs(ctx: Lowering, spatial: number, kernel: readonly number[]): Record<string, AttributeValue> {
  const padding = ctx.ints('padding', spatial, 0);
  return {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(ctx.ints('stride', spatial, 1)),
    pads: attr.ints([...padding, ...padding]),
  };
}

/** conv1d/conv2d: weight [out, in, k…], PyTorch's and ONNX's common layout. */
function conv(spatial: number): Converter {
  return (ctx) => {
    const kernel = ctx.inputShape(1).slice(2);
    if (kernel.length !== spatial) ctx.fail(`weight must be ${spatial + 2}-D, got ${JSON.stringify(ctx.inputShape(1))}`);
    const inputs = ctx.inputCount > 2 ? [ctx.input(0), ctx.input(1), ctx.input(2)] : [ctx.input(0), ctx.input(1)];
    return ctx.op('Conv', inputs, convAttrs(ctx, spatial, kernel));
  };
}

/** convTranspose: weight [in, out, k…]; outputPadding adds to one side of the output, as in PyTorch. */
function convTranspose(spatial: number): Converter {
  return (ctx) => {
    const kernel = ctx.inputShape(1).slice(2);
    if (kernel.length !== spatial) ctx.fail(`weight must be ${spatial + 2}-D, got ${JSON.stringify(ctx.inputShape(1))}`);
    const inputs = ctx.inputCount > 2 ? [ctx.input(0), ctx.input(1), ctx.input(2)] : [ctx.input(0), ctx.input(1)];
    return ctx.op('ConvTranspose', inputs, {
      ...convAttrs(ctx, spatial, kernel),
      output_padding: attr.ints(ctx.ints('outputPadding', spatial, 0)),
    });
  };
}

/** Pooling windows as tsgrad makes them: square, `stride` apart, leftover edge rows dropped. */
function pool(opType: 'MaxPool' | 'AveragePool'): Converter {
  return (ctx) => {
    const padding = ctx.ints('padding', 2, 0);
    const attributes: Record<string, AttributeValue> = {
      kernel_shape: attr.ints(ctx.ints('kernel', 2, 0)),
      strides: attr.ints(ctx.ints('stride', 2, 1)),
      pads: attr.ints([...padding, ...padding]),
    };
    // tsgrad's avgPool2d divides by the whole window, padding included (PyTorch's default);
    // ONNX's default leaves the padding out.
    if (opType === 'AveragePool') attributes.count_include_pad = attr.int(1);
    return ctx.op(opType, [ctx.input(0)], attributes);
  };
}

/**
 * Adaptive average pooling is a plain average pool when the output divides the input evenly;
 * otherwise its windows differ in size and overlap, and the op is exported through what it
 * is composed of (a product with constant averaging matrices).
 */
function adaptiveAvgPool2d(ctx: Lowering): string | undefined {
  const [, , h, w] = ctx.inputShape(0);
  const [, , oh, ow] = ctx.output().shape;
  if (oh === 1 && ow === 1) return ctx.op('GlobalAveragePool', [ctx.input(0)]);
  if (h % oh !== 0 || w % ow !== 0) return undefined;
  const kernel = [h / oh, w / ow];
  return ctx.op('AveragePool', [ctx.input(0)], { kernel_shape: attr.ints(kernel), strides: attr.ints(kernel) });
}

/**
 * interpolate (Upsample) by whole-number factors as Resize. PyTorch's 'nearest' reads
 * source floor(o/factor), which is Resize's 'asymmetric' transform with 'floor'; 'bilinear'
 * reads (o + 0.5)/factor − 0.5 clamped at 0, which is 'pytorch_half_pixel' (or
 * 'align_corners'). Other sizes round their source coordinates in ways Resize does not
 * state exactly, so they are exported through the ops interpolate is made of: constant
 * index and weight tables, which reproduce tsgrad's values bit for bit.
 */
function interpolate(ctx: Lowering): string | undefined {
  const mode = ctx.attr('mode') ?? 'nearest';
  const alignCorners = ctx.bool('alignCorners', false);
  let attributes: Record<string, AttributeValue>;
  if (mode === 'nearest') {
    attributes = { mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor') };
  } else if (mode === 'bilinear') {
    attributes = { mode: attr.string('linear'), coordinate_transformation_mode: attr.string(alignCorners ? 'align_corners' : 'pytorch_half_pixel') };
  } else {
    return undefined;
  }
  const inShape = ctx.inputShape(0);
  const outShape = ctx.output().shape;
  const scales = outShape.map((d, i) => (i < 2 ? 1 : d / inShape[i]));
  if (!scales.every((s) => Number.isInteger(s))) return undefined;
  return ctx.op('Resize', [ctx.input(0), '', ctx.constant(scales, 'float32', [scales.length])], attributes);
}

/**
 * dropout is recorded only when it drops (training, p > 0): in eval it returns its input
 * untouched and leaves no node. Recorded, it is random, which an inference graph is not.
 */
function dropout(ctx: Lowering): string {
  if (ctx.bool('training', true) && ctx.num('p', 0.5) > 0) {
    ctx.fail('dropout in training mode is random and has no ONNX inference form (layers switch it off in eval(); pass training: false to the functional form)');
  }
  return alias(ctx) as string;
}

/** embedding(indices, weight) is a row gather (paddingIdx changes only the gradient). */
function embedding(ctx: Lowering): string {
  return ctx.op('Gather', [ctx.input(1), ctx.input(0)], { axis: attr.int(0) });
}

export const layerOps: Record<string, Converter> = {
  matmul: (ctx) => ctx.op('MatMul', [ctx.input(0), ctx.input(1)]),
  linear,
  conv1d: conv(1),
  conv2d: conv(2),
  convTranspose2d: convTranspose(2),
  maxPool2d: pool('MaxPool'),
  avgPool2d: pool('AveragePool'),
  adaptiveAvgPool2d,
  interpolate,
  dropout,
  embedding,
};

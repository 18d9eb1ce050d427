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

/** Explicit begin/end pads per spatial dimension, from a number, a list, 'valid' or 'same'. */
function pads(ctx: Lowering, spatial: number, kernel: readonly number[], dilations: readonly number[]): number[] {
  const p = ctx.attr('padding');
  if (p === 'valid') return Array(2 * spatial).fill(0);
  if (p === 'same') {
    // PyTorch puts the odd pixel of 'same' padding at the end, as SAME_UPPER does.
    const total = kernel.map((k, i) => dilations[i] * (k - 1));
    return [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))];
  }
  const each = ctx.ints('padding', spatial, 0);
  return [...each, ...each];
}

function convAttrs(ctx: Lowering, spatial: number, kernel: readonly number[]): Record<string, AttributeValue> {
  const dilations = ctx.ints('dilation', spatial, 1);
  return {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(ctx.ints('stride', spatial, 1)),
    pads: attr.ints(pads(ctx, spatial, kernel, dilations)),
    dilations: attr.ints(dilations),
    group: attr.int(ctx.num('groups', 1)),
  };
}

/** conv1d/conv2d: weight [out, in/groups, k…], PyTorch's and ONNX's common layout. */
function conv(spatial: number): Converter {
  return (ctx) => {
    const kernel = ctx.inputShape(1).slice(2);
    if (kernel.length !== spatial) ctx.fail(`weight must be ${spatial + 2}-D, got ${JSON.stringify(ctx.inputShape(1))}`);
    const inputs = ctx.inputCount > 2 ? [ctx.input(0), ctx.input(1), ctx.input(2)] : [ctx.input(0), ctx.input(1)];
    return ctx.op('Conv', inputs, convAttrs(ctx, spatial, kernel));
  };
}

/** convTranspose: weight [in, out/groups, k…]; outputPadding adds to one side of the output, as in PyTorch. */
function convTranspose(spatial: number): Converter {
  return (ctx) => {
    const kernel = ctx.inputShape(1).slice(2);
    if (kernel.length !== spatial) ctx.fail(`weight must be ${spatial + 2}-D, got ${JSON.stringify(ctx.inputShape(1))}`);
    const inputs = ctx.inputCount > 2 ? [ctx.input(0), ctx.input(1), ctx.input(2)] : [ctx.input(0), ctx.input(1)];
    return ctx.op('ConvTranspose', inputs, {
      ...convAttrs(ctx, spatial, kernel),
      output_padding: attr.ints(ctx.ints(ctx.attrName('outputPadding', 'outputPaddings'), spatial, 0)),
    });
  };
}

function pool(opType: 'MaxPool' | 'AveragePool'): Converter {
  return (ctx) => {
    const kernelName = ctx.attrName('kernel', 'kernelSize');
    const kernel = ctx.ints(kernelName, 2, 0);
    const stride = ctx.attr('stride') === undefined || ctx.attr('stride') === null ? kernel : ctx.ints('stride', 2, 1);
    const padding = ctx.ints('padding', 2, 0);
    const attributes: Record<string, AttributeValue> = {
      kernel_shape: attr.ints(kernel),
      strides: attr.ints(stride),
      pads: attr.ints([...padding, ...padding]),
      ceil_mode: attr.int(ctx.bool('ceilMode', false) ? 1 : 0),
    };
    // PyTorch averages over the zero padding too unless told otherwise; ONNX's default is the reverse.
    if (opType === 'AveragePool') attributes.count_include_pad = attr.int(ctx.bool('countIncludePad', true) ? 1 : 0);
    return ctx.op(opType, [ctx.input(0)], attributes);
  };
}

/** Adaptive average pooling is a plain average pool when the output divides the input evenly. */
function adaptiveAvgPool2d(ctx: Lowering): string {
  const [, , h, w] = ctx.inputShape(0);
  const [, , oh, ow] = ctx.output().shape;
  if (oh === 1 && ow === 1) return ctx.op('GlobalAveragePool', [ctx.input(0)]);
  if (h % oh !== 0 || w % ow !== 0) {
    ctx.fail(`output ${oh}x${ow} does not divide input ${h}x${w}: windows of unequal size have no ONNX operator`);
  }
  const kernel = [h / oh, w / ow];
  return ctx.op('AveragePool', [ctx.input(0)], { kernel_shape: attr.ints(kernel), strides: attr.ints(kernel) });
}

/**
 * Upsample / interpolate as Resize. PyTorch's 'nearest' picks floor(out·in/outSize), ONNX's
 * asymmetric + floor; 'bilinear' without alignCorners is pytorch_half_pixel.
 */
function upsample(ctx: Lowering): string {
  const mode = ctx.attr('mode') ?? 'nearest';
  const alignCorners = ctx.bool('alignCorners', false);
  let attributes: Record<string, AttributeValue>;
  if (mode === 'nearest') {
    attributes = { mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor') };
  } else if (mode === 'bilinear' || mode === 'linear') {
    attributes = { mode: attr.string('linear'), coordinate_transformation_mode: attr.string(alignCorners ? 'align_corners' : 'pytorch_half_pixel') };
  } else {
    return ctx.fail(`mode ${JSON.stringify(mode)} is not one of 'nearest', 'bilinear'`);
  }
  const inShape = ctx.inputShape(0);
  const outShape = ctx.output().shape;
  const scales = outShape.map((d, i) => d / inShape[i]);
  // Whole-number scales are exact in float32; other ratios go as target sizes, which Resize cannot misround.
  if (scales.every((s) => Number.isInteger(s))) return ctx.op('Resize', [ctx.input(0), '', ctx.constant(scales, 'float32', [scales.length])], attributes);
  return ctx.op('Resize', [ctx.input(0), '', '', ctx.outputShape()], attributes);
}

function dropout(ctx: Lowering): string {
  const training = ctx.bool('training', false);
  if (training && ctx.num('p', 0.5) > 0) ctx.fail('dropout in training mode is random and has no ONNX inference form (layers switch it off in eval(); pass training: false to the functional form)');
  return alias(ctx) as string;
}

/** embedding(indices, weight) is a row gather; float indices (before int32 tensors existed) are cast. */
function embedding(ctx: Lowering): string {
  let [idx, table] = [0, 1];
  if (ctx.inputDtype(1) === 'int32') [idx, table] = [1, 0];
  const indices = ctx.inputDtype(idx) === 'int32' ? ctx.input(idx) : ctx.op('Cast', [ctx.input(idx)], { to: attr.int(7) });
  return ctx.op('Gather', [ctx.input(table), indices], { axis: attr.int(0) });
}

export const layerOps: Record<string, Converter> = {
  matmul: (ctx) => ctx.op('MatMul', [ctx.input(0), ctx.input(1)]),
  linear,
  conv1d: conv(1),
  conv2d: conv(2),
  convTranspose1d: convTranspose(1),
  convTranspose2d: convTranspose(2),
  maxPool2d: pool('MaxPool'),
  avgPool2d: pool('AveragePool'),
  adaptiveAvgPool2d,
  upsample,
  interpolate: upsample,
  dropout,
  embedding,
};

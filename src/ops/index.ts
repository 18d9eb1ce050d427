/** The differentiable ops as functions; importing this also attaches them as Tensor methods. */
import './methods.ts';
export { add, sub, mul, div, pow, neg, clone, cast, type Operand } from './arithmetic.ts';
export { exp, log, log1p, sqrt, abs, sin, cos, erf, sign, clamp, minimum, maximum } from './math.ts';
export { eq, ne, lt, le, gt, ge, logicalNot, where, maskedFill } from './compare.ts';
export { relu, sigmoid, tanh, leakyRelu, elu, gelu, silu, softplus, logSigmoid, type GeluOptions } from './activation.ts';
export { softmax, logSoftmax } from './softmax.ts';
export { sum, mean, max, min, argmax, argmin, variance as var, std, logsumexp, type Axes } from './reduce.ts';
export { reshape, flatten, squeeze, unsqueeze, transpose, permute, expand, repeat } from './view.ts';
export { cat, stack, split, chunk } from './join.ts';
export { narrow, select, indexSelect, gather } from './indexing.ts';
export { matmul } from './matmul.ts';
export { linear } from './linear.ts';
export { conv2d, type Conv2dOptions } from './conv.ts';
export { conv1d, type Conv1dOptions } from './conv1d.ts';
export { convTranspose2d, type ConvTranspose2dOptions } from './conv-transpose.ts';
export { maxPool2d, avgPool2d, adaptiveAvgPool2d } from './pool.ts';
export { interpolate, type InterpolateOptions, type InterpolateMode } from './upsample.ts';
export { layerNorm, groupNorm, batchNorm, type NormOptions, type BatchNormOptions } from './norm.ts';
export { embedding, type EmbeddingOptions } from './embedding.ts';
export { attention, causalMask, type AttentionOptions } from './attention.ts';
export { unbind } from './unbind.ts';
export { dropout } from './dropout.ts';
export {
  mseLoss, l1Loss, smoothL1Loss, huberLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits, nllLoss, crossEntropy,
  type Labels, type LossOptions, type Reduction, type CrossEntropyOptions, type NllOptions,
} from './losses.ts';
export { trace, type TraceEvent } from './trace.ts';

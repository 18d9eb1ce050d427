/** The stateless forms of the layers and losses: plain functions of tensors. */
export { relu, sigmoid, tanh, leakyRelu, elu, gelu, silu, softplus, logSigmoid, type GeluOptions } from '../ops/activation.ts';
export { softmax, logSoftmax } from '../ops/softmax.ts';
export { linear } from '../ops/linear.ts';
export { conv2d, type Conv2dOptions } from '../ops/conv.ts';
export { conv1d, type Conv1dOptions } from '../ops/conv1d.ts';
export { convTranspose2d, type ConvTranspose2dOptions } from '../ops/conv-transpose.ts';
export { maxPool2d, avgPool2d, adaptiveAvgPool2d } from '../ops/pool.ts';
export { interpolate, type InterpolateOptions, type InterpolateMode } from '../ops/upsample.ts';
export { layerNorm, groupNorm, batchNorm, type NormOptions, type BatchNormOptions } from '../ops/norm.ts';
export { embedding, type EmbeddingOptions } from '../ops/embedding.ts';
export { attention, causalMask, type AttentionOptions } from '../ops/attention.ts';
export { dropout } from '../ops/dropout.ts';
export {
  mseLoss, l1Loss, smoothL1Loss, huberLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits, nllLoss, crossEntropy,
  type Labels, type LossOptions, type Reduction, type CrossEntropyOptions, type NllOptions,
} from '../ops/losses.ts';

/** The stateless forms of the layers and losses: plain functions of tensors. */
export { relu, sigmoid, tanh } from '../ops/activation.ts';
export { softmax, logSoftmax } from '../ops/softmax.ts';
export { linear } from '../ops/linear.ts';
export { conv2d, type Conv2dOptions } from '../ops/conv.ts';
export { maxPool2d } from '../ops/pool.ts';
export { dropout } from '../ops/dropout.ts';
export { mseLoss, crossEntropy, binaryCrossEntropy, type Labels } from '../ops/losses.ts';

/** The differentiable ops, importable as functions; importing this also attaches the Tensor methods. */
import './methods.ts';
export { add, sub, mul, div, neg, pow, clone } from './arithmetic.ts';
export { exp, log, sqrt, abs } from './math.ts';
export { relu, sigmoid, tanh } from './activation.ts';
export { softmax, logSoftmax } from './softmax.ts';
export { sum, mean, max, argmax, type Axes } from './reduce.ts';
export { reshape, flatten, transpose } from './view.ts';
export { matmul } from './matmul.ts';
export { result, type BackwardFn } from './record.ts';
export { sumToShape } from './broadcast.ts';
export { conv2d, type Conv2dOptions } from './conv.ts';
export { maxPool2d } from './pool.ts';
export { linear } from './linear.ts';
export { dropout } from './dropout.ts';
export { mseLoss, crossEntropy, binaryCrossEntropy, type Labels } from './losses.ts';

/**
 * Attaches the ops to `Tensor` as chainable methods (`x.matmul(w).add(b).relu()`).
 *
 * The Tensor class lives in `src/tensor/` and knows nothing of the math; this module adds
 * the methods to its prototype and declares them to TypeScript through module augmentation,
 * so the dependency runs one way: ops → tensor.
 */
import { Tensor } from '../tensor/tensor.ts';
import type { Shape } from '../tensor/shape.ts';
import { add, clone, div, mul, neg, pow, sub } from './arithmetic.ts';
import { abs, exp, log, sqrt } from './math.ts';
import { relu, sigmoid, tanh } from './activation.ts';
import { logSoftmax, softmax } from './softmax.ts';
import { argmax, max, mean, sum, type Axes } from './reduce.ts';
import { flatten, reshape, transpose } from './view.ts';
import { matmul } from './matmul.ts';

declare module '../tensor/tensor.ts' {
  interface Tensor {
    /** Elementwise this + o, with broadcasting. */
    add(o: Tensor | number): Tensor;
    /** Elementwise this − o, with broadcasting. */
    sub(o: Tensor | number): Tensor;
    /** Elementwise this · o, with broadcasting. */
    mul(o: Tensor | number): Tensor;
    /** Elementwise this / o, with broadcasting. */
    div(o: Tensor | number): Tensor;
    /** Elementwise −this. */
    neg(): Tensor;
    /** Elementwise thisᵖ. */
    pow(p: number): Tensor;
    /** Elementwise eˣ. */
    exp(): Tensor;
    /** Elementwise natural log. */
    log(): Tensor;
    /** Elementwise square root. */
    sqrt(): Tensor;
    /** Elementwise absolute value. */
    abs(): Tensor;
    /** Matrix product (2-D, batched 3-D). */
    matmul(o: Tensor): Tensor;
    /** Sum over all elements or the given axis/axes. */
    sum(axis?: Axes, keepDim?: boolean): Tensor;
    /** Mean over all elements or the given axis/axes. */
    mean(axis?: Axes, keepDim?: boolean): Tensor;
    /** Maximum over all elements or along an axis. */
    max(axis?: number, keepDim?: boolean): Tensor;
    /** Index of the maximum along an axis. */
    argmax(axis?: number): Tensor;
    /** Same values, new shape (one dimension may be −1). */
    reshape(shape: Shape): Tensor;
    /** Swaps two dimensions (default: the last two). */
    transpose(a?: number, b?: number): Tensor;
    /** Collapses dimensions from startDim on into one. */
    flatten(startDim?: number): Tensor;
    /** max(0, x). */
    relu(): Tensor;
    /** Logistic sigmoid. */
    sigmoid(): Tensor;
    /** Hyperbolic tangent. */
    tanh(): Tensor;
    /** Softmax along an axis (default: last). */
    softmax(axis?: number): Tensor;
    /** Log-softmax along an axis (default: last). */
    logSoftmax(axis?: number): Tensor;
    /** A copy with its own storage, still in the graph. */
    clone(): Tensor;
  }
}

const methods: Record<string, (this: Tensor, ...args: never[]) => Tensor> = {
  add(o: Tensor | number) { return add(this, o); },
  sub(o: Tensor | number) { return sub(this, o); },
  mul(o: Tensor | number) { return mul(this, o); },
  div(o: Tensor | number) { return div(this, o); },
  neg() { return neg(this); },
  pow(p: number) { return pow(this, p); },
  exp() { return exp(this); },
  log() { return log(this); },
  sqrt() { return sqrt(this); },
  abs() { return abs(this); },
  matmul(o: Tensor) { return matmul(this, o); },
  sum(axis?: Axes, keepDim?: boolean) { return sum(this, axis, keepDim); },
  mean(axis?: Axes, keepDim?: boolean) { return mean(this, axis, keepDim); },
  max(axis?: number, keepDim?: boolean) { return max(this, axis, keepDim); },
  argmax(axis?: number) { return argmax(this, axis); },
  reshape(shape: Shape) { return reshape(this, shape); },
  transpose(a?: number, b?: number) { return transpose(this, a, b); },
  flatten(startDim?: number) { return flatten(this, startDim); },
  relu() { return relu(this); },
  sigmoid() { return sigmoid(this); },
  tanh() { return tanh(this); },
  softmax(axis?: number) { return softmax(this, axis); },
  logSoftmax(axis?: number) { return logSoftmax(this, axis); },
  clone() { return clone(this); },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}

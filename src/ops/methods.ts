/**
 * The ops as chainable Tensor methods (`x.matmul(w).add(b).relu()`), declared once: each
 * method is the op function of the same name with the tensor as its first argument, and its
 * TypeScript signature is derived from that function, so a method can never drift from its op.
 *
 * Importing this module attaches the methods to `Tensor.prototype` (the public entry point
 * does). Ops themselves never call methods, so any op file works on its own without it.
 */
import { Tensor } from '../tensor/tensor.ts';
import { add, cast, clone, div, mul, neg, pow, sub } from './arithmetic.ts';
import { abs, clamp, cos, exp, log, sin, sqrt } from './math.ts';
import { eq, ge, gt, le, logicalNot, lt, maskedFill, ne } from './compare.ts';
import { elu, gelu, leakyRelu, logSigmoid, relu, sigmoid, silu, softplus, tanh } from './activation.ts';
import { logSoftmax, softmax } from './softmax.ts';
import { argmax, argmin, logsumexp, max, mean, min, std, sum, variance } from './reduce.ts';
import { expand, flatten, permute, repeat, reshape, squeeze, transpose, unsqueeze } from './view.ts';
import { chunk, split } from './join.ts';
import { unbind } from './unbind.ts';
import { gather, indexSelect, narrow, select } from './indexing.ts';
import { matmul } from './matmul.ts';

const methods = {
  add, sub, mul, div, pow, neg, clone, cast,
  exp, log, sqrt, abs, sin, cos, clamp,
  eq, ne, lt, le, gt, ge, logicalNot, maskedFill,
  relu, sigmoid, tanh, leakyRelu, elu, gelu, silu, softplus, logSigmoid,
  softmax, logSoftmax,
  sum, mean, max, min, var: variance, std, logsumexp, argmax, argmin,
  reshape, flatten, transpose, permute, squeeze, unsqueeze, expand, repeat,
  split, chunk, unbind, narrow, select, indexSelect, gather,
  matmul,
};

/** A function's signature with its first (tensor) parameter bound. */
type Bound<F> = F extends (x: Tensor, ...args: infer A) => infer R ? (...args: A) => R : never;

type Methods = { [K in keyof typeof methods]: Bound<(typeof methods)[K]> };

declare module '../tensor/tensor.ts' {
  // The declaration merge that gives Tensor its op methods.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Tensor extends Methods {}
}

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor, ...args: unknown[]) { return (fn as (x: Tensor, ...a: unknown[]) => unknown)(this, ...args); },
    writable: true,
    configurable: true,
  });
}

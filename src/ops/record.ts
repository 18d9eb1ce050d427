/**
 * What every differentiable op does with its result: attach, when grad mode is on and some
 * input requires a gradient, the node that `backward()` will call.
 *
 * An op's backward returns one gradient per input in the *output's* shape; un-broadcasting
 * (summing over the axes an input was stretched along) happens here, once, for every op.
 */
import { Tensor } from '../tensor/tensor.ts';
import { isGradEnabled, setGradMath } from '../tensor/autograd.ts';
import { sumToShape } from './broadcast.ts';
import { add, clone } from './arithmetic.ts';

/**
 * Gradients w.r.t. the inputs given the gradient w.r.t. the output; `needs[i]` says whether
 * input i wants one (skip the work, return null, when it does not).
 */
export type BackwardFn = (dy: Tensor, needs: readonly boolean[]) => readonly (Tensor | null | undefined)[];

export function record(op: string, out: Tensor, inputs: readonly unknown[], backward: BackwardFn): Tensor {
  if (!isGradEnabled()) return out;
  const needs = inputs.map((x) => x instanceof Tensor && x.requiresGrad);
  if (!needs.includes(true)) return out;
  const which: number[] = [];
  needs.forEach((n, i) => { if (n) which.push(i); });
  const tensors = which.map((i) => inputs[i] as Tensor);
  out.requiresGrad = true;
  out.gradFn = {
    op,
    inputs: tensors,
    backward: (dy) => {
      const grads = backward(dy, needs);
      return which.map((i, k) => {
        const g = grads[i];
        return g ? sumToShape(g, tensors[k].shape) : null;
      });
    },
  };
  return out;
}

// The engine sums gradients and copies leaves' gradients with these two ops (see autograd.ts).
setGradMath({ add: (a, b) => add(a, b), copy: (a) => clone(a) });

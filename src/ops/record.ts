/** What every op does with its result: wrap the storage in a Tensor and, if needed, record the graph. */
import { Tensor } from '../tensor/tensor.ts';
import { isGradEnabled } from '../tensor/autograd.ts';
import type { Storage } from '../tensor/storage.ts';
import type { Shape } from '../tensor/shape.ts';

/** Gradient of the loss w.r.t. each input, given the gradient w.r.t. the output (null: none needed). */
export type BackwardFn = (gradOutput: Tensor) => (Tensor | null)[];

/**
 * Makes the op's output tensor and, when grad mode is on and some input requires a gradient,
 * attaches the node that `backward()` will call. Ops on constants record nothing, so
 * inference and data preprocessing cost no graph memory.
 */
export function result(op: string, storage: Storage, shape: Shape, inputs: readonly Tensor[], backward: BackwardFn): Tensor {
  const out = new Tensor(storage, shape);
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.gradFn = { op, inputs, backward };
  }
  return out;
}

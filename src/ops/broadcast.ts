/** Bringing a broadcast gradient back to an input's shape. */
import { Tensor } from '../tensor/tensor.ts';
import { broadcastedAxes, sameShape, type Shape } from '../tensor/shape.ts';
import { backend } from '../backend/registry.ts';

/**
 * Sums `grad` over the axes along which an input of shape `shape` was stretched, so that
 * every input receives a gradient of its own shape (the chain rule for broadcasting).
 */
export function sumToShape(grad: Tensor, shape: Shape): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  const axes = broadcastedAxes(shape, grad.shape);
  return new Tensor(backend().sumAxes(grad.storage, grad.shape, axes), shape);
}

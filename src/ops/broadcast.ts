/** Bringing a broadcast gradient back to an input's shape: the chain rule for broadcasting. */
import { Tensor } from '../tensor/tensor.ts';
import { sameShape, type Shape } from '../tensor/shape.ts';
import { broadcastShapes } from '../tensor/shape.ts';
import { backend } from '../backend/registry.ts';

/** The axes of `outShape` that were stretched to broadcast `shape` up to it. */
export function broadcastedAxes(shape: Shape, outShape: Shape): number[] {
  const axes: number[] = [];
  const offset = outShape.length - shape.length;
  for (let i = 0; i < outShape.length; i++) {
    if (i < offset || (shape[i - offset] === 1 && outShape[i] !== 1)) axes.push(i);
  }
  return axes;
}

/** Sums `grad` over the axes along which an input of `shape` was stretched. */
export function sumToShape(grad: Tensor, shape: Shape): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  const axes = broadcastedAxes(shape, grad.shape);
  return new Tensor(backend().reduce('sum', grad.storage, grad.shape, axes, grad.dtype, grad.dtype), shape, { dtype: grad.dtype });
}

/** The shape all `shapes` broadcast to (NumPy rules), or a ShapeError naming `op`. */
export function broadcastAll(op: string, shapes: readonly Shape[]): Shape {
  let out: Shape = shapes[0] ?? [];
  for (let i = 1; i < shapes.length; i++) if (!sameShape(out, shapes[i])) out = broadcastShapes(op, out, shapes[i]);
  return out;
}

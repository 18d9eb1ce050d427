/** Parameter: a tensor that a Module learns. */
import { Tensor } from '../tensor/tensor.ts';
import type { Shape } from '../tensor/shape.ts';

/**
 * A learnable tensor: it requires a gradient from the start, and a Module that holds one in
 * a field lists it in `parameters()` and its `stateDict()`. Wraps the given values without
 * copying them.
 */
export class Parameter extends Tensor {
  /** `new Parameter(tensor)` adopts the tensor's values; `new Parameter(data, shape)` wraps a Float32Array. */
  constructor(value: Tensor | Float32Array, shape?: Shape) {
    if (value instanceof Tensor) super(value.storage, shape ?? value.shape, { requiresGrad: true });
    else super(value, shape ?? [value.length], { requiresGrad: true });
  }
}

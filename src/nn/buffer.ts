/** Buffer: a tensor a Module keeps and saves but does not learn. */
import { Tensor } from '../tensor/tensor.ts';
import type { Shape } from '../tensor/shape.ts';
import type { HostArray } from '../tensor/dtype.ts';

/**
 * State that belongs to a model without being trained: BatchNorm's running statistics and
 * its batch counter. A Module holding one in a field lists it in `buffers()` and in its
 * `stateDict()` (so it is saved and loaded), never in `parameters()`, and no gradient flows
 * to it. Wraps the given values without copying them, keeping their dtype.
 */
export class Buffer extends Tensor {
  /** `new Buffer(tensor)` adopts the tensor's values; `new Buffer(data, shape)` wraps a typed array. */
  constructor(value: Tensor | HostArray, shape?: Shape) {
    if (value instanceof Tensor) super(value.storage, shape ?? value.shape, { dtype: value.dtype });
    else super(value, shape ?? [value.length]);
  }
}

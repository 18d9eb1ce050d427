/**
 * The Tensor: an n-dimensional array of float32 numbers, row-major and contiguous, that
 * remembers how it was computed so gradients can flow back through it.
 *
 * This file holds the data structure only. The math (`add`, `matmul`, `relu`, …) lives in
 * `src/ops/`, one file per family, and is attached to `Tensor.prototype` by
 * `src/ops/methods.ts`; that keeps the layers of the code pointing one way (ops depend on
 * tensors, never the reverse).
 */
import { AutogradError, ShapeError, fmtShape } from './errors.ts';
import { checkShape, sizeOf, type Shape } from './shape.ts';
import { runBackward, type GradNode } from './autograd.ts';
import { toHost, type Storage } from './storage.ts';

/** Options accepted when a tensor is created. */
export interface TensorOptions {
  /** Record operations on this tensor so `backward()` can compute its gradient. Default false. */
  requiresGrad?: boolean;
}

/** An n-dimensional float32 array with reverse-mode automatic differentiation. */
export class Tensor {
  /** Length of each dimension, outermost first. */
  readonly shape: readonly number[];
  /** Number of elements. */
  readonly size: number;
  /** Whether gradients flow to (and accumulate in) this tensor. */
  requiresGrad: boolean;
  /** Gradient accumulated by `backward()`; only leaves that require a gradient keep one. */
  grad: Tensor | null = null;
  /** The recorded op that produced this tensor (null for leaves and for results made under `noGrad`). */
  gradFn: GradNode | null = null;
  private _storage: Storage;

  /** Wraps existing storage; most code should use `tensor()`, `zeros()` and friends instead. */
  constructor(storage: Storage, shape: Shape, options: TensorOptions = {}) {
    checkShape('Tensor', shape);
    const size = sizeOf(shape);
    if (storage.length !== size) {
      throw new ShapeError(`Tensor: storage holds ${storage.length} values but shape ${fmtShape(shape)} needs ${size}`);
    }
    this.shape = Object.freeze([...shape]);
    this.size = size;
    this._storage = storage;
    this.requiresGrad = options.requiresGrad ?? false;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The values as a host Float32Array (downloaded from the device first if need be). */
  get data(): Float32Array {
    if (!(this._storage instanceof Float32Array)) this._storage = toHost(this._storage);
    return this._storage;
  }

  /** The storage as the backend holds it, host or device; backends read and replace it. */
  get storage(): Storage {
    return this._storage;
  }

  /** Replaces the storage (a backend's result); it must hold exactly `size` values. */
  set storage(s: Storage) {
    if (s.length !== this.size) {
      throw new ShapeError(`Tensor.storage: new storage holds ${s.length} values, tensor ${fmtShape(this.shape)} needs ${this.size}`);
    }
    this._storage = s;
  }

  /** True for tensors created by the user rather than computed by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The single value of a one-element tensor as a JS number. */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError(`item: only a one-element tensor converts to a number, got shape ${fmtShape(this.shape)}`);
    }
    return this.data[0];
  }

  /** The values as nested JS arrays (a number for a scalar). */
  toArray(): NestedArray {
    const data = this.data;
    if (this.shape.length === 0) return data[0];
    const build = (dim: number, offset: number): NestedArray[] | number[] => {
      const n = this.shape[dim];
      if (dim === this.shape.length - 1) return Array.from(data.subarray(offset, offset + n));
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** A tensor sharing these values but cut from the graph: no gradient flows through it. */
  detach(): Tensor {
    return new Tensor(this._storage, this.shape);
  }

  /**
   * Computes the gradient of this tensor w.r.t. every leaf that requires one, accumulating
   * into their `.grad`. A non-scalar needs `gradOutput`, the gradient w.r.t. this tensor.
   */
  backward(gradOutput?: Tensor): void {
    if (!this.requiresGrad) {
      throw new AutogradError('backward: this tensor does not require grad and has no recorded graph (did you forget requiresGrad: true, or compute it under noGrad?)');
    }
    let seed: Tensor;
    if (gradOutput === undefined) {
      if (this.size !== 1) {
        throw new AutogradError(`backward: gradOutput is required for a non-scalar tensor of shape ${fmtShape(this.shape)}`);
      }
      seed = new Tensor(new Float32Array([1]), this.shape);
    } else {
      if (gradOutput.size !== this.size || gradOutput.shape.length !== this.shape.length ||
          gradOutput.shape.some((d, i) => d !== this.shape[i])) {
        throw new ShapeError(`backward: gradOutput shape ${fmtShape(gradOutput.shape)} does not match tensor shape ${fmtShape(this.shape)}`);
      }
      seed = gradOutput.detach();
    }
    runBackward(this, seed);
  }

  /** A short description with shape and (for small tensors) values. */
  toString(): string {
    const values = this.size <= 20 ? ` ${JSON.stringify(this.toArray())}` : '';
    return `Tensor(shape=${fmtShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})${values}`;
  }
}

/** Nested JS arrays of numbers, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | NestedArray[];

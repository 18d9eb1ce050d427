/**
 * The Tensor: an n-dimensional array — float32, int32 or bool — row-major and contiguous,
 * that remembers how it was computed so gradients can flow back through it.
 *
 * This file holds the data structure only. The math (`add`, `matmul`, `relu`, …) lives in
 * `src/ops/`, one file per family, and `src/ops/methods.ts` attaches it to `Tensor.prototype`
 * as chainable methods; the layers of the code point one way (ops depend on tensors).
 */
import { AutogradError, DisposedError, DTypeError, ShapeError, fmtShape } from './errors.ts';
import { checkShape, sameShape, sizeOf, type Shape } from './shape.ts';
import { runBackward, type GradNode } from './autograd.ts';
import { isHost, type Storage } from './storage.ts';
import { checkDType, dtypeOfArray, newArray, type DType, type HostArray } from './dtype.ts';
import { releaseStorage, retainStorage, trackTensor, untrackTensor } from './lifetimes.ts';
import { exposeArray } from './host-pool.ts';

export interface TensorOptions {
  /** Record operations on this tensor so `backward()` can compute its gradient (float32 only). Default false. */
  requiresGrad?: boolean;
  /** The element type; inferred from the data where it can be. Default 'float32'. */
  dtype?: DType;
}

export interface BackwardOptions {
  /**
   * Keep the recorded graph so that backward can run through it again. By default the graph
   * is freed as backward walks it, as in PyTorch, and a second pass is an error.
   */
  retainGraph?: boolean;
}

export class Tensor {
  /** Length of each dimension, outermost first. */
  readonly shape: readonly number[];
  /** Number of elements. */
  readonly size: number;
  readonly dtype: DType;
  /** Gradient accumulated by `backward()`; only leaves that require a gradient keep one. Owned by this tensor: replaced or cleared, it is disposed. */
  grad: Tensor | null = null;
  /** The recorded op that produced this tensor (null for leaves and for results made under `noGrad`). */
  gradFn: GradNode | null = null;
  /** @internal exempt from `tidy` (see `keep`). */
  kept = false;
  /** @internal */
  disposed = false;
  /** @internal the storage without the disposal check of `storage` (lifetimes.ts releases it after disposal). */
  rawStorage: Storage;
  private _requiresGrad = false;

  /** Wraps existing storage; most code should use `tensor()`, `zeros()` and friends instead. */
  constructor(storage: Storage, shape: Shape, options: TensorOptions = {}) {
    checkShape('Tensor', shape);
    const size = sizeOf(shape);
    if (storage.length !== size) {
      throw new ShapeError(`Tensor: storage holds ${storage.length} values but shape ${fmtShape(shape)} needs ${size}`);
    }
    const dtype = options.dtype === undefined ? (isHost(storage) ? dtypeOfArray(storage) : 'float32') : checkDType('Tensor', options.dtype);
    if (isHost(storage) && dtypeOfArray(storage) !== dtype) {
      throw new DTypeError(`Tensor: a ${storage.constructor.name} cannot hold a ${dtype} tensor`);
    }
    this.shape = Object.freeze([...shape]);
    this.size = size;
    this.dtype = dtype;
    this.rawStorage = storage;
    this.requiresGrad = options.requiresGrad ?? false;
    trackTensor(this);
  }

  /** Whether gradients flow to (and accumulate in) this tensor; only float32 tensors can. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(v: boolean) {
    if (v && this.dtype !== 'float32') {
      throw new DTypeError(`requiresGrad: only float32 tensors can require gradients, this one is ${this.dtype}`);
    }
    this._requiresGrad = v;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /**
   * The values as a host typed array of the tensor's dtype: Float32Array, Int32Array, or
   * Uint8Array of 0/1 for bool. On the cpu this is the tensor's own memory; a device tensor
   * is downloaded and from then on lives on the host.
   */
  get data(): HostArray {
    const s = this.storage;
    if (isHost(s)) {
      exposeArray(s); // the caller may keep it: never reused for another tensor (host-pool.ts)
      return s;
    }
    const host = newArray(this.dtype, this.size);
    host.set(s.download());
    this.storage = host;
    exposeArray(host);
    return host;
  }

  /** The storage as the backend holds it, host or device; backends read and replace it. */
  get storage(): Storage {
    if (this.disposed) {
      throw new DisposedError(
        `Tensor ${fmtShape(this.shape)} ${this.dtype} was disposed (by dispose() or at the end of the tidy() that made it); ` +
        'return it from the tidy function or pass it to tg.keep() to use it afterwards',
      );
    }
    return this.rawStorage;
  }

  /** Replaces the storage (an optimizer's update, a backend's result); it must hold exactly `size` values. */
  set storage(s: Storage) {
    if (s.length !== this.size) {
      throw new ShapeError(`Tensor.storage: new storage holds ${s.length} values, tensor ${fmtShape(this.shape)} needs ${this.size}`);
    }
    if (isHost(s) && dtypeOfArray(s) !== this.dtype) {
      throw new DTypeError(`Tensor.storage: a ${s.constructor.name} cannot hold a ${this.dtype} tensor`);
    }
    const old = this.storage;
    if (old === s) return;
    retainStorage(s);
    this.rawStorage = s;
    releaseStorage(old);
  }

  /** True for tensors created by the user rather than computed by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The single value of a one-element tensor as a JS number (bools as 0 or 1). */
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
    return new Tensor(this.storage, this.shape, { dtype: this.dtype });
  }

  /**
   * Computes the gradient of this tensor w.r.t. every leaf that requires one, accumulating
   * into their `.grad`. A non-scalar needs `gradOutput`, the gradient w.r.t. this tensor.
   */
  backward(gradOutput?: Tensor | BackwardOptions, options: BackwardOptions = {}): void {
    if (gradOutput !== undefined && !(gradOutput instanceof Tensor)) {
      if (typeof gradOutput !== 'object' || gradOutput === null) {
        throw new TypeError(`backward: expected a gradient Tensor or { retainGraph }, got ${gradOutput === null ? 'null' : typeof gradOutput}`);
      }
      options = gradOutput;
      gradOutput = undefined;
    }
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
      if (!sameShape(gradOutput.shape, this.shape)) {
        throw new ShapeError(`backward: gradOutput shape ${fmtShape(gradOutput.shape)} does not match tensor shape ${fmtShape(this.shape)}`);
      }
      if (gradOutput.dtype !== 'float32') throw new DTypeError(`backward: gradOutput must be float32, got ${gradOutput.dtype}`);
      seed = gradOutput.detach();
    }
    runBackward(this, seed, options.retainGraph ?? false);
  }

  /** Frees this tensor's memory now (device memory on the gpu); using it afterwards is an error. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    untrackTensor(this);
  }

  toString(): string {
    if (this.disposed) return `Tensor(shape=${fmtShape(this.shape)}, ${this.dtype}, disposed)`;
    const values = this.size <= 20 ? ` ${JSON.stringify(this.toArray())}` : '';
    const dtype = this.dtype === 'float32' ? '' : `, ${this.dtype}`;
    return `Tensor(shape=${fmtShape(this.shape)}${dtype}${this.requiresGrad ? ', requiresGrad' : ''})${values}`;
  }
}

/** Nested JS arrays of numbers, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | NestedArray[];

/** Creation helpers: `tensor`, `zeros`, `ones`, `full`, `rand`, `randn`, `arange`. */
import { ShapeError, fmtShape } from './errors.ts';
import { checkShape, sizeOf, type Shape } from './shape.ts';
import { randomNormal, randomUniform } from './random.ts';
import { Tensor, type NestedArray, type TensorOptions } from './tensor.ts';

/** Options for `tensor()`: the usual tensor options plus an explicit shape for flat data. */
export interface TensorFromOptions extends TensorOptions {
  /** Shape of the result; required to give flat data more than one dimension. */
  shape?: Shape;
}

function inferShape(value: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

function flattenInto(value: NestedArray, shape: number[], dim: number, out: Float32Array, offset: number): number {
  if (dim === shape.length) {
    if (typeof value !== 'number') throw new ShapeError(`tensor: ragged nested array: expected a number at depth ${dim}, found an array`);
    out[offset] = value;
    return offset + 1;
  }
  if (!Array.isArray(value) || value.length !== shape[dim]) {
    const found = Array.isArray(value) ? `length ${value.length}` : 'a number';
    throw new ShapeError(`tensor: ragged nested array: expected length ${shape[dim]} at depth ${dim}, found ${found}`);
  }
  for (const item of value) offset = flattenInto(item, shape, dim + 1, out, offset);
  return offset;
}

/**
 * A tensor from a number, nested arrays or flat data. The values are copied, so later
 * changes to the source do not leak into the tensor.
 */
export function tensor(
  values: NestedArray | Float32Array | ArrayLike<number>,
  options: TensorFromOptions = {},
): Tensor {
  let data: Float32Array;
  let inferred: number[];
  if (typeof values === 'number') {
    data = new Float32Array([values]);
    inferred = [];
  } else if (Array.isArray(values)) {
    inferred = inferShape(values);
    data = new Float32Array(sizeOf(inferred));
    flattenInto(values, inferred, 0, data, 0);
  } else {
    data = Float32Array.from(values as ArrayLike<number>);
    inferred = [data.length];
  }
  let shape: Shape = inferred;
  if (options.shape) {
    checkShape('tensor', options.shape);
    if (sizeOf(options.shape) !== data.length) {
      throw new ShapeError(`tensor: ${data.length} values cannot take shape ${fmtShape(options.shape)} (needs ${sizeOf(options.shape)})`);
    }
    shape = options.shape;
  }
  return new Tensor(data, shape, options);
}

/** A tensor of the given shape filled with `value`. */
export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  checkShape('full', shape);
  return new Tensor(new Float32Array(sizeOf(shape)).fill(value), shape, options);
}

/** A tensor of zeros. */
export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  checkShape('zeros', shape);
  return new Tensor(new Float32Array(sizeOf(shape)), shape, options);
}

/** A tensor of ones. */
export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** Uniform random values in [0, 1), from the seeded generator (`manualSeed`). */
export function rand(shape: Shape, options: TensorOptions = {}): Tensor {
  checkShape('rand', shape);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = randomUniform();
  return new Tensor(data, shape, options);
}

/** Standard normal random values, from the seeded generator (`manualSeed`). */
export function randn(shape: Shape, options: TensorOptions = {}): Tensor {
  checkShape('randn', shape);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = randomNormal();
  return new Tensor(data, shape, options);
}

/** `arange(n)` gives 0, 1, …, n−1; `arange(start, end, step?)` counts from start up to (not including) end. */
export function arange(startOrEnd: number, end?: number, step = 1): Tensor {
  const start = end === undefined ? 0 : startOrEnd;
  const stop = end === undefined ? startOrEnd : end;
  if (step === 0 || !Number.isFinite(step)) throw new RangeError(`arange: step must be a finite non-zero number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

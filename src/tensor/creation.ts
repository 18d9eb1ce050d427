/** Creation helpers: `tensor`, `zeros`, `ones`, `full`, `rand`, `randn`, `arange`. */
import { DTypeError, ShapeError, fmtShape } from './errors.ts';
import { sizeOf, type Shape } from './shape.ts';
import { randomNormal, randomUniform } from './random.ts';
import { Tensor, type NestedArray, type TensorOptions } from './tensor.ts';
import { checkDType, dtypeOfArray, isHostArray, newArray, type DType, type HostArray } from './dtype.ts';

/** Options for `tensor()`: the usual tensor options plus an explicit shape for flat data. */
export interface TensorFromOptions extends TensorOptions {
  /** Shape of the result; required to give flat data more than one dimension. */
  shape?: Shape;
}

/** Nested arrays of numbers or booleans, as `tensor()` accepts. */
export type TensorLike = NestedArray | boolean | NestedBoolArray | ArrayLike<number> | Tensor;
type NestedBoolArray = boolean[] | NestedBoolArray[];

/** The largest tensor a typed array can hold (2³¹ − 1 elements on 64-bit engines; less for bytes). */
const MAX_ELEMENTS = 2 ** 31 - 1;

/** Checks a shape argument from plain JS: an array of non-negative integers of a size that fits in memory. */
export function checkShapeArg(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) {
    const hint = typeof shape === 'number' ? ` (did you mean ${op}([${shape}, …])?)` : '';
    throw new TypeError(`${op}: shape must be an array of integers, got ${describe(shape)}${hint}`);
  }
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid shape [${shape.map(describe).join(',')}]: dimensions must be non-negative integers`);
    }
  }
  const n = sizeOf(shape);
  if (n > MAX_ELEMENTS) {
    throw new RangeError(`${op}: shape ${fmtShape(shape)} has ${n.toExponential(2)} elements, more than the ${MAX_ELEMENTS} a tensor can hold`);
  }
  return shape;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Tensor) return `a Tensor ${fmtShape(v.shape)}`;
  return v === null ? 'null' : typeof v === 'object' ? (v.constructor?.name ?? 'an object') : String(v);
}

function inferShape(value: unknown[]): number[] {
  const shape: number[] = [];
  let v: unknown = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

/** Flattens nested arrays, checking they are rectangular and hold only numbers or only booleans. */
function flattenNested(value: unknown[], shape: number[]): { values: number[]; bools: boolean } {
  const values: number[] = [];
  let kind: 'number' | 'boolean' | null = null;
  const walk = (v: unknown, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      const t = typeof v;
      if (t !== 'number' && t !== 'boolean') {
        throw new TypeError(`tensor: element at [${path.join(',')}] is ${describe(v)}; expected numbers or booleans`);
      }
      if (kind !== null && t !== kind) throw new TypeError(`tensor: mixes numbers and booleans (at [${path.join(',')}])`);
      kind = t as 'number' | 'boolean';
      values.push(Number(v));
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      const found = Array.isArray(v) ? `length ${v.length}` : describe(v);
      throw new ShapeError(`tensor: ragged nested array: expected length ${shape[dim]} at [${path.join(',')}], found ${found}`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], dim + 1, [...path, i]);
  };
  walk(value, 0, []);
  return { values, bools: kind === 'boolean' };
}

/** Copies numbers into a host array of `dtype`, refusing values the dtype cannot hold exactly. */
function fill(dtype: DType, values: ArrayLike<number>): HostArray {
  const out = newArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (dtype === 'float32') { out[i] = v; continue; }
    if (dtype === 'bool') {
      if (v !== 0 && v !== 1) throw new DTypeError(`tensor: value ${v} at index ${i} is not a bool (0/1 or true/false)`);
    } else if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
      throw new DTypeError(`tensor: value ${v} at index ${i} is not an int32 integer`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * A tensor from a number, a boolean, nested arrays or flat data. The values are copied, so
 * later changes to the source do not leak into the tensor. The dtype is float32 for numbers,
 * bool for booleans, and follows a typed array (Int32Array → int32, Uint8Array → bool,
 * other typed arrays → float32) unless `options.dtype` says otherwise.
 */
export function tensor(values: TensorLike, options: TensorFromOptions = {}): Tensor {
  if (options === null || typeof options !== 'object') throw new TypeError(`tensor: options must be an object, got ${describe(options)}`);
  const asked = options.dtype === undefined ? undefined : checkDType('tensor', options.dtype);
  let flat: ArrayLike<number>;
  let inferred: number[];
  let dtype: DType;
  if (values instanceof Tensor) {
    // As torch.tensor(t): a copy, cut from the graph.
    flat = values.data;
    inferred = [...values.shape];
    dtype = asked ?? values.dtype;
  } else if (typeof values === 'number' || typeof values === 'boolean') {
    flat = [Number(values)];
    inferred = [];
    dtype = asked ?? (typeof values === 'boolean' ? 'bool' : 'float32');
  } else if (Array.isArray(values)) {
    inferred = inferShape(values);
    const nested = flattenNested(values, inferred);
    flat = nested.values;
    dtype = asked ?? (nested.bools ? 'bool' : 'float32');
  } else if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    const arr = values as unknown as ArrayLike<number>;
    flat = arr;
    inferred = [arr.length];
    dtype = asked ?? (isHostArray(values) ? dtypeOfArray(values) : 'float32');
  } else {
    throw new TypeError(`tensor: expected a number, a boolean, nested arrays, a typed array or a Tensor, got ${describe(values)}`);
  }
  let shape: Shape = inferred;
  if (options.shape !== undefined) {
    shape = checkShapeArg('tensor', options.shape);
    if (sizeOf(shape) !== flat.length) {
      throw new ShapeError(`tensor: ${flat.length} values cannot take shape ${fmtShape(shape)} (needs ${sizeOf(shape)})`);
    }
  }
  return new Tensor(fill(dtype, flat), shape, { dtype, requiresGrad: options.requiresGrad });
}

function checkOptions(op: string, options: unknown): TensorOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${op}: options must be an object like { dtype, requiresGrad }, got ${describe(options)}${typeof options === 'number' ? ` (pass the shape as an array: ${op}([…]))` : ''}`);
  }
  return options as TensorOptions;
}

/** A tensor of the given shape filled with `value`. */
export function full(shape: Shape, value: number | boolean, options: TensorOptions = {}): Tensor {
  const s = checkShapeArg('full', shape);
  const o = checkOptions('full', options);
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new TypeError(`full: value must be a number or a boolean, got ${describe(value)}`);
  const dtype = o.dtype === undefined ? (typeof value === 'boolean' ? 'bool' : 'float32') : checkDType('full', o.dtype);
  const data = fill(dtype, [Number(value)]);
  const out = newArray(dtype, sizeOf(s));
  out.fill(data[0]);
  return new Tensor(out, s, { dtype, requiresGrad: o.requiresGrad });
}

export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  const s = checkShapeArg('zeros', shape);
  const o = checkOptions('zeros', options);
  const dtype = o.dtype === undefined ? 'float32' : checkDType('zeros', o.dtype);
  return new Tensor(newArray(dtype, sizeOf(s)), s, { dtype, requiresGrad: o.requiresGrad });
}

export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  checkShapeArg('ones', shape);
  return full(shape, 1, checkOptions('ones', options));
}

function random(op: string, shape: Shape, options: TensorOptions, draw: () => number): Tensor {
  const s = checkShapeArg(op, shape);
  const o = checkOptions(op, options);
  if (o.dtype !== undefined && o.dtype !== 'float32') throw new DTypeError(`${op}: draws float32 values, cannot make ${String(o.dtype)}`);
  const data = new Float32Array(sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return new Tensor(data, s, { requiresGrad: o.requiresGrad });
}

/** Uniform random values in [0, 1), from the seeded generator (`manualSeed`). */
export function rand(shape: Shape, options: TensorOptions = {}): Tensor {
  return random('rand', shape, options, randomUniform);
}

/** Standard normal random values, from the seeded generator (`manualSeed`). */
export function randn(shape: Shape, options: TensorOptions = {}): Tensor {
  return random('randn', shape, options, randomNormal);
}

/**
 * `arange(n)` gives 0, 1, …, n−1; `arange(start, end, step?)` counts from start up to (not
 * including) end. As in PyTorch the result is int32 when every argument is a whole number and
 * float32 otherwise; an options object last sets the dtype.
 */
export function arange(startOrEnd: number, end?: number | TensorOptions, step?: number | TensorOptions, options?: TensorOptions): Tensor {
  const args: unknown[] = [startOrEnd, end, step, options];
  const optIndex = args.findIndex((a) => a !== null && typeof a === 'object');
  const o = optIndex >= 0 ? (args[optIndex] as TensorOptions) : {};
  const nums = (optIndex >= 0 ? args.slice(0, optIndex) : args).filter((a) => a !== undefined);
  for (const a of nums) {
    if (typeof a !== 'number' || !Number.isFinite(a)) throw new TypeError(`arange: arguments must be finite numbers, got ${describe(a)}`);
  }
  if (nums.length === 0 || nums.length > 3) throw new TypeError(`arange: expected arange(end) or arange(start, end, step?), got ${nums.length} numbers`);
  const [start, stop, inc] = nums.length === 1 ? [0, nums[0] as number, 1] : [nums[0] as number, nums[1] as number, (nums[2] as number | undefined) ?? 1];
  if (inc === 0) throw new RangeError('arange: step must be a finite non-zero number, got 0');
  const n = Math.max(0, Math.ceil((stop - start) / inc));
  if (n > MAX_ELEMENTS) throw new RangeError(`arange: ${n} elements are more than a tensor can hold`);
  const dtype = o.dtype !== undefined ? checkDType('arange', o.dtype) : nums.every((a) => Number.isInteger(a)) ? 'int32' : 'float32';
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) values[i] = start + i * inc;
  return new Tensor(fill(dtype, values), [n], { dtype, requiresGrad: o.requiresGrad });
}

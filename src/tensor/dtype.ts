/**
 * Element types. A tensor holds float32 numbers (the default), int32 integers (labels,
 * indices) or bools (masks, comparison results), each in the host typed array that fits it.
 * Bools are stored one byte per element as 0 and 1.
 */
import { DTypeError } from './errors.ts';
import { takeArray } from './host-pool.ts';

export type DType = 'float32' | 'int32' | 'bool';

export const DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

/** The host array for each dtype. */
export type HostArray = Float32Array | Int32Array | Uint8Array;

export type HostArrayOf<D extends DType> = D extends 'float32' ? Float32Array : D extends 'int32' ? Int32Array : Uint8Array;

export function isDType(v: unknown): v is DType {
  return v === 'float32' || v === 'int32' || v === 'bool';
}

export function checkDType(op: string, v: unknown): DType {
  if (!isDType(v)) throw new DTypeError(`${op}: dtype must be one of ${DTYPES.join(', ')}, got ${String(v)}`);
  return v;
}

/** A zeroed host array of `n` elements (reused from a finished step when it can be: host-pool.ts). */
export function newArray<D extends DType>(dtype: D, n: number): HostArrayOf<D>;
export function newArray(dtype: DType, n: number): HostArray;
export function newArray(dtype: DType, n: number): HostArray {
  return takeArray(dtype, n);
}

/** Like `newArray`, for kernels that write every element: the contents are undefined. */
export function newArrayUnfilled<D extends DType>(dtype: D, n: number): HostArrayOf<D>;
export function newArrayUnfilled(dtype: DType, n: number): HostArray;
export function newArrayUnfilled(dtype: DType, n: number): HostArray {
  return takeArray(dtype, n, false);
}

/** The dtype whose host array `a` is. */
export function dtypeOfArray(a: HostArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

export function isHostArray(v: unknown): v is HostArray {
  return v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint8Array;
}

export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { float32: 4, int32: 4, bool: 1 };

/** Copies any array-like of numbers into a new host array of `dtype` (bools become 0/1). */
export function toArrayOf(dtype: DType, values: ArrayLike<number>): HostArray {
  const out = newArray(dtype, values.length);
  if (dtype === 'bool') for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  else out.set(values);
  return out;
}

/**
 * PyTorch's promotion for two tensor operands: bool < int32 < float32. (PyTorch keeps
 * bool + bool as bool; here arithmetic on two bools gives int32 — see docs/tensors.md.)
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === 'float32' || b === 'float32') return 'float32';
  if (a === 'int32' || b === 'int32') return 'int32';
  return 'bool';
}

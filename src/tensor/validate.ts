/**
 * The checks every layer of the code uses on values from plain JavaScript: tensors, axes,
 * hyperparameters. A bad value is caught where it is given (an op call, a layer's or an
 * optimizer's constructor, a state dict being loaded), with an error that names the function,
 * the argument and the value, rather than surfacing later as NaN weights or a TypeError from
 * deep inside.
 */
import { Tensor } from './tensor.ts';
import { DTypeError, fmtShape } from './errors.ts';
import { normalizeAxis } from './shape.ts';
import type { DType } from './dtype.ts';

/** How an error message shows a value from plain JS. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value instanceof Tensor) return `a Tensor ${fmtShape(value.shape)}`;
  if (value !== null && typeof value === 'object') return value.constructor?.name ? `a ${value.constructor.name}` : 'an object';
  return String(value);
}

function fail(where: string, name: string, value: unknown, rule: string): never {
  throw new RangeError(`${where}: ${name} must be ${rule}, got ${show(value)}`);
}

/** A finite number ≥ 0 (learning rates, weight decay, momentum). */
export function checkNonNegative(where: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(where, name, value, 'a finite number ≥ 0');
}

/** A finite number > 0 (eps, step sizes of schedules). */
export function checkPositive(where: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(where, name, value, 'a finite number > 0');
}

/** A number in [0, 1) (decay rates such as betas, alpha, the momentum of an average). */
export function checkUnitInterval(where: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) fail(where, name, value, 'in [0, 1)');
}

/** A number in [0, 1] (dampening, which may switch the new gradient off entirely). */
export function checkClosedUnitInterval(where: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail(where, name, value, 'in [0, 1]');
}

/** An integer ≥ `min` (step counts, patience). */
export function checkInteger(where: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(where, name, value, `an integer ≥ ${min}`);
  return value;
}

/** true or false. */
export function checkBoolean(where: string, name: string, value: unknown): void {
  if (typeof value !== 'boolean') fail(where, name, value, 'true or false');
}

/** One of a fixed set of strings. */
export function checkOneOf(where: string, name: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value)) fail(where, name, value, `one of ${allowed.map(show).join(', ')}`);
}

/**
 * An options object from plain JS: undefined stands for {}, and a key the function does not
 * know is refused, since a misspelt option (`{ bais: false }`) would otherwise be ignored.
 */
export function checkOptions<T extends object>(where: string, options: T | undefined, known: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`${where}: options must be an object, got ${show(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new RangeError(`${where}: unknown option '${key}' (options are ${known.join(', ')})`);
  }
  return options;
}

/** A condition between options, e.g. Nesterov needs momentum. */
export function checkThat(ok: boolean, where: string, message: string): void {
  if (!ok) throw new RangeError(`${where}: ${message}`);
}

/** A Tensor argument (a plain array or a number where a tensor belongs is the usual mistake). */
export function checkTensor(where: string, name: string, value: unknown): Tensor {
  if (value instanceof Tensor) return value;
  const hint = Array.isArray(value) ? ' (wrap arrays with tg.tensor())' : '';
  throw new TypeError(`${where}: ${name} must be a Tensor, got ${show(value)}${hint}`);
}

/** A float32 tensor, for ops that only make sense on real numbers (matmul, convolutions, losses). */
export function checkFloat(where: string, name: string, t: Tensor): Tensor {
  if (t.dtype !== 'float32') throw new DTypeError(`${where}: ${name} must be float32, got ${t.dtype} (convert with .cast('float32'))`);
  return t;
}

/** An integer tensor of indices or labels. */
export function checkIndexTensor(where: string, name: string, value: unknown): Tensor {
  const t = checkTensor(where, name, value);
  if (t.dtype !== 'int32') throw new DTypeError(`${where}: ${name} must be an int32 tensor, got ${t.dtype}`);
  return t;
}

/** An axis of a tensor with `ndim` dimensions, negative counting from the end. */
export function checkAxis(where: string, axis: unknown, ndim: number): number {
  if (typeof axis !== 'number') throw new TypeError(`${where}: axis must be an integer, got ${show(axis)}`);
  return normalizeAxis(where, axis, ndim);
}

/** A number (not a numeric string: '5' + 1 would be '51'). */
export function checkNumber(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${where}: ${name} must be a number, got ${show(value)}`);
  return value;
}

export function checkDTypeIn(where: string, t: Tensor, allowed: readonly DType[]): void {
  if (!allowed.includes(t.dtype)) throw new DTypeError(`${where}: expects ${allowed.join(' or ')} tensors, got ${t.dtype}`);
}

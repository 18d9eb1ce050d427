/**
 * Checks for hyperparameters. A bad value is caught where it is given (at construction, or
 * when a state dict is loaded), with a RangeError that names the optimizer, the option and
 * the value, rather than surfacing later as NaN weights. Also the two small helpers that the
 * Optimizer base and its state-dict loading (state-dict.ts) both use: `describe` for a bad
 * value in an error message, and `copyValue` for an option value.
 */

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
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
export function checkInteger(where: string, name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(where, name, value, `an integer ≥ ${min}`);
}

/** true or false. */
export function checkBoolean(where: string, name: string, value: unknown): void {
  if (typeof value !== 'boolean') fail(where, name, value, 'true or false');
}

/** One of a fixed set of strings. */
export function checkOneOf(where: string, name: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value)) fail(where, name, value, `one of ${allowed.map(show).join(', ')}`);
}

/** A condition between options, e.g. Nesterov needs momentum. */
export function checkThat(ok: boolean, where: string, message: string): void {
  if (!ok) throw new RangeError(`${where}: ${message}`);
}

/** A pair [beta1, beta2] of decay rates, each in [0, 1) (in [0, 1] when `closed`, as Lion allows). */
export function checkBetas(where: string, betas: unknown, closed = false): void {
  checkThat(Array.isArray(betas) && betas.length === 2, where, `betas must be a pair [beta1, beta2], got ${JSON.stringify(betas)}`);
  const check = closed ? checkClosedUnitInterval : checkUnitInterval;
  const [beta1, beta2] = betas as unknown[];
  check(where, 'betas[0]', beta1);
  check(where, 'betas[1]', beta2);
}

/** The betas option: an array is copied (the caller's cannot change the group later); anything else is kept for checkBetas to name. */
export function betasOption(given: unknown, fallback: [number, number]): [number, number] {
  return Array.isArray(given) ? [...given] as [number, number] : (given ?? fallback) as [number, number];
}

/** How a bad value is shown in an error: "a Float32Array", "the number 5", "undefined". */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object' || typeof v === 'function') {
    const name = (v as { constructor?: { name?: string } }).constructor?.name || typeof v;
    return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
  }
  return `the ${typeof v} ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
}

/** An option value as a group keeps it: arrays (betas) are copied, so groups, defaults and saved dicts never share one. */
export function copyValue(v: unknown): unknown {
  return Array.isArray(v) ? [...v] : v;
}

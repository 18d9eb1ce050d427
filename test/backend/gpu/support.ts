/**
 * Shared by the gpu backend tests: whether headless-gl works here (and a plain notice when
 * it does not), seeded random data, and a parity check against the cpu backend whose
 * tolerance follows float32 error analysis.
 */
import { expect } from 'vitest';
import { headlessGlStatus } from '../../../src/backend/gpu/modes.ts';
import { toHost, type Storage } from '../../../src/tensor/storage.ts';
import type { Backend } from '../../../src/backend/backend.ts';
import { createCpuBackend } from '../../../src/backend/cpu/index.ts';
import { createGpuBackend } from '../../../src/backend/gpu/index.ts';
import { program } from '../../../src/backend/program.ts';

const status = headlessGlStatus();

/** True when headless-gl opens a context here, so real GLSL runs (Mesa software GL under xvfb). */
export const glAvailable = status.ok;

/** Prints, once per test file that needs GL, why its headless-gl tests are skipped (and what runs `instead`). */
export function noticeIfSkipped(file: string, instead?: string): void {
  if (!glAvailable) console.warn(`headless-gl tests skipped (${file})${instead ? `, ${instead}` : ''}: ${status.reason}. To run them: ${status.fix}.`);
}

/** The cpu backend, the reference every gpu kernel is held to. */
export const cpu: Backend = createCpuBackend();

/** A gpu backend in gpu.js's headlessgl mode (real GLSL), created on first use. */
export function glBackend(): Backend {
  glInstance ??= createGpuBackend({ mode: 'headlessgl' });
  return glInstance;
}
let glInstance: Backend | null = null;

/** A gpu backend in gpu.js's cpu mode (the same generated kernels, run as JavaScript). */
export function cpuModeBackend(): Backend {
  cpuModeInstance ??= createGpuBackend({ mode: 'cpu' });
  return cpuModeInstance;
}
let cpuModeInstance: Backend | null = null;

export { random } from '../../helpers/random.ts';

/** Elementwise |x|, for error bounds. */
export function abs(x: Float32Array): Float32Array {
  return x.map(Math.abs);
}

/**
 * Expects `actual` to match `expected` elementwise within `atol + rtol·|expected|`, or within
 * a per-element bound (e.g. γ·Σ|a||b| for a sum of products). NaNs must match NaNs and
 * infinities must match exactly. Reports the first offending index.
 */
export function expectClose(
  actual: Storage, expected: Storage, label: string,
  { rtol = 2e-6, atol = 1e-6, bound }: { rtol?: number; atol?: number; bound?: Float32Array } = {},
): void {
  const a = toHost(actual), e = toHost(expected);
  expect(a.length, `${label}: length`).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const x = a[i], y = e[i];
    if (Number.isNaN(y) || !Number.isFinite(y)) {
      if (!Object.is(x, y) && !(Number.isNaN(x) && Number.isNaN(y))) expect.fail(`${label}: element ${i} is ${x}, expected ${y}`);
      continue;
    }
    const tol = bound ? atol + bound[i] : atol + rtol * Math.abs(y);
    if (!(Math.abs(x - y) <= tol)) expect.fail(`${label}: element ${i} is ${x}, expected ${y} (tolerance ${tol.toExponential(2)})`);
  }
}

/**
 * The float32 error bound of a sum of n products, for both backends together: each may be
 * off by about n·ε·Σ|terms| (ε = 2⁻²⁴), so their difference by twice that.
 */
export function sumBound(absTerms: Storage, n: number): Float32Array {
  const s = toHost(absTerms);
  const g = 2 * (n + 2) * 2 ** -24;
  return s.map((v) => g * v);
}

/** Output length of a convolution or pooling along one axis. */
export function outSize(size: number, k: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - k) / stride) + 1;
}

/** Runs a one-output elementwise program (e.g. '-x', 'x * s') on a backend over flat data. */
export function runOn(k: Backend, source: string, x: Storage, n: number, scalars: Record<string, number> = {}): Storage {
  return k.elementwise(program(source), { x: { storage: x, shape: [n], dtype: 'float32' }, ...scalars }, [n], false).out;
}

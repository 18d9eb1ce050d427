/**
 * Every op test on every backend: `forEachBackend` registers a suite once per backend that
 * runs here — the cpu backend always, and the gpu backend in real GLSL (headless-gl on Mesa,
 * as under `npm test`'s xvfb) or, where no GL context opens, in gpu.js's cpu mode, which runs
 * the same generated kernels as JavaScript. The suite's title says which.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import * as tg from '../../src/index.ts';
import { glAvailable, noticeIfSkipped } from '../backend/gpu/support.ts';

export interface BackendCase {
  /** 'cpu' or 'gpu'. */
  readonly name: 'cpu' | 'gpu';
  /** What runs the kernels, for titles: 'cpu', 'gpu (headlessgl)' or 'gpu (gpu.js cpu mode)'. */
  readonly label: string;
}

/** The gpu.js mode the gpu suites use. */
export const GPU_MODE: 'headlessgl' | 'cpu' = glAvailable ? 'headlessgl' : 'cpu';

export const BACKENDS: readonly BackendCase[] = [
  { name: 'cpu', label: 'cpu' },
  { name: 'gpu', label: glAvailable ? 'gpu (headlessgl)' : 'gpu (gpu.js cpu mode)' },
];

// One gpu backend per test file: creating another would compile every kernel again.
let gpuCreated = false;

/** Makes `b` the active backend. */
export function useBackend(b: BackendCase): void {
  if (b.name === 'cpu') tg.setBackend('cpu');
  else if (gpuCreated) tg.setBackend('gpu');
  else {
    tg.setBackend('gpu', { mode: GPU_MODE });
    gpuCreated = true;
  }
}

/**
 * Registers `suite` once per backend, inside a describe block that selects that backend for
 * its tests and goes back to the cpu afterwards. `file` names the test file in the notice
 * printed when the gpu suite has to fall back to gpu.js's cpu mode.
 */
export function forEachBackend(file: string, suite: (b: BackendCase) => void): void {
  if (!glAvailable) noticeIfSkipped(file, "running the gpu suite in gpu.js's cpu mode instead");
  for (const b of BACKENDS) {
    describe(b.label, () => {
      beforeAll(() => useBackend(b));
      afterAll(() => tg.setBackend('cpu'));
      suite(b);
    });
  }
}

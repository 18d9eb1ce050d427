/**
 * The two backends as the page uses them. tsgrad's backend is one global setting, and the
 * three panels may be busy at the same time (a model training while the lab races), so
 * each panel runs every synchronous piece of its work inside `onBackend(name, fn)`: the
 * backend is set at the start of the piece, and nothing else can run until it ends.
 */
import * as tg from 'tsgrad';

export type BackendName = 'cpu' | 'gpu';
export const BACKENDS: readonly BackendName[] = ['cpu', 'gpu'];
export const BACKEND_LABELS: Record<BackendName, string> = { cpu: 'cpu (WebAssembly)', gpu: 'gpu (WebGL, gpu.js)' };

let gpuStart: Promise<void> | null = null;

/**
 * Gets a backend ready. The gpu backend needs gpu.js, which is a large script: it is a
 * chunk of its own, fetched the first time the gpu is asked for, then handed to tsgrad as
 * a bundled app does. Rejects with a message that says what failed; the backend in use
 * stays as it was.
 */
export function startBackend(name: BackendName): Promise<void> {
  if (name === 'cpu') return Promise.resolve();
  gpuStart ??= startGpu().catch((err: unknown) => {
    gpuStart = null; // the next attempt tries again (e.g. after a network hiccup)
    throw err;
  });
  return gpuStart;
}

async function startGpu(): Promise<void> {
  let GPU: unknown;
  try {
    const mod = (await import('gpu.js')) as { GPU?: unknown; default?: { GPU?: unknown } };
    GPU = mod.GPU ?? mod.default?.GPU;
  } catch (err) {
    throw new Error(`could not load gpu.js (${err instanceof Error ? err.message : String(err)})`);
  }
  const previous = tg.getBackend();
  try {
    // With options, setBackend builds a fresh gpu backend and keeps it for later calls.
    tg.setBackend('gpu', { gpujs: GPU });
  } finally {
    tg.setBackend(previous);
  }
}

/** Runs `fn` with `name` as tsgrad's backend; `startBackend(name)` must have succeeded. */
export function onBackend<T>(name: BackendName, fn: () => T): T {
  tg.setBackend(name);
  return fn();
}

export function isBackendName(x: string | null): x is BackendName {
  return x === 'cpu' || x === 'gpu';
}

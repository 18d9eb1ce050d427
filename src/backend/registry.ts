/**
 * Which backend runs the kernels: `setBackend('cpu' | 'gpu')`, `getBackend()`. The registry
 * owns the factories, so any op works with no set-up import; the gpu backend is built (and
 * gpu.js loaded) only when first selected.
 */
import type { Backend } from './backend.ts';
import { createCpuBackend } from './cpu/index.ts';
import { createGpuBackend } from './gpu/index.ts';

type BackendFactory = (options?: Record<string, unknown>) => Backend;

const factories: Readonly<Record<string, BackendFactory>> = {
  cpu: () => createCpuBackend(),
  gpu: (options) => createGpuBackend(options),
};

const instances = new Map<string, Backend>();
let active: Backend | null = null;

/**
 * Switches the backend that every following op runs on. Tensors made before the switch
 * still work: each backend accepts the other's storage (downloading or uploading it).
 * If the backend cannot start, the active one stays as it was.
 */
export function setBackend(name: 'cpu' | 'gpu' | (string & {}), options?: Record<string, unknown>): void {
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(factories, name)) {
    throw new RangeError(`setBackend: unknown backend ${JSON.stringify(name)} (available: ${Object.keys(factories).join(', ')})`);
  }
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`setBackend: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  let instance = options ? undefined : instances.get(name);
  if (!instance) {
    instance = factories[name](options);
    instances.set(name, instance);
  }
  active = instance;
}

/** The name of the active backend ('cpu' or 'gpu'). */
export function getBackend(): string {
  return backend().name;
}

/** The active backend's kernels; ops call this for every computation. */
export function backend(): Backend {
  if (!active) setBackend('cpu');
  return active!;
}

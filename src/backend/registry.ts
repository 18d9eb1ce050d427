/** Which backend runs the kernels: `setBackend('cpu' | 'gpu')`, `getBackend()`. */
import type { Backend } from './backend.ts';

type BackendFactory = (options?: Record<string, unknown>) => Backend;

const factories = new Map<string, BackendFactory>();
const instances = new Map<string, Backend>();
let active: Backend | null = null;
let defaultName = 'cpu';

/** Makes a backend selectable by name; the factory runs on first use. */
export function registerBackend(name: string, factory: BackendFactory, isDefault = false): void {
  factories.set(name, factory);
  if (isDefault) defaultName = name;
}

/**
 * Switches the backend that every following op runs on. Tensors made before the switch
 * still work: each backend accepts the other's storage (downloading or uploading it).
 */
export function setBackend(name: string, options?: Record<string, unknown>): void {
  const factory = factories.get(name);
  if (!factory) {
    throw new Error(`setBackend: unknown backend '${name}' (available: ${[...factories.keys()].join(', ')})`);
  }
  let instance = options ? undefined : instances.get(name);
  if (!instance) {
    instance = factory(options);
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
  if (!active) setBackend(defaultName);
  return active!;
}

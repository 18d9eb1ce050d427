/** The Node implementation of the platform (see ../platform.ts). */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { createContext, runInContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import type { Files, OutputStream, PlatformName, SyncCollector, WorkerHandle, WorkerOptions } from '../platform.ts';
import { nodeFiles } from './files.ts';

export { requireOptional } from './packages.ts';

export const platformName: PlatformName = 'node';

export function env(name: string): string | undefined {
  return process.env[name];
}

export function hardwareThreads(): number {
  return availableParallelism();
}

export function workersShareMemory(): boolean {
  return true;
}

// Node allows Atomics.wait on the main thread as well as in workers.
export function canBlock(): boolean {
  return true;
}

export function startWorker(source: string, data: Record<string, unknown>, options: WorkerOptions): WorkerHandle {
  // Evaluated source text, not a file, so the worker starts the same way from the sources
  // (tsx, vitest), from dist/, or from inside someone's bundle. Eval'd workers run as
  // CommonJS scripts, hence require().
  const worker = new Worker(`${source}\nmain(require('node:worker_threads').workerData);`, {
    eval: true,
    workerData: data,
    ...(options.heapMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: options.heapMb } }),
  });
  worker.on('error', (err) => options.onError(String(err)));
  // An idle worker must not keep the process alive.
  worker.unref();
  return { terminate: () => void worker.terminate() };
}

/**
 * Relaxed SIMD is standard (Chrome 114, Node 22), but Node 20's V8 still keeps it behind
 * --experimental-wasm-relaxed-simd. V8 reads wasm feature flags when it validates a module,
 * and this flag enables nothing else.
 */
export function enableRelaxedSimd(): void {
  setFlagsFromString('--experimental-wasm-relaxed-simd');
}

export function stdout(): OutputStream {
  return process.stdout;
}

export function gunzip(bytes: Uint8Array, maxBytes: number, caller: string, options: { partial?: boolean } = {}): Uint8Array {
  try {
    return gunzipSync(bytes, {
      ...(Number.isFinite(maxBytes) ? { maxOutputLength: maxBytes } : {}),
      ...(options.partial ? { finishFlush: zlibConstants.Z_SYNC_FLUSH } : {}),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new RangeError(`${caller}: the gzip stream inflates past ${maxBytes} bytes; refused as too large`);
    }
    throw err;
  }
}

export function files(caller: string, _instead: string): Files {
  return nodeFiles(caller);
}

let collector: SyncCollector | null | undefined;

/**
 * V8 offers a synchronous collection and FinalizationRegistry.prototype.cleanupSome only
 * behind flags, which take effect in contexts created afterwards: so both come from a
 * fresh `vm` context.
 */
export function syncCollector(): SyncCollector | null {
  if (collector !== undefined) return collector;
  try {
    setFlagsFromString('--expose-gc');
    setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
    const ctx = createContext({});
    const gc = runInContext('typeof gc === "function" ? gc : null', ctx) as (() => void) | null;
    const Registry = runInContext('FinalizationRegistry', ctx) as SyncCollector['Registry'];
    collector = gc !== null && typeof Registry.prototype.cleanupSome === 'function' ? { gc, Registry } : null;
  } catch {
    collector = null;
  }
  return collector;
}

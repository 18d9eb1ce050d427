/**
 * The browser implementation of the platform (see ../platform.ts); also what bundlers and
 * other non-Node runtimes (workers, Deno, edge runtimes) get. Only web-standard globals are
 * used, looked up on globalThis so that this file compiles without the DOM typings and
 * degrades (one thread, no files) where one is missing.
 */
import { NodeOnlyError } from '../errors.ts';
import type { Files, OutputStream, PlatformName, SyncCollector, WorkerHandle, WorkerOptions } from '../platform.ts';
import { consoleLines } from './console-lines.ts';

export const platformName: PlatformName = 'browser';

interface WebGlobals {
  navigator?: { hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
  Worker?: new (url: string) => {
    postMessage(data: unknown): void;
    terminate(): void;
    onerror: ((event: { message?: string }) => void) | null;
  };
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL?(blob: object): string; revokeObjectURL?(url: string): void };
}
const web = globalThis as unknown as WebGlobals;

export function env(_name: string): string | undefined {
  return undefined;
}

export function hardwareThreads(): number {
  return Math.max(1, web.navigator?.hardwareConcurrency ?? 1);
}

// Posting a shared WebAssembly.Memory to a worker needs a cross-origin isolated page
// (served with COOP: same-origin and COEP: require-corp).
export function workersShareMemory(): boolean {
  return web.crossOriginIsolated === true && typeof web.Worker === 'function' && typeof web.Blob === 'function' &&
    typeof web.URL.createObjectURL === 'function';
}

let blocks: boolean | undefined;

/**
 * A page's main thread throws on Atomics.wait; a worker may wait. Found out once, by trying
 * (without SharedArrayBuffer, i.e. not cross-origin isolated, there are no threads to wait for).
 */
export function canBlock(): boolean {
  if (blocks !== undefined) return blocks;
  try {
    // A timeout of 0 returns at once where waiting is allowed.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0);
    blocks = true;
  } catch {
    blocks = false;
  }
  return blocks;
}

export function startWorker(source: string, data: Record<string, unknown>, options: WorkerOptions): WorkerHandle {
  const { Worker, Blob, URL } = web;
  if (!Worker || !Blob || !URL.createObjectURL) throw new Error('startWorker: this platform has no Web Workers');
  // From source text in a blob: URL, so no worker file has to be found next to a bundle.
  const script = `${source}\nself.onmessage = (e) => { self.onmessage = null; main(e.data); };`;
  const url = URL.createObjectURL(new Blob([script], { type: 'text/javascript' }));
  let worker;
  try {
    worker = new Worker(url);
  } finally {
    // The worker holds on to the script already (the URL is resolved when it is constructed).
    URL.revokeObjectURL?.(url);
  }
  worker.onerror = (event) => options.onError(event.message ?? 'worker error');
  worker.postMessage(data);
  return { terminate: () => worker.terminate() };
}

// Browsers ship relaxed SIMD unflagged (Chrome 114+) or not at all.
export function enableRelaxedSimd(): void {}

let out: OutputStream | undefined;

export function stdout(): OutputStream {
  out ??= consoleLines();
  return out;
}

export function gunzip(_bytes: Uint8Array, _maxBytes: number, caller: string, _options?: { partial?: boolean }): Uint8Array {
  throw new NodeOnlyError(
    caller,
    "decompress the bytes first, e.g. `new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer())`, " +
      'then pass the result',
    'synchronous gzip decompression',
  );
}

export function requireOptional(_name: string, _nextTo?: string): unknown {
  return null;
}

export function files(caller: string, instead: string): Files {
  throw new NodeOnlyError(caller, instead);
}

export function syncCollector(): SyncCollector | null {
  return null;
}

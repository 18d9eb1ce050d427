// Host-side helpers shared by the WebAssembly kernels other than GEMM (conv-wasm.ts,
// pool-wasm.ts): their job kinds, and the planning of one call's workspace in wasm memory.
// The kernels themselves are wasm/tasks.as.ts and the files it dispatches to.
import { wasmGemm, type WasmGemm } from './gemm-wasm.ts';
import { ThreadChoice } from './thread-choice.ts';

/** Job kinds; must match the TASK_* constants in wasm/tasks.as.ts. */
export const TASK = {
  convForward: 1,
  convGradInput: 2,
  convGradWeight: 3,
  maxPool: 4,
  convPackWeight: 5,
  program: 6,
  maxPoolGrad: 7,
  sumMiddle: 8,
} as const;

// The ticket word of a job holds the chunk count in 16 bits (gemm.as.ts), so a job has at
// most this many chunks; bigger batches put several images (or planes) in each.
const MAX_CHUNKS = 0xffff;
// Claiming and finishing a chunk costs two atomic operations and a notify, about a
// microsecond, and more when the other thread holds the futex lock. Chunks are made at least
// this much work (items × itemWork, in the caller's unit) so that this stays small: one
// plane of a 24×24 max-pool per chunk meant 6,500 chunks in an MNIST CNN step, and a third
// of the pooling's time went to claiming them.
export const MIN_CHUNK_WORK = { convMacs: 1 << 16, poolElements: 1 << 15 } as const;

/**
 * How a job of `items` images (or planes), each `itemWork` units of work, is cut into chunks
 * of at least `minChunkWork` units: items per chunk, and the chunk count.
 */
export function chunking(items: number, itemWork = 1, minChunkWork = 1): { perChunk: number; chunks: number } {
  const perChunk = Math.max(1, Math.ceil(items / MAX_CHUNKS), Math.min(items, Math.ceil(minChunkWork / Math.max(1, itemWork))));
  return { perChunk, chunks: Math.ceil(items / perChunk) };
}

/** Byte offsets of named regions laid out one after another, each 64-byte aligned. */
export function layout<K extends string>(sizes: Record<K, number>): { at: Record<K, number>; bytes: number } {
  const at = {} as Record<K, number>;
  let bytes = 0;
  for (const key of Object.keys(sizes) as K[]) {
    at[key] = bytes;
    bytes += Math.ceil(sizes[key] / 64) * 64;
  }
  return { at, bytes };
}

/** Options of the wasm conv and pool kernels, for tests and benchmarks. */
export interface TaskOptions {
  /** The kernel instance (default: the backend's own, wasmGemm()). */
  kernel?: WasmGemm | null;
  /** Share the work among threads: true or false, or 'auto' (default) by the size of the job. */
  threaded?: boolean | 'auto';
}

/** The kernel instance to run on, or null when WebAssembly is unavailable. */
export function taskKernel(options: TaskOptions): WasmGemm | null {
  return options.kernel === undefined ? wasmGemm() : options.kernel;
}

const choice = new ThreadChoice();

/**
 * Runs a published task job: shared among threads or not as `options.threaded` says, or with
 * 'auto', alone when it is small (`big` false) and otherwise as measured to pay for `shape`.
 */
export function runTask(
  kernel: WasmGemm, kind: number, params: number, chunks: number,
  options: TaskOptions, big: boolean, shape: string,
): void {
  const want = options.threaded ?? 'auto';
  if (want !== 'auto') kernel.runTask(kind, params, chunks, want);
  else if (!big || chunks < 2) kernel.runTask(kind, params, chunks, false);
  else choice.run(`${kind}:${shape}`, (threaded) => kernel.runTask(kind, params, chunks, threaded));
}

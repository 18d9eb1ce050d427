// Host side of the WebAssembly max-pooling kernel (wasm/pool.as.ts): copies the input into
// wasm memory, runs one job whose chunks are planes, shared among the threads, and copies
// the results out. The TypeScript kernel in pool.ts is the reference it is tested against,
// and the fallback when WebAssembly is unavailable.
import type { Pool2dGeometry } from '../nn-kernels.ts';
import { MIN_CHUNK_WORK, TASK, chunking, copyOut, layout, runTask, taskKernel, type TaskOptions } from './wasm-tasks.ts';

// Parameter block words; must match the constants at the top of wasm/pool.as.ts.
const POOL_PARAMS = {
  planes: 0, h: 1, w: 2, kernel: 3, stride: 4, oh: 5, ow: 6,
  x: 7, values: 8, argmax: 9, perChunk: 10,
} as const;
const PARAM_BYTES = 16 * 4;

// Threads join above this many input elements: a 2×2 pool runs at a few elements per
// nanosecond, so below ~64K elements the job is done before a worker would wake.
const THREAD_MIN_ELEMENTS = 1 << 16;

/** Max over each window and where it was (see NnKernels.maxPool2d), or null when wasm cannot run. */
export function maxPool2dWasm(
  x: Float32Array, g: Pool2dGeometry, options: TaskOptions = {},
): { values: Float32Array; argmax: Float32Array } | null {
  const kernel = taskKernel(options);
  if (kernel === null) return null;
  const planes = g.n * g.c, inSize = planes * g.h * g.w, outSize = planes * g.oh * g.ow;
  const { at, bytes } = layout({ params: PARAM_BYTES, x: inSize * 4, values: outSize * 4, argmax: outSize * 4 });
  const ws = kernel.workspace(bytes);
  if (ws === null) return null;
  const { f32, base } = ws;
  f32.set(x.subarray(0, inSize), (base + at.x) / 4);
  const { perChunk, chunks } = chunking(planes, g.h * g.w, MIN_CHUNK_WORK.poolElements);
  const words = new Int32Array(f32.buffer, base + at.params, PARAM_BYTES / 4);
  const q = POOL_PARAMS;
  words[q.planes] = planes; words[q.h] = g.h; words[q.w] = g.w;
  words[q.kernel] = g.kernel; words[q.stride] = g.stride; words[q.oh] = g.oh; words[q.ow] = g.ow;
  words[q.x] = base + at.x; words[q.values] = base + at.values; words[q.argmax] = base + at.argmax;
  words[q.perChunk] = perChunk;
  const shape = `${g.n},${g.c},${g.h},${g.w},${g.kernel},${g.stride}`;
  runTask(kernel, TASK.maxPool, base + at.params, chunks, options, inSize >= THREAD_MIN_ELEMENTS, shape);
  const v = (base + at.values) / 4, a = (base + at.argmax) / 4;
  return { values: copyOut(f32, v, outSize), argmax: copyOut(f32, a, outSize) };
}

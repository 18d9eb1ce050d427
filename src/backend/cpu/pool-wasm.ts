// Host side of the WebAssembly max-pooling kernels (wasm/pool.as.ts): copies the operands
// into wasm memory, runs one job whose chunks are planes, shared among the threads, and
// copies the results out. The TypeScript kernels in pool.ts are the reference these are
// tested against, and the fallback when WebAssembly is unavailable.
import type { Pool2dGeometry } from '../nn-kernels.ts';
import { TASK, chunking, layout, runTask, taskKernel, type TaskOptions } from './wasm-tasks.ts';

// Parameter block words; must match the constants at the top of wasm/pool.as.ts.
const POOL_PARAMS = {
  planes: 0, h: 1, w: 2, kernel: 3, stride: 4, oh: 5, ow: 6,
  x: 7, values: 8, argmax: 9, dy: 10, dx: 11, perChunk: 12,
} as const;
const PARAM_BYTES = 16 * 4;

// Threads join above this many input elements: a 2×2 pool runs at a few elements per
// nanosecond, so below ~64K elements the job is done before a worker would wake.
const THREAD_MIN_ELEMENTS = 1 << 16;

function writeParams(f32: Float32Array, at: number, g: Pool2dGeometry, addrs: { x: number; values: number; argmax: number; dy: number; dx: number }, perChunk: number): void {
  const words = new Int32Array(f32.buffer, at, PARAM_BYTES / 4);
  const q = POOL_PARAMS;
  words[q.planes] = g.n * g.c; words[q.h] = g.h; words[q.w] = g.w;
  words[q.kernel] = g.kernel; words[q.stride] = g.stride; words[q.oh] = g.oh; words[q.ow] = g.ow;
  words[q.x] = addrs.x; words[q.values] = addrs.values; words[q.argmax] = addrs.argmax;
  words[q.dy] = addrs.dy; words[q.dx] = addrs.dx; words[q.perChunk] = perChunk;
}

const shapeOf = (g: Pool2dGeometry) => `${g.n},${g.c},${g.h},${g.w},${g.kernel},${g.stride}`;

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
  const { perChunk, chunks } = chunking(planes);
  writeParams(f32, base + at.params, g, { x: base + at.x, values: base + at.values, argmax: base + at.argmax, dy: 0, dx: 0 }, perChunk);
  runTask(kernel, TASK.maxPool, base + at.params, chunks, options, inSize >= THREAD_MIN_ELEMENTS, shapeOf(g));
  const v = (base + at.values) / 4, a = (base + at.argmax) / 4;
  return { values: f32.slice(v, v + outSize), argmax: f32.slice(a, a + outSize) };
}

/** dx: each dy added where its window's maximum was, or null when wasm cannot run. */
export function maxPool2dGradWasm(
  dy: Float32Array, argmax: Float32Array, g: Pool2dGeometry, options: TaskOptions = {},
): Float32Array | null {
  const kernel = taskKernel(options);
  if (kernel === null) return null;
  const planes = g.n * g.c, inSize = planes * g.h * g.w, outSize = planes * g.oh * g.ow;
  const { at, bytes } = layout({ params: PARAM_BYTES, dy: outSize * 4, argmax: outSize * 4, dx: inSize * 4 });
  const ws = kernel.workspace(bytes);
  if (ws === null) return null;
  const { f32, base } = ws;
  f32.set(dy.subarray(0, outSize), (base + at.dy) / 4);
  f32.set(argmax.subarray(0, outSize), (base + at.argmax) / 4);
  const { perChunk, chunks } = chunking(planes);
  writeParams(f32, base + at.params, g, { x: 0, values: 0, argmax: base + at.argmax, dy: base + at.dy, dx: base + at.dx }, perChunk);
  runTask(kernel, TASK.maxPoolGrad, base + at.params, chunks, options, inSize >= THREAD_MIN_ELEMENTS, shapeOf(g));
  const d = (base + at.dx) / 4;
  return f32.slice(d, d + inSize);
}

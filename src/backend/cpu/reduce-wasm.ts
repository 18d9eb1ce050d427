// Host side of the WebAssembly sum over a middle axis (wasm/reduce.as.ts), the conv bias
// gradient's reduction: dy [N, C, H·W] summed over N and H·W, channels shared among threads.
// reduce.ts calls it only for resident arrays (resident.ts), which need no copy in; for others
// the copy would cost about what the TypeScript sum does. The TypeScript sum is the reference
// it is tested against.
import { MIN_CHUNK_WORK, TASK, chunking, layout, runTask, taskKernel, type TaskOptions } from './wasm-tasks.ts';

// Parameter block words; must match the constants at the top of wasm/reduce.as.ts.
const SUM_PARAMS = { outer: 0, kept: 1, inner: 2, x: 3, out: 4, perChunk: 5 } as const;
const PARAM_BYTES = 8 * 4;
// Threads join from this many elements on: below it the sum is done before a worker wakes.
const THREAD_MIN_ELEMENTS = 1 << 16;

/** acc[k] = Σ over o, i of x[o, k, i] for x viewed as [outer, kept, inner], in float64; null when wasm cannot run. */
export function sumMiddleAxisWasm(
  x: Float32Array, outer: number, kept: number, inner: number, options: TaskOptions = {},
): Float64Array | null {
  const kernel = taskKernel(options);
  if (kernel === null) return null;
  const n = outer * kept * inner;
  const inPlace = kernel.holds(x);
  const { at, bytes } = layout({ params: PARAM_BYTES, out: kept * 8, x: inPlace ? 0 : n * 4 });
  const ws = kernel.workspace(bytes);
  if (ws === null) return null;
  const { f32, base } = ws;
  const xAt = inPlace ? x.byteOffset : base + at.x;
  if (!inPlace) f32.set(x.subarray(0, n), xAt / 4);
  const { perChunk, chunks } = chunking(kept, outer * inner, MIN_CHUNK_WORK.poolElements);
  const words = new Int32Array(f32.buffer, base + at.params, PARAM_BYTES / 4);
  const q = SUM_PARAMS;
  words[q.outer] = outer; words[q.kept] = kept; words[q.inner] = inner;
  words[q.x] = xAt; words[q.out] = base + at.out; words[q.perChunk] = perChunk;
  runTask(kernel, TASK.sumMiddle, base + at.params, chunks, options, n >= THREAD_MIN_ELEMENTS, `${outer},${kept},${inner}`);
  // Copied element by element: a typed-array copy out of a shared buffer is slow, and this is a handful.
  const sums = new Float64Array(f32.buffer, base + at.out, kept), acc = new Float64Array(kept);
  for (let k = 0; k < kept; k++) acc[k] = sums[k];
  return acc;
}

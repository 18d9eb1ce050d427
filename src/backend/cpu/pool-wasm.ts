// Host side of the WebAssembly max-pooling kernels (wasm/pool.as.ts), forward and gradient:
// copies the inputs into wasm memory (unless they are resident arrays there already,
// resident.ts), runs one job whose chunks are planes, shared among the threads, and copies
// the results out (unless resident). The TypeScript kernels in pool.ts are the reference they
// are tested against, and the fallback when WebAssembly is unavailable.
import type { Pool2dGeometry } from '../nn-kernels.ts';
import { MIN_CHUNK_WORK, TASK, chunking, layout, runTask, taskKernel, type TaskOptions } from './wasm-tasks.ts';
import type { WasmGemm } from './gemm-wasm.ts';
import { newArrayUnfilled } from '../../tensor/dtype.ts';

// Parameter block words; must match the constants at the top of wasm/pool.as.ts.
const POOL_PARAMS = {
  planes: 0, h: 1, w: 2, kernel: 3, stride: 4, oh: 5, ow: 6,
  x: 7, values: 8, argmax: 9, perChunk: 10, dy: 11, dx: 12,
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
  // Made before the workspace is planned: a new resident array moves the workspace up.
  const values = newArrayUnfilled('float32', outSize), argmax = newArrayUnfilled('float32', outSize);
  const job = prepare(kernel, g, { x, values, argmax }, ['x']);
  if (job === null) return null;
  const { perChunk, chunks } = chunking(planes, g.h * g.w, MIN_CHUNK_WORK.poolElements);
  job.words[POOL_PARAMS.perChunk] = perChunk;
  const shape = `${g.n},${g.c},${g.h},${g.w},${g.kernel},${g.stride}`;
  runTask(kernel, TASK.maxPool, job.params, chunks, options, inSize >= THREAD_MIN_ELEMENTS, shape);
  job.copyOut(['values', 'argmax']);
  return { values, argmax };
}

/** dx of max pooling from dy and the forward's argmax (see NnKernels.maxPool2dGrad), or null when wasm cannot run. */
export function maxPool2dGradWasm(
  dy: Float32Array, argmax: Float32Array, g: Pool2dGeometry, options: TaskOptions = {},
): Float32Array | null {
  const kernel = taskKernel(options);
  if (kernel === null) return null;
  const planes = g.n * g.c, inSize = planes * g.h * g.w;
  const dx = newArrayUnfilled('float32', inSize);
  const job = prepare(kernel, g, { dy, argmax, dx }, ['dy', 'argmax']);
  if (job === null) return null;
  const { perChunk, chunks } = chunking(planes, g.h * g.w, MIN_CHUNK_WORK.poolElements);
  job.words[POOL_PARAMS.perChunk] = perChunk;
  const shape = `${g.n},${g.c},${g.h},${g.w},${g.kernel},${g.stride}`;
  runTask(kernel, TASK.maxPoolGrad, job.params, chunks, options, inSize >= THREAD_MIN_ELEMENTS, shape);
  job.copyOut(['dx']);
  return dx;
}

type Operand = 'x' | 'values' | 'argmax' | 'dy' | 'dx';

/**
 * Places the operands in wasm memory (resident arrays where they lie, the others in regions of
 * the workspace, the inputs named in `copyIn` copied there) and writes the parameter block;
 * `copyOut` then copies the named outputs that are not resident out of their regions.
 */
function prepare(
  kernel: WasmGemm, g: Pool2dGeometry, operands: Partial<Record<Operand, Float32Array>>, copyIn: Operand[],
): { words: Int32Array; params: number; copyOut: (names: Operand[]) => void } | null {
  const planes = g.n * g.c;
  const floats: Record<Operand, number> = {
    x: planes * g.h * g.w, dx: planes * g.h * g.w,
    values: planes * g.oh * g.ow, argmax: planes * g.oh * g.ow, dy: planes * g.oh * g.ow,
  };
  const names = Object.keys(operands) as Operand[];
  const regions: Record<string, number> = { params: PARAM_BYTES };
  for (const name of names) regions[name] = kernel.holds(operands[name]!) ? 0 : floats[name] * 4;
  const { at, bytes } = layout(regions);
  const ws = kernel.workspace(bytes);
  if (ws === null) return null;
  const { f32, base } = ws;
  const address: Partial<Record<Operand, number>> = {};
  for (const name of names) {
    const a = operands[name]!;
    address[name] = kernel.holds(a) ? a.byteOffset : base + at[name];
    if (copyIn.includes(name) && !kernel.holds(a)) f32.set(a.subarray(0, floats[name]), address[name]! / 4);
  }
  const words = new Int32Array(f32.buffer, base + at.params, PARAM_BYTES / 4);
  const q = POOL_PARAMS;
  words[q.planes] = planes; words[q.h] = g.h; words[q.w] = g.w;
  words[q.kernel] = g.kernel; words[q.stride] = g.stride; words[q.oh] = g.oh; words[q.ow] = g.ow;
  for (const name of names) words[q[name]] = address[name]!;
  const copyOut = (outs: Operand[]) => {
    for (const name of outs) {
      const a = operands[name]!;
      if (!kernel.holds(a)) a.set(f32.subarray(address[name]! / 4, address[name]! / 4 + floats[name]));
    }
  };
  return { words, params: base + at.params, copyOut };
}

// Host side of the WebAssembly convolution kernels (wasm/conv.as.ts): copies the operands
// into wasm memory, runs one job whose chunks are images, shared among the threads, and
// copies the result out. The TypeScript kernels in conv.ts are the reference these are
// tested against, and the fallback when WebAssembly is unavailable.
//
// The copies are linear in the data and the GEMMs are not, so they cost little: in a
// one-thread profile of an MNIST CNN training step, copying in and out of every wasm kernel
// (convolutions and pooling) took 7% of the step, the kernels themselves 65%.
import type { Conv2dGeometry } from '../nn-kernels.ts';
import { MIN_CHUNK_WORK, TASK, chunking, copyOut, layout, runTask, taskKernel, type TaskOptions } from './wasm-tasks.ts';

// Parameter block words; must match the constants at the top of wasm/conv.as.ts.
const CONV_PARAMS = {
  n: 0, c: 1, h: 2, w: 3, o: 4, kh: 5, kw: 6, stride: 7, padding: 8, oh: 9, ow: 10,
  x: 11, weight: 12, bias: 13, out: 14, dy: 15,
  area: 16, areaBytes: 17, scratchBase: 18, scratchBytes: 19, perChunk: 20,
  secondOffset: 21, partialOffset: 22, packedWeight: 23, packFor: 24,
} as const;
// The GEMM micro-kernel's tile (wasm/kernel.as.ts): packed operands are padded to it.
const MR = 4, NR = 8;
const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;
const align64 = (bytes: number) => roundUp(bytes, 64);
const PARAM_BYTES = 32 * 4;

// A job is shared among threads above this many multiply-adds. Below it, waking a worker
// (tens of microseconds) costs more than the worker saves; the figure is the GEMM's own
// threshold (gemm-wasm.ts), which per-image jobs of the same size behave like.
const THREAD_MIN_MACS = 128 * 128 * 128;

type Kind = 'forward' | 'gradInput' | 'gradWeight';

/**
 * Lays out one call in wasm memory, writes the parameter block and the inputs, runs the job
 * and returns the memory view and output offset; null when WebAssembly is unavailable or its
 * memory cannot grow that far.
 */
function run(
  kind: Kind, g: Conv2dGeometry, inputs: { x?: Float32Array; weight?: Float32Array; bias?: Float32Array | null; dy?: Float32Array },
  options: TaskOptions,
): { f32: Float32Array; out: number; partials: number[] } | null {
  const kernel = taskKernel(options);
  if (kernel === null) return null;
  const K = g.c * g.kh * g.kw, P = g.oh * g.ow;
  const imageFloats = g.c * g.h * g.w;
  const outFloats = kind === 'forward' ? g.n * g.o * P : kind === 'gradInput' ? g.n * imageFloats : 0;
  const pointwise = g.kh === 1 && g.kw === 1 && g.stride === 1 && g.padding === 0;
  // Each thread's area: first the image's cols (packed for the forward; plain for the weight
  // gradient, or the input gradient's dcols; none for the backward of a pointwise conv), then
  // the input gradient's packed dy, or the weight gradient's partial sum.
  const firstBytes = kind === 'forward' ? align64(K * roundUp(P, NR) * 4) : pointwise ? 0 : align64(K * P * 4);
  const secondBytes = kind === 'gradInput' ? align64(g.o * roundUp(P, NR) * 4)
    : kind === 'gradWeight' ? align64(g.o * K * 4) : 0;
  const areaBytes = firstBytes + secondBytes;
  // The weight, packed once as the A operand of every image's product.
  const packedBytes = kind === 'forward' ? roundUp(g.o, MR) * K * 4 : kind === 'gradInput' ? roundUp(K, MR) * g.o * 4 : 0;
  const { at, bytes } = layout({
    params: PARAM_BYTES,
    packedWeight: packedBytes,
    x: inputs.x ? g.n * imageFloats * 4 : 0,
    weight: inputs.weight ? g.o * K * 4 : 0,
    bias: inputs.bias ? g.o * 4 : 0,
    dy: inputs.dy ? g.n * g.o * P * 4 : 0,
    out: outFloats * 4,
    areas: kernel.threads * areaBytes,
  });
  const ws = kernel.workspace(bytes);
  if (ws === null) return null;
  const { f32, base } = ws;
  const addr = (offset: number) => base + offset;
  if (inputs.weight) f32.set(inputs.weight.subarray(0, g.o * K), addr(at.weight) / 4);
  if (inputs.x) f32.set(inputs.x.subarray(0, g.n * imageFloats), addr(at.x) / 4);
  if (inputs.bias) f32.set(inputs.bias.subarray(0, g.o), addr(at.bias) / 4);
  if (inputs.dy) f32.set(inputs.dy.subarray(0, g.n * g.o * P), addr(at.dy) / 4);
  const partials = kind === 'gradWeight'
    ? Array.from({ length: kernel.threads }, (_, t) => addr(at.areas) + t * areaBytes + firstBytes)
    : [];
  for (const p of partials) f32.fill(0, p / 4, p / 4 + g.o * K);

  const { perChunk, chunks } = chunking(g.n, g.o * K * P, MIN_CHUNK_WORK.convMacs);
  const words = new Int32Array(f32.buffer, addr(at.params), PARAM_BYTES / 4);
  const q = CONV_PARAMS;
  words[q.n] = g.n; words[q.c] = g.c; words[q.h] = g.h; words[q.w] = g.w; words[q.o] = g.o;
  words[q.kh] = g.kh; words[q.kw] = g.kw; words[q.stride] = g.stride; words[q.padding] = g.padding;
  words[q.oh] = g.oh; words[q.ow] = g.ow;
  words[q.x] = inputs.x ? addr(at.x) : 0;
  words[q.weight] = inputs.weight ? addr(at.weight) : 0;
  words[q.bias] = inputs.bias ? addr(at.bias) : 0;
  words[q.out] = addr(at.out);
  words[q.dy] = inputs.dy ? addr(at.dy) : 0;
  words[q.area] = addr(at.areas); words[q.areaBytes] = areaBytes;
  words[q.scratchBase] = ws.scratchBase; words[q.scratchBytes] = ws.scratchBytes;
  words[q.perChunk] = perChunk;
  words[q.secondOffset] = firstBytes; words[q.partialOffset] = firstBytes;
  words[q.packedWeight] = packedBytes > 0 ? addr(at.packedWeight) : 0;
  words[q.packFor] = kind === 'forward' ? 1 : 2;
  if (packedBytes > 0) kernel.runTask(TASK.convPackWeight, addr(at.params), 1, false);

  const task = kind === 'forward' ? TASK.convForward : kind === 'gradInput' ? TASK.convGradInput : TASK.convGradWeight;
  const shape = `${g.n},${g.c},${g.h},${g.w},${g.o},${g.kh},${g.kw},${g.stride},${g.padding}`;
  runTask(kernel, task, addr(at.params), chunks, options, g.n * g.o * K * P >= THREAD_MIN_MACS, shape);
  return { f32, out: addr(at.out), partials };
}

/** y [N,O,oH,oW] = conv(x, w) (+ bias), or null when the wasm kernel cannot run. */
export function conv2dWasm(
  x: Float32Array, weight: Float32Array, bias: Float32Array | null, g: Conv2dGeometry, options: TaskOptions = {},
): Float32Array | null {
  const r = run('forward', g, { x, weight, bias }, options);
  if (r === null) return null;
  return copyOut(r.f32, r.out / 4, g.n * g.o * g.oh * g.ow);
}

/** dx [N,C,H,W] from dy and w, or null when the wasm kernel cannot run. */
export function conv2dGradInputWasm(
  dy: Float32Array, weight: Float32Array, g: Conv2dGeometry, options: TaskOptions = {},
): Float32Array | null {
  const r = run('gradInput', g, { dy, weight }, options);
  if (r === null) return null;
  return copyOut(r.f32, r.out / 4, g.n * g.c * g.h * g.w);
}

/** dw [O,C,kH,kW] from dy and x, or null when the wasm kernel cannot run. */
export function conv2dGradWeightWasm(
  dy: Float32Array, x: Float32Array, g: Conv2dGeometry, options: TaskOptions = {},
): Float32Array | null {
  const size = g.o * g.c * g.kh * g.kw;
  const r = run('gradWeight', g, { dy, x }, options);
  if (r === null) return null;
  const [first, ...rest] = r.partials;
  const dw = copyOut(r.f32, first / 4, size);
  for (const p of rest) {
    const part = r.f32.subarray(p / 4, p / 4 + size);
    for (let i = 0; i < size; i++) dw[i] += part[i];
  }
  return dw;
}

// Host side of the WebAssembly convolution kernels (wasm/conv.as.ts): copies the operands
// into wasm memory (unless they are resident arrays there already, resident.ts), runs one job
// whose chunks are images, shared among the threads, and copies the result out (unless it is
// resident). The TypeScript kernels in conv.ts are the reference these are
// tested against, and the fallback when WebAssembly is unavailable.
//
// The copies are linear in the data and the GEMMs are not, so they cost little: in a
// one-thread profile of an MNIST CNN training step, copying in and out of every wasm kernel
// (convolutions and pooling) took 7% of the step, the kernels themselves 65%.
import type { Conv2dGeometry, ConvGradParams, ConvGradParamsWant } from '../nn-kernels.ts';
import { MIN_CHUNK_WORK, TASK, chunking, layout, runTask, taskKernel, type TaskOptions } from './wasm-tasks.ts';
import { newArrayUnfilled } from '../../tensor/dtype.ts';

// Parameter block words; must match the constants in wasm/conv-params.as.ts.
const CONV_PARAMS = {
  n: 0, c: 1, h: 2, w: 3, o: 4, kh: 5, kw: 6, stride: 7, padding: 8, oh: 9, ow: 10,
  x: 11, weight: 12, bias: 13, out: 14, dy: 15,
  area: 16, areaBytes: 17, scratchBase: 18, scratchBytes: 19, perChunk: 20,
  secondOffset: 21, partialOffset: 22, packedWeight: 23, packFor: 24, tapOffsets: 25, paddedOffset: 26, relu: 27,
  reluY: 28, dyOut: 29, maskedOffset: 30, biasGrad: 31,
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

/** What a call computes besides its kind's output. */
interface Extras {
  /** forward: store max(y, 0) (a conv fused with a ReLU). */
  relu?: boolean;
  /** gradWeight: the fused ReLU's output; dy is masked by y > 0 first. */
  reluOutput?: Float32Array | null;
  /** gradWeight with reluY: also return the masked dy (for the input gradient). */
  keepMaskedDy?: boolean;
  /** gradWeight: also return the bias gradient, Σ (masked) dy over N, oH, oW. */
  biasGrad?: boolean;
}

interface Result {
  out: Float32Array;
  bias: Float32Array | null;
  maskedDy: Float32Array | null;
}

/**
 * Lays out one call in wasm memory, writes the parameter block and the inputs, runs the job
 * and returns the result (the weight gradient summed from the threads' partial sums); null
 * when WebAssembly is unavailable or its memory cannot grow that far. Operands that are
 * resident arrays (resident.ts) are read and written where they lie; the others are copied
 * in, and the output out.
 */
function run(
  kind: Kind, g: Conv2dGeometry, inputs: { x?: Float32Array; weight?: Float32Array; bias?: Float32Array | null; dy?: Float32Array },
  options: TaskOptions, extras: Extras = {},
): Result | null {
  const kernel = taskKernel(options);
  if (kernel === null) return null;
  const reluY = kind === 'gradWeight' ? extras.reluOutput ?? null : null;
  const biasGrad = kind === 'gradWeight' && extras.biasGrad === true;
  const K = g.c * g.kh * g.kw, P = g.oh * g.ow;
  const imageFloats = g.c * g.h * g.w;
  const outFloats = kind === 'forward' ? g.n * g.o * P : kind === 'gradInput' ? g.n * imageFloats : 0;
  // Made before the workspace is planned: a new resident array moves the workspace up. The
  // weight gradient is summed into it from the threads' partial sums.
  const output = newArrayUnfilled('float32', kind === 'gradWeight' ? g.o * K : outFloats);
  const maskedDy = reluY && extras.keepMaskedDy ? newArrayUnfilled('float32', g.n * g.o * P) : null;
  const written = kind !== 'gradWeight';
  const pointwise = g.kh === 1 && g.kw === 1 && g.stride === 1 && g.padding === 0;
  // Stride 1: cols are read straight from the image, not unrolled, by the forward (8
  // neighbouring outputs read 8 neighbouring pixels per tap: convForwardDirect in
  // wasm/conv-direct.as.ts) and by the weight gradient, which keeps its partial sums transposed
  // (convGradWeightDirect). With padding, each thread first copies the image into a
  // zero-padded plane in its area (padImage), and the taps read that.
  const direct = !pointwise && g.stride === 1 && kind !== 'gradInput';
  const hp = g.h + 2 * g.padding, wp = g.w + 2 * g.padding;
  // The forward's last sliver of a row reads up to 7 floats past the image: 64 bytes spare.
  const paddedBytes = direct && g.padding > 0 ? align64(g.c * hp * wp * 4) + 64 : 0;
  // Each thread's area: first the image's cols (packed for the forward; plain for the weight
  // gradient, or the input gradient's dcols; none for the backward of a pointwise conv), then
  // the input gradient's packed dy, or the weight gradient's partial sum.
  const firstBytes = direct ? (kind === 'forward' ? 0 : align64(roundUp(g.o, NR) * P * 4))
    : kind === 'forward' ? align64(K * roundUp(P, NR) * 4) : pointwise ? 0 : align64(K * P * 4);
  const secondBytes = kind === 'gradInput' ? align64(g.o * roundUp(P, NR) * 4)
    : kind === 'gradWeight' ? align64(g.o * K * 4) : 0;
  // The weight gradient's masked image (prepareDy in wasm/conv.as.ts) and partial bias gradient.
  const maskedBytes = reluY || biasGrad ? align64(g.o * P * 4) : 0;
  const biasBytes = biasGrad ? align64(g.o * 4) : 0;
  const areaBytes = firstBytes + secondBytes + paddedBytes + maskedBytes + biasBytes;
  // The weight, packed once as the A operand of every image's product.
  const packedBytes = kind === 'forward' ? roundUp(g.o, MR) * K * 4 : kind === 'gradInput' ? roundUp(K, MR) * g.o * 4 : 0;
  const copied = (a: Float32Array | null | undefined, floats: number) => (a && !kernel.holds(a) ? floats * 4 : 0);
  const { at, bytes } = layout({
    params: PARAM_BYTES,
    packedWeight: packedBytes,
    tapOffsets: direct ? roundUp(K, MR) * 4 : 0,
    x: copied(inputs.x, g.n * imageFloats),
    weight: copied(inputs.weight, g.o * K),
    bias: copied(inputs.bias, g.o),
    dy: copied(inputs.dy, g.n * g.o * P),
    reluY: copied(reluY, g.n * g.o * P),
    dyOut: copied(maskedDy, g.n * g.o * P),
    out: written ? copied(output, outFloats) : 0,
    areas: kernel.threads * areaBytes,
  });
  const ws = kernel.workspace(bytes);
  if (ws === null) return null;
  const { f32, base } = ws;
  const addr = (offset: number) => base + offset;
  // The byte address of an operand: where it lies, or its region (copied in when `copyIn`).
  const place = (a: Float32Array | null | undefined, region: number, floats: number, copyIn: boolean) => {
    if (!a) return 0;
    if (kernel.holds(a)) return a.byteOffset;
    if (copyIn) f32.set(a.subarray(0, floats), addr(region) / 4);
    return addr(region);
  };
  const weightAt = place(inputs.weight, at.weight, g.o * K, true);
  const xAt = place(inputs.x, at.x, g.n * imageFloats, true);
  const biasAt = place(inputs.bias, at.bias, g.o, true);
  const dyAt = place(inputs.dy, at.dy, g.n * g.o * P, true);
  const outAt = written ? place(output, at.out, outFloats, false) : 0;
  const reluYAt = place(reluY, at.reluY, g.n * g.o * P, true);
  const dyOutAt = place(maskedDy, at.dyOut, g.n * g.o * P, false);
  const maskedOffset = firstBytes + secondBytes + paddedBytes;
  const partials = kind === 'gradWeight'
    ? Array.from({ length: kernel.threads }, (_, t) => addr(at.areas) + t * areaBytes + firstBytes)
    : [];
  for (const p of partials) kernel.zero(p, g.o * K * 4);
  const biasPartials = biasGrad
    ? Array.from({ length: kernel.threads }, (_, t) => addr(at.areas) + t * areaBytes + maskedOffset + maskedBytes)
    : [];
  for (const p of biasPartials) kernel.zero(p, g.o * 4);

  const { perChunk, chunks } = chunking(g.n, g.o * K * P, MIN_CHUNK_WORK.convMacs);
  const words = new Int32Array(f32.buffer, addr(at.params), PARAM_BYTES / 4);
  const q = CONV_PARAMS;
  words[q.n] = g.n; words[q.c] = g.c; words[q.h] = g.h; words[q.w] = g.w; words[q.o] = g.o;
  words[q.kh] = g.kh; words[q.kw] = g.kw; words[q.stride] = g.stride; words[q.padding] = g.padding;
  words[q.oh] = g.oh; words[q.ow] = g.ow;
  words[q.x] = xAt; words[q.weight] = weightAt; words[q.bias] = biasAt; words[q.out] = outAt; words[q.dy] = dyAt;
  words[q.area] = addr(at.areas); words[q.areaBytes] = areaBytes;
  words[q.scratchBase] = ws.scratchBase; words[q.scratchBytes] = ws.scratchBytes;
  words[q.perChunk] = perChunk;
  words[q.secondOffset] = firstBytes; words[q.partialOffset] = firstBytes;
  words[q.packedWeight] = packedBytes > 0 ? addr(at.packedWeight) : 0;
  words[q.packFor] = kind === 'forward' ? 1 : 2;
  words[q.tapOffsets] = 0;
  words[q.paddedOffset] = firstBytes + secondBytes;
  words[q.relu] = extras.relu ? 1 : 0;
  words[q.reluY] = reluYAt; words[q.dyOut] = dyOutAt; words[q.maskedOffset] = maskedOffset; words[q.biasGrad] = biasGrad ? 1 : 0;
  if (direct) {
    // Byte offset, from the input under an output, of the pixel each cols row reads: (c, i, j)
    // of the image as the kernel reads it (padded when the conv pads). Padded with zeros to
    // whole tiles of MR taps (the weight gradient reads them; their rows are dropped).
    const offsets = new Int32Array(f32.buffer, addr(at.tapOffsets), roundUp(K, MR));
    let r = 0;
    for (let c = 0; c < g.c; c++) for (let i = 0; i < g.kh; i++) for (let j = 0; j < g.kw; j++) offsets[r++] = ((c * hp + i) * wp + j) * 4;
    while (r < offsets.length) offsets[r++] = 0;
    words[q.tapOffsets] = addr(at.tapOffsets);
  }
  if (packedBytes > 0) kernel.runTask(TASK.convPackWeight, addr(at.params), 1, false);

  const task = kind === 'forward' ? TASK.convForward : kind === 'gradInput' ? TASK.convGradInput : TASK.convGradWeight;
  const shape = `${g.n},${g.c},${g.h},${g.w},${g.o},${g.kh},${g.kw},${g.stride},${g.padding}`;
  runTask(kernel, task, addr(at.params), chunks, options, g.n * g.o * K * P >= THREAD_MIN_MACS, shape);
  if (written) {
    if (!kernel.holds(output)) output.set(f32.subarray(outAt / 4, outAt / 4 + outFloats));
    return { out: output, bias: null, maskedDy: null };
  }
  if (maskedDy && !kernel.holds(maskedDy)) maskedDy.set(f32.subarray(dyOutAt / 4, dyOutAt / 4 + g.n * g.o * P));
  let bias: Float32Array | null = null;
  if (biasGrad) {
    bias = new Float32Array(g.o);
    for (const p of biasPartials) for (let o = 0; o < g.o; o++) bias[o] += f32[p / 4 + o];
  }
  const result = { out: output, bias, maskedDy };
  const size = g.o * K;
  const [first, ...rest] = partials;
  if (direct) {
    // The partial sums are dWᵀ [K, O].
    for (let o = 0; o < g.o; o++) {
      for (let t = 0; t < K; t++) {
        let sum = 0;
        for (const p of partials) sum += f32[p / 4 + t * g.o + o];
        output[o * K + t] = sum;
      }
    }
    return result;
  }
  output.set(f32.subarray(first / 4, first / 4 + size));
  for (const p of rest) {
    const part = f32.subarray(p / 4, p / 4 + size);
    for (let i = 0; i < size; i++) output[i] += part[i];
  }
  return result;
}

/**
 * y [N,O,oH,oW] = conv(x, w) (+ bias), through max(·, 0) as it is stored when `relu`, or null
 * when the wasm kernel cannot run.
 */
export function conv2dWasm(
  x: Float32Array, weight: Float32Array, bias: Float32Array | null, g: Conv2dGeometry, options: TaskOptions = {}, relu = false,
): Float32Array | null {
  return run('forward', g, { x, weight, bias }, options, { relu })?.out ?? null;
}

/** dx [N,C,H,W] from dy and w, or null when the wasm kernel cannot run. */
export function conv2dGradInputWasm(
  dy: Float32Array, weight: Float32Array, g: Conv2dGeometry, options: TaskOptions = {},
): Float32Array | null {
  const asForward = gradInputAsForward(g);
  if (asForward !== null) return run('forward', asForward, { x: dy, weight: flipTransposed(weight, g), bias: null }, options)?.out ?? null;
  return run('gradInput', g, { dy, weight }, options)?.out ?? null;
}

/**
 * The input gradient of a stride-1 conv is itself a stride-1 conv, of dy padded by k−1−p
 * with the weight flipped and its channel axes swapped:
 *   dx[c, y, x] = Σ_o Σ_ij Wᵀflipped[c, o, i, j] · dy[o, y − (k−1−p) + i, x − (k−1−p) + j]
 * which the forward runs without im2col (conv-direct.as.ts), where col2im scatter-adds every
 * cols value. It multiplies H·W / (oH·oW) times as many terms (the zeros of the padding), so
 * it is taken only where that is 1, for "same" convs (k = 2p + 1). Measured with 2 threads,
 * batch 64, 3×3 pad 1, inside tidy (the input gradient's share of a forward and backward,
 * two runs against the commit before): 16×32×32 → 32 10.9/16.6 → 8.8/9.2 ms, 32×16×16 → 32
 * 5.0/4.5 → 3.4/3.9 ms, 32×16×16 → 64 7.9/8.7 → 7.7/6.4 ms, 64×8×8 → 64 3.6/2.9 →
 * 3.6/4.4 ms (no gain). With more terms it lost (outside tidy): 5×5 valid 12×12 → 8×8 (2.25×)
 * 4.9 → 12.9 ms, 3×3 valid 26 → 24 (1.17×) 17.6 → 22.6 ms. Null where the conv is not "same".
 */
function gradInputAsForward(g: Conv2dGeometry): Conv2dGeometry | null {
  // oH = H + 2p − k + 1 equals H only where k = 2p + 1, so the padding k−1−p is p again.
  if (g.stride !== 1 || g.kh !== g.kw || g.kh === 1 || g.oh !== g.h || g.ow !== g.w) return null;
  return { ...g, c: g.o, h: g.oh, w: g.ow, o: g.c, oh: g.h, ow: g.w };
}

/** W [O, C, kH, kW] as the weight of gradInputAsForward: [C, O, kH, kW], each kernel turned by 180°. */
function flipTransposed(weight: Float32Array, g: Conv2dGeometry): Float32Array {
  const taps = g.kh * g.kw;
  const out = new Float32Array(g.c * g.o * taps);
  for (let o = 0; o < g.o; o++) {
    for (let c = 0; c < g.c; c++) {
      const from = (o * g.c + c) * taps, to = (c * g.o + o) * taps;
      for (let t = 0; t < taps; t++) out[to + taps - 1 - t] = weight[from + t];
    }
  }
  return out;
}

/** dw [O,C,kH,kW] from dy and x, or null when the wasm kernel cannot run. */
export function conv2dGradWeightWasm(
  dy: Float32Array, x: Float32Array, g: Conv2dGeometry, options: TaskOptions = {},
): Float32Array | null {
  return run('gradWeight', g, { dy, x }, options)?.out ?? null;
}

/**
 * dw, and db = Σ dy over N, oH, oW when `bias`, in one job; with `reluOutput` (the output of a
 * conv fused with a ReLU) both from dy·[y > 0], which is returned as `dy` when `keepMaskedDy`
 * (else `dy` is the one given). Null when the wasm kernel cannot run.
 */
export function conv2dGradParamsWasm(
  dy: Float32Array, x: Float32Array, g: Conv2dGeometry, want: ConvGradParamsWant<Float32Array>, options: TaskOptions = {},
): ConvGradParams<Float32Array> | null {
  const r = run('gradWeight', g, { dy, x }, options, { reluOutput: want.reluOutput, keepMaskedDy: want.keepMaskedDy, biasGrad: want.bias });
  return r && { weight: r.out, bias: r.bias, dy: r.maskedDy ?? dy };
}

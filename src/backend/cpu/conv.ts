/**
 * CPU convolution kernels: im2col + GEMM. The exported kernels run the WebAssembly version
 * (conv-wasm.ts: the same method, in SIMD, images shared among threads) and fall back to the
 * TypeScript one here when WebAssembly is unavailable; the TypeScript kernels (`…Ts`) are also
 * the reference the wasm ones are tested against.
 *
 * A convolution is a matrix product once each receptive field is unrolled into a column:
 * with K = C·kH·kW and P = oH·oW, an image becomes cols [K, P] and its output is
 * W [O, K] @ cols [K, P]. The backward passes are the same product with one operand
 * transposed: dW = Σ dY @ colsᵀ, and dcols = Wᵀ @ dY folded back onto the image (col2im).
 *
 * One GEMM per image: measured against packing 8 or all 64 images of a batch side by side
 * into one wide GEMM, it was as fast or faster (the per-image cols stay in cache, and the
 * output block needs no reordering), and its scratch memory does not grow with the batch.
 * The cols scratch buffer lives at module level and is reused across calls and images.
 * When the op records a graph it passes a workspace: the forward pass then unrolls into a
 * buffer of its own for the whole batch and leaves it there, and the weight gradient reuses
 * it instead of unrolling the same input a second time (a quarter of a CNN step's time).
 */
import type { Conv2dGeometry, ConvGradParams, ConvGradParamsWant, ConvWorkspace } from '../nn-kernels.ts';
import { program } from '../program.ts';
import { runProgram } from './program.ts';
import { toHost, type Storage } from '../../tensor/storage.ts';
import { gemm } from './gemm.ts';
import { conv2dGradInputWasm, conv2dGradParamsWasm, conv2dGradWeightWasm, conv2dWasm } from './conv-wasm.ts';
import { reduce } from './reduce.ts';

let scratch = new Float32Array(0);

/** A reusable buffer of at least `size` floats; its contents are garbage on return. */
function scratchBuffer(size: number): Float32Array {
  if (scratch.length < size) scratch = new Float32Array(size);
  return scratch.subarray(0, size);
}

/**
 * For each kernel offset, the output indices [lo, hi) whose input index o·stride − padding + k
 * lies inside [0, size); outside that range the receptive field reads padding. Computed once
 * per call so the unrolling loops carry no bounds checks.
 */
interface ValidRanges { yLo: Int32Array; yHi: Int32Array; xLo: Int32Array; xHi: Int32Array }

function validRanges(g: Conv2dGeometry): ValidRanges {
  const range = (k: number, size: number, outSize: number, lo: Int32Array, hi: Int32Array) => {
    lo[k] = Math.min(outSize, Math.max(0, Math.ceil((g.padding - k) / g.stride)));
    hi[k] = Math.max(lo[k], Math.min(outSize, Math.floor((size - 1 + g.padding - k) / g.stride) + 1));
  };
  const r = { yLo: new Int32Array(g.kh), yHi: new Int32Array(g.kh), xLo: new Int32Array(g.kw), xHi: new Int32Array(g.kw) };
  for (let i = 0; i < g.kh; i++) range(i, g.h, g.oh, r.yLo, r.yHi);
  for (let j = 0; j < g.kw; j++) range(j, g.w, g.ow, r.xLo, r.xHi);
  return r;
}

/**
 * Unrolls image `x[xOff …]` [C,H,W] into cols [K, P]:
 * row (c·kH + i)·kW + j, column oy·oW + ox holds x[c, oy·s − p + i, ox·s − p + j] or 0.
 */
function im2col(x: Float32Array, xOff: number, cols: Float32Array, g: Conv2dGeometry, r: ValidRanges): void {
  const { c: C, h: H, w: W, kh, kw, stride: s, padding: p, oh, ow } = g;
  let row = 0;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < kh; i++) {
      const oyLo = r.yLo[i], oyHi = r.yHi[i];
      for (let j = 0; j < kw; j++, row++) {
        const oxLo = r.xLo[j], oxHi = r.xHi[j];
        const base = row * oh * ow;
        for (let oy = 0; oy < oh; oy++) {
          const dst = base + oy * ow;
          if (oy < oyLo || oy >= oyHi) { cols.fill(0, dst, dst + ow); continue; }
          for (let ox = 0; ox < oxLo; ox++) cols[dst + ox] = 0;
          const src = plane + (oy * s - p + i) * W - p + j;
          if (s === 1) {
            for (let ox = oxLo; ox < oxHi; ox++) cols[dst + ox] = x[src + ox];
          } else {
            for (let ox = oxLo; ox < oxHi; ox++) cols[dst + ox] = x[src + ox * s];
          }
          for (let ox = oxHi; ox < ow; ox++) cols[dst + ox] = 0;
        }
      }
    }
  }
}

/** The adjoint of im2col: adds each column entry back onto the input pixel it was read from. */
function col2im(cols: Float32Array, dx: Float32Array, dxOff: number, g: Conv2dGeometry, r: ValidRanges): void {
  const { c: C, h: H, w: W, kh, kw, stride: s, padding: p, oh, ow } = g;
  let row = 0;
  for (let c = 0; c < C; c++) {
    const plane = dxOff + c * H * W;
    for (let i = 0; i < kh; i++) {
      const oyLo = r.yLo[i], oyHi = r.yHi[i];
      for (let j = 0; j < kw; j++, row++) {
        const oxLo = r.xLo[j], oxHi = r.xHi[j];
        const base = row * oh * ow;
        for (let oy = oyLo; oy < oyHi; oy++) {
          const srcRow = base + oy * ow;
          const dst = plane + (oy * s - p + i) * W - p + j;
          for (let ox = oxLo; ox < oxHi; ox++) dx[dst + ox * s] += cols[srcRow + ox];
        }
      }
    }
  }
}

/**
 * y[N,O,oH,oW] = conv(x, w) + bias (through max(y, 0) for 'relu'). The wasm kernel keeps nothing in `workspace`: unrolling an
 * image again in the backward pass, in cache, costs less than keeping the whole batch's cols.
 */
export function conv2d(
  xs: Storage, ws: Storage, bs: Storage | null, g: Conv2dGeometry, workspace?: ConvWorkspace, activation?: 'relu',
): Float32Array {
  const x = toHost(xs), w = toHost(ws), bias = bs ? toHost(bs) : null;
  const relu = activation === 'relu';
  const fused = conv2dWasm(x, w, bias, g, {}, relu);
  if (fused !== null) return fused;
  const y = conv2dTs(x, w, bias, g, workspace);
  return relu ? elementwise('max(x, 0)', { x: y }) : y;
}

/** The relu op's own program over flat arrays, for the TypeScript paths of the fused forms. */
function elementwise(source: string, arrays: Record<string, Float32Array>): Float32Array {
  const args: Record<string, { storage: Float32Array; shape: number[]; dtype: 'float32' }> = {};
  let n = 0;
  for (const [name, a] of Object.entries(arrays)) {
    args[name] = { storage: a, shape: [a.length], dtype: 'float32' };
    n = a.length;
  }
  return runProgram(program(source), args, [n], false).out as Float32Array;
}

/** dx[N,C,H,W] from dy[N,O,oH,oW] and w. */
export function conv2dGradInput(dys: Storage, ws: Storage, g: Conv2dGeometry): Float32Array {
  const dy = toHost(dys), w = toHost(ws);
  return conv2dGradInputWasm(dy, w, g) ?? conv2dGradInputTs(dy, w, g);
}

/**
 * dw, and db and the ReLU-masked dy when asked (see NnKernels.conv2dGradParams): one wasm job
 * that masks and sums each image of dy in cache on its way into the weight gradient. Else the
 * same from the separate kernels.
 */
export function conv2dGradParams(
  dys: Storage, xs: Storage, g: Conv2dGeometry, want: ConvGradParamsWant, workspace?: ConvWorkspace,
): ConvGradParams<Float32Array> {
  const dy = toHost(dys), y = want.reluOutput ? toHost(want.reluOutput) : null;
  if (!workspace?.cols) {
    const fused = conv2dGradParamsWasm(dy, toHost(xs), g, { bias: want.bias, reluOutput: y, keepMaskedDy: want.keepMaskedDy });
    if (fused !== null) return fused;
  }
  const masked = y ? elementwise('dy * (y > 0)', { dy, y }) : dy;
  const bias = want.bias ? reduce('sum', masked, [g.n, g.o, g.oh * g.ow], [0, 2], 'float32', 'float32') as Float32Array : null;
  return { weight: conv2dGradWeight(masked, xs, g, workspace), bias, dy: want.keepMaskedDy ? masked : dy };
}

/** dw[O,C,kH,kW] from dy and x (or, after the TypeScript forward, the cols it kept). */
export function conv2dGradWeight(dys: Storage, xs: Storage, g: Conv2dGeometry, workspace?: ConvWorkspace): Float32Array {
  const dy = toHost(dys);
  if (!workspace?.cols) {
    const dw = conv2dGradWeightWasm(dy, toHost(xs), g);
    if (dw !== null) return dw;
  }
  return conv2dGradWeightTs(dy, xs, g, workspace);
}

/** y[N,O,oH,oW] = conv(x, w) + bias: per image, W [O,K] @ cols [K,P] straight into y's block. */
export function conv2dTs(x: Float32Array, w: Float32Array, bias: Float32Array | null, g: Conv2dGeometry, workspace?: ConvWorkspace): Float32Array {
  const { n: N, o: O } = g;
  const K = g.c * g.kh * g.kw, P = g.oh * g.ow, imageSize = g.c * g.h * g.w;
  const y = new Float32Array(N * O * P);
  const saved = workspace ? (workspace.cols = new Float32Array(N * K * P)) : null;
  const ranges = validRanges(g);
  for (let n = 0; n < N; n++) {
    const cols = saved ? saved.subarray(n * K * P, (n + 1) * K * P) : scratchBuffer(K * P);
    im2col(x, n * imageSize, cols, g, ranges);
    const out = y.subarray(n * O * P, (n + 1) * O * P);
    // Starting the block at the bias and accumulating fuses the bias add into the GEMM.
    if (bias) for (let oc = 0; oc < O; oc++) out.fill(bias[oc], oc * P, (oc + 1) * P);
    gemm(w, cols, out, O, P, K, false, false, bias !== null);
  }
  return y;
}

/** dx[N,C,H,W]: per image, dcols = Wᵀ @ dy [O,P], folded back onto the image by col2im. */
export function conv2dGradInputTs(dy: Float32Array, w: Float32Array, g: Conv2dGeometry): Float32Array {
  const { n: N, o: O } = g;
  const K = g.c * g.kh * g.kw, P = g.oh * g.ow, imageSize = g.c * g.h * g.w;
  const dx = new Float32Array(N * imageSize);
  const dcols = scratchBuffer(K * P);
  const ranges = validRanges(g);
  for (let n = 0; n < N; n++) {
    gemm(w, dy.subarray(n * O * P, (n + 1) * O * P), dcols, K, P, O, true, false);
    col2im(dcols, dx, n * imageSize, g, ranges);
  }
  return dx;
}

/** dw[O,C,kH,kW] = Σ over images of dy [O,P] @ colsᵀ, accumulated in place by the GEMM. */
export function conv2dGradWeightTs(dy: Float32Array, xs: Storage, g: Conv2dGeometry, workspace?: ConvWorkspace): Float32Array {
  const { n: N, o: O } = g;
  const K = g.c * g.kh * g.kw, P = g.oh * g.ow, imageSize = g.c * g.h * g.w;
  const dw = new Float32Array(O * K);
  const saved = workspace?.cols?.length === N * K * P ? workspace.cols : null;
  const x = saved ? null : toHost(xs);
  const ranges = validRanges(g);
  for (let n = 0; n < N; n++) {
    let cols: Float32Array;
    if (saved) cols = saved.subarray(n * K * P, (n + 1) * K * P);
    else {
      cols = scratchBuffer(K * P);
      im2col(x!, n * imageSize, cols, g, ranges);
    }
    gemm(dy.subarray(n * O * P, (n + 1) * O * P), cols, dw, O, K, P, false, true, true);
  }
  return dw;
}

/**
 * CPU convolution kernels: im2col + GEMM.
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
 */
import type { Conv2dGeometry } from '../nn-kernels.ts';
import { toHost, type Storage } from '../../tensor/storage.ts';
import { gemm } from './gemm-simple.ts';

let scratch = new Float32Array(0);

/** A reusable buffer of at least `size` floats; its contents are garbage on return. */
function scratchBuffer(size: number): Float32Array {
  if (scratch.length < size) scratch = new Float32Array(size);
  return scratch.subarray(0, size);
}

/**
 * The first and one-past-last output index whose input index o·stride − padding + k lies
 * inside [0, size): outside that range the receptive field reads padding.
 */
function validRange(k: number, size: number, outSize: number, stride: number, padding: number): [number, number] {
  const lo = Math.min(outSize, Math.max(0, Math.ceil((padding - k) / stride)));
  const hi = Math.max(lo, Math.min(outSize, Math.floor((size - 1 + padding - k) / stride) + 1));
  return [lo, hi];
}

/**
 * Unrolls image `x[xOff …]` [C,H,W] into cols [K, P]:
 * row (c·kH + i)·kW + j, column oy·oW + ox holds x[c, oy·s − p + i, ox·s − p + j] or 0.
 */
function im2col(x: Float32Array, xOff: number, cols: Float32Array, g: Conv2dGeometry): void {
  const { c: C, h: H, w: W, kh, kw, stride: s, padding: p, oh, ow } = g;
  let row = 0;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < kh; i++) {
      const [oyLo, oyHi] = validRange(i, H, oh, s, p);
      for (let j = 0; j < kw; j++, row++) {
        const [oxLo, oxHi] = validRange(j, W, ow, s, p);
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
function col2im(cols: Float32Array, dx: Float32Array, dxOff: number, g: Conv2dGeometry): void {
  const { c: C, h: H, w: W, kh, kw, stride: s, padding: p, oh, ow } = g;
  let row = 0;
  for (let c = 0; c < C; c++) {
    const plane = dxOff + c * H * W;
    for (let i = 0; i < kh; i++) {
      const [oyLo, oyHi] = validRange(i, H, oh, s, p);
      for (let j = 0; j < kw; j++, row++) {
        const [oxLo, oxHi] = validRange(j, W, ow, s, p);
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

/** y[N,O,oH,oW] = conv(x, w) + bias: per image, W [O,K] @ cols [K,P] straight into y's block. */
export function conv2d(xs: Storage, ws: Storage, bs: Storage | null, g: Conv2dGeometry): Float32Array {
  const x = toHost(xs), w = toHost(ws), bias = bs ? toHost(bs) : null;
  const { n: N, o: O } = g;
  const K = g.c * g.kh * g.kw, P = g.oh * g.ow, imageSize = g.c * g.h * g.w;
  const y = new Float32Array(N * O * P);
  const cols = scratchBuffer(K * P);
  for (let n = 0; n < N; n++) {
    im2col(x, n * imageSize, cols, g);
    const out = y.subarray(n * O * P, (n + 1) * O * P);
    // Starting the block at the bias and accumulating fuses the bias add into the GEMM.
    if (bias) for (let oc = 0; oc < O; oc++) out.fill(bias[oc], oc * P, (oc + 1) * P);
    gemm(w, cols, out, O, P, K, false, false, bias !== null);
  }
  return y;
}

/** dx[N,C,H,W]: per image, dcols = Wᵀ @ dy [O,P], folded back onto the image by col2im. */
export function conv2dGradInput(dys: Storage, ws: Storage, g: Conv2dGeometry): Float32Array {
  const dy = toHost(dys), w = toHost(ws);
  const { n: N, o: O } = g;
  const K = g.c * g.kh * g.kw, P = g.oh * g.ow, imageSize = g.c * g.h * g.w;
  const dx = new Float32Array(N * imageSize);
  const dcols = scratchBuffer(K * P);
  for (let n = 0; n < N; n++) {
    gemm(w, dy.subarray(n * O * P, (n + 1) * O * P), dcols, K, P, O, true, false);
    col2im(dcols, dx, n * imageSize, g);
  }
  return dx;
}

/** dw[O,C,kH,kW] = Σ over images of dy [O,P] @ colsᵀ, accumulated in place by the GEMM. */
export function conv2dGradWeight(dys: Storage, xs: Storage, g: Conv2dGeometry): Float32Array {
  const dy = toHost(dys), x = toHost(xs);
  const { n: N, o: O } = g;
  const K = g.c * g.kh * g.kw, P = g.oh * g.ow, imageSize = g.c * g.h * g.w;
  const dw = new Float32Array(O * K);
  const cols = scratchBuffer(K * P);
  for (let n = 0; n < N; n++) {
    im2col(x, n * imageSize, cols, g);
    gemm(dy.subarray(n * O * P, (n + 1) * O * P), cols, dw, O, K, P, false, true, true);
  }
  return dw;
}

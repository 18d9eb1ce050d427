// 2-D convolution (NCHW) as im2col + GEMM (or GEMM reading the image in place), one image at a time, images shared among threads.
//
// Per image, with K = C·kH·kW and P = oH·oW:
//   forward       y[O,P]  = W[O,K] @ cols[K,P] (+ bias)            cols = im2col(x)
//   input grad    dx      = col2im(Wᵀ[K,O] @ dy[O,P])
//   weight grad   dW[O,K] += dy[O,P] @ colsᵀ[P,K]                  into this thread's partial sum
//
// Why per image and not one GEMM over the batch: an image's cols (conv2 of the MNIST CNN:
// 800×64 floats, 200 KiB) are written by im2col and read back by the GEMM while still in L2,
// and each output block lands in NCHW order; a batch-wide cols matrix (13 MiB there) goes
// through main memory twice and its product comes out [O, N·P], needing a reordering pass.
// The GEMM of one image is big enough for the kernel (64×64×800 there) and images are the
// natural unit to share among threads: no two threads write the same output, except the
// weight gradient, which each thread sums into a partial of its own and the host adds up.
// The weight gradient unrolls the input again rather than keeping the forward's cols: one
// im2col per image, in cache (3% of a one-thread MNIST CNN step), against writing the whole
// batch's cols out (13 MiB for conv2 there) and reading them back, in a second layout too,
// since the forward writes its cols packed for its own product.
//
// The forward pass and the input gradient multiply every image by the same weight, so the
// host packs it once per batch (TASK_CONV_PACK_WEIGHT, gemm-packed.as.ts), and the forward's
// im2col writes its cols straight into the GEMM's packed layout: per image, only the
// macro-kernels run. The weight gradient multiplies two per-image operands, so it calls gemm().
//
// A 1×1 kernel with stride 1 and no padding needs no unrolling: the image is its own cols.
// Other stride-1 convs read the image in place too, in the forward and the weight gradient:
// conv-direct.as.ts. The input gradient of a "same" stride-1 conv never comes here: the host
// runs it as a forward of dy (gradInputAsForward in src/backend/cpu/conv-wasm.ts).

import { NR } from './kernel.as.ts';
import { gemm, KC } from './gemm.as.ts';
import { gemmPacked, packWhole, packWholeB, roundUp } from './gemm-packed.as.ts';
import { param, copyF32, addF32, fillF32, reluF32 } from './tasks.as.ts';
import { convForwardDirect, convGradWeightDirect } from './conv-direct.as.ts';
import {
  N, C, H, W, O, KH, KW, STRIDE, PAD, OH, OW, X, WT, BIAS, OUT, DY, PER_CHUNK, SECOND_OFFSET, PARTIAL_OFFSET,
  PACKED_W, PACK_FOR, TAP_OFFSETS, RELU, RELU_Y, DY_OUT, MASKED_OFFSET, BIAS_GRAD, isPointwise, threadArea,
} from './conv-params.as.ts';

// Below this many cols rows (C·kH·kW), im2colPacked keeps the row-by-row order (see im2colSlivers).
const SLIVER_MIN_K = 64;

/**
 * First output index o in [0, outSize) whose input index o·s − pad + k is ≥ 0, and one past
 * the last whose input index is < size: outside [lo, hi) the receptive field reads padding.
 */
// @ts-ignore: decorator
@inline function validLo(k: i32, s: i32, pad: i32, outSize: i32): i32 {
  const a = pad - k;
  return min(outSize, a > 0 ? (a + s - 1) / s : 0);
}

// @ts-ignore: decorator
@inline function validHi(k: i32, size: i32, s: i32, pad: i32, outSize: i32, lo: i32): i32 {
  const b = size - 1 + pad - k;
  return max(lo, b >= 0 ? min(outSize, b / s + 1) : 0);
}

/**
 * Unrolls one image x [C,H,W] into cols [K,P]: row (c·kH + i)·kW + j, column oy·oW + ox holds
 * x[c, oy·s − pad + i, ox·s − pad + j], or 0 where that falls in the padding.
 */
function im2col(p: usize, x: usize, cols: usize): void {
  const c = param(p, C), h = param(p, H), w = param(p, W), kh = param(p, KH), kw = param(p, KW);
  const s = param(p, STRIDE), pad = param(p, PAD), oh = param(p, OH), ow = param(p, OW);
  let dst = cols;
  for (let ci = 0; ci < c; ci++) {
    const plane = x + <usize>(ci * h * w) * 4;
    for (let i = 0; i < kh; i++) {
      const oyLo = validLo(i, s, pad, oh), oyHi = validHi(i, h, s, pad, oh, oyLo);
      for (let j = 0; j < kw; j++) {
        const oxLo = validLo(j, s, pad, ow), oxHi = validHi(j, w, s, pad, ow, oxLo);
        for (let oy = 0; oy < oh; oy++) {
          if (oy < oyLo || oy >= oyHi) {
            fillF32(dst, 0, ow);
          } else {
            for (let ox = 0; ox < oxLo; ox++) store<f32>(dst + <usize>ox * 4, 0);
            // Element ox of this output row reads input column ox·s − pad + j of row iy.
            const iy = oy * s - pad + i;
            const src = plane + <usize>(iy * w + oxLo * s - pad + j) * 4;
            if (s == 1) {
              copyF32(dst + <usize>oxLo * 4, src, oxHi - oxLo);
            } else {
              for (let ox = oxLo; ox < oxHi; ox++) {
                store<f32>(dst + <usize>ox * 4, load<f32>(src + <usize>((ox - oxLo) * s) * 4));
              }
            }
            for (let ox = oxHi; ox < ow; ox++) store<f32>(dst + <usize>ox * 4, 0);
          }
          dst += <usize>ow * 4;
        }
      }
    }
  }
}

/** The adjoint of im2col: adds every cols entry onto the pixel of dx [C,H,W] it was read from. */
function col2im(p: usize, cols: usize, dx: usize): void {
  const c = param(p, C), h = param(p, H), w = param(p, W), kh = param(p, KH), kw = param(p, KW);
  const s = param(p, STRIDE), pad = param(p, PAD), oh = param(p, OH), ow = param(p, OW);
  let src = cols;
  for (let ci = 0; ci < c; ci++) {
    const plane = dx + <usize>(ci * h * w) * 4;
    for (let i = 0; i < kh; i++) {
      const oyLo = validLo(i, s, pad, oh), oyHi = validHi(i, h, s, pad, oh, oyLo);
      for (let j = 0; j < kw; j++) {
        const oxLo = validLo(j, s, pad, ow), oxHi = validHi(j, w, s, pad, ow, oxLo);
        for (let oy = oyLo; oy < oyHi; oy++) {
          const row = src + <usize>(oy * ow + oxLo) * 4;
          const iy = oy * s - pad + i;
          const dst = plane + <usize>(iy * w + oxLo * s - pad + j) * 4;
          if (s == 1) {
            addF32(dst, row, oxHi - oxLo);
          } else {
            for (let ox = 0; ox < oxHi - oxLo; ox++) {
              const d = dst + <usize>(ox * s) * 4;
              store<f32>(d, load<f32>(d) + load<f32>(row + <usize>ox * 4));
            }
          }
        }
        src += <usize>(oh * ow) * 4;
      }
    }
  }
}

/**
 * im2col straight into the packed layout of B (see gemm-packed.as.ts): cols row r, column q
 * goes to block r / KC, sliver q / NR, row r % KC, lane q % NR.
 */
function im2colPacked(p: usize, x: usize, bp: usize): void {
  const c = param(p, C), h = param(p, H), w = param(p, W), kh = param(p, KH), kw = param(p, KW);
  const s = param(p, STRIDE), pad = param(p, PAD), oh = param(p, OH), ow = param(p, OW);
  const k = c * kh * kw, pr = roundUp(oh * ow, NR);
  const wholeSlivers = ow % NR == 0;
  if (s == 1 && wholeSlivers && k >= SLIVER_MIN_K) {
    im2colSlivers(x, bp, c, h, w, kh, kw, pad, oh, ow);
    return;
  }
  let r = 0;
  for (let ci = 0; ci < c; ci++) {
    const plane = x + <usize>(ci * h * w) * 4;
    for (let i = 0; i < kh; i++) {
      const oyLo = validLo(i, s, pad, oh), oyHi = validHi(i, h, s, pad, oh, oyLo);
      for (let j = 0; j < kw; j++, r++) {
        const oxLo = validLo(j, s, pad, ow), oxHi = validHi(j, w, s, pad, ow, oxLo);
        const block = r / KC, kc = min(KC, k - block * KC);
        const rowBase = bp + <usize>(block * KC * pr + (r - block * KC) * NR) * 4;
        const sliverBytes = <usize>(kc * NR) * 4;
        for (let oy = 0; oy < oh; oy++) {
          const inside = oy >= oyLo && oy < oyHi;
          // Input address of output column 0 of this row (only read for valid columns).
          const src = plane + <usize>((oy * s - pad + i) * w - pad + j) * 4;
          let ox = 0;
          if (wholeSlivers && s == 1 && inside) {
            // Whole slivers of this output row: two vector copies each when all 8 are inside.
            for (; ox < ow; ox += NR) {
              const dst = rowBase + <usize>((oy * ow + ox) / NR) * sliverBytes;
              if (ox >= oxLo && ox + NR <= oxHi) {
                v128.store(dst, v128.load(src + <usize>ox * 4));
                v128.store(dst, v128.load(src + <usize>ox * 4, 16), 16);
              } else {
                for (let l = 0; l < NR; l++) {
                  const at = ox + l;
                  store<f32>(dst + <usize>l * 4, at >= oxLo && at < oxHi ? load<f32>(src + <usize>at * 4) : 0);
                }
              }
            }
          }
          for (; ox < ow; ox++) {
            const q = oy * ow + ox;
            const dst = rowBase + <usize>(q / NR) * sliverBytes + <usize>(q % NR) * 4;
            store<f32>(dst, inside && ox >= oxLo && ox < oxHi ? load<f32>(src + <usize>(ox * s) * 4) : 0);
          }
        }
      }
    }
  }
}

/**
 * im2colPacked for stride 1, output rows of whole slivers (oW a multiple of NR) and long cols
 * columns (k ≥ SLIVER_MIN_K), sliver by sliver: each sliver's kc×NR block is written front to
 * back, two vector copies per row where the 8 input pixels are all inside the image, while
 * the image stays in L1. Row by row, one cols row's stores land kc·32 bytes apart, 8 KiB for a
 * full k-block: the same L1 set for every sliver. CPU ms (min of 25, batch 64, one thread),
 * rows → slivers: MNIST CNN conv2 (k = 800) 14.6–15.1 → 12.6–12.8, bench CNN conv2 (k = 200)
 * 1.7–1.8 → 1.2. With few taps the rows are short and the row order wins: MNIST CNN conv1
 * (k = 25) 3.7–6.0 → 5.3–6.5.
 */
function im2colSlivers(
  x: usize, bp: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, pad: i32, oh: i32, ow: i32,
): void {
  const k = c * kh * kw, taps = kh * kw, pixels = oh * ow;
  let dst = bp;
  for (let r0 = 0; r0 < k; r0 += KC) {
    const kc = min(KC, k - r0);
    const c0 = r0 / taps, i0 = (r0 % taps) / kw, j0 = r0 % kw;
    for (let q = 0; q < pixels; q += NR) {
      const oy = q / ow, ox = q % ow;
      let ci = c0, i = i0, j = j0;
      for (let r = 0; r < kc; r++) {
        const iy = oy - pad + i, ix = ox - pad + j;
        const row = (ci * h + iy) * w;
        if (iy >= 0 && iy < h && ix >= 0 && ix + NR <= w) {
          const src = x + <usize>(row + ix) * 4;
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
        } else {
          const rowInside = iy >= 0 && iy < h;
          for (let l = 0; l < NR; l++) {
            const at = ix + l;
            store<f32>(dst + <usize>l * 4, rowInside && at >= 0 && at < w ? load<f32>(x + <usize>(row + at) * 4) : 0);
          }
        }
        dst += NR * 4;
        if (++j == kw) {
          j = 0;
          if (++i == kh) { i = 0; ci++; }
        }
      }
    }
  }
}

/** Packs the weight once for the job that follows: as A of the forward (W) or of the input gradient (Wᵀ). */
export function convPackWeight(p: usize): void {
  const o = param(p, O), k = param(p, C) * param(p, KH) * param(p, KW);
  if (param(p, PACK_FOR) == 1) packWhole(o, k, <usize>param(p, WT), k, false, <usize>param(p, PACKED_W));
  else packWhole(k, o, <usize>param(p, WT), k, true, <usize>param(p, PACKED_W));
}

/** y [N,O,oH,oW] = conv(x, W) (+ bias) (through ReLU when asked) for the images of chunk `index`. */
export function convForward(p: usize, index: i32, scratch: usize): void {
  const c = param(p, C), o = param(p, O);
  const k = c * param(p, KH) * param(p, KW), pixels = param(p, OH) * param(p, OW);
  const imageBytes = <usize>(c * param(p, H) * param(p, W)) * 4, outBytes = <usize>(o * pixels) * 4;
  const bias = <usize>param(p, BIAS), packedW = <usize>param(p, PACKED_W);
  const pointwise = isPointwise(p);
  const bp = threadArea(p, scratch);
  const per = param(p, PER_CHUNK);
  const end = min(param(p, N), (index + 1) * per);
  const offsets = <usize>param(p, TAP_OFFSETS);
  for (let n = index * per; n < end; n++) {
    const x = <usize>param(p, X) + <usize>n * imageBytes;
    const y = <usize>param(p, OUT) + <usize>n * outBytes;
    if (offsets != 0) {
      convForwardDirect(p, x, y, offsets, bp, scratch);
      continue;
    }
    // Starting each output row at its bias and accumulating fuses the bias add into the GEMM.
    if (bias != 0) {
      for (let oc = 0; oc < o; oc++) fillF32(y + <usize>(oc * pixels) * 4, load<f32>(bias + <usize>oc * 4), pixels);
    }
    if (pointwise) packWholeB(k, pixels, x, pixels, false, bp);
    else im2colPacked(p, x, bp);
    gemmPacked(o, pixels, k, packedW, bp, y, pixels, bias != 0, scratch);
    if (param(p, RELU) != 0) reluF32(y, o * pixels);
  }
}

/**
 * dx [N,C,H,W] from dy [N,O,oH,oW] and W, for the images of chunk `index`.
 *
 * Tried on 2026-12-02 and dropped: for stride 1, adding each 4×8 tile of dcols straight onto
 * dx (8 unaligned vector read-add-writes a tile, taps ordered channel-minor so that a tile's
 * rows do not overlap; dy packed per output row; taps in blocks of 32–128 so the packed Wᵀ
 * stays in L1) instead of writing dcols for col2im. It was no faster: batch 64, one thread /
 * two, ms, col2im → direct: the bench CNN's 8×12×12 → 16 by 5×5 0.93 / 0.54 → 0.96 / 0.47,
 * `npm run mnist`'s 32×12×12 → 64 by 5×5 10.7 / 5.4 → 11.7 / 6.2.
 */
export function convGradInput(p: usize, index: i32, scratch: usize): void {
  const c = param(p, C), o = param(p, O);
  const k = c * param(p, KH) * param(p, KW), pixels = param(p, OH) * param(p, OW);
  const imageFloats = c * param(p, H) * param(p, W);
  const outBytes = <usize>(o * pixels) * 4;
  const packedWt = <usize>param(p, PACKED_W);
  const pointwise = isPointwise(p);
  const dcols = threadArea(p, scratch);
  const bp = dcols + <usize>param(p, SECOND_OFFSET);
  const per = param(p, PER_CHUNK);
  const end = min(param(p, N), (index + 1) * per);
  for (let n = index * per; n < end; n++) {
    const dx = <usize>param(p, OUT) + <usize>(n * imageFloats) * 4;
    const dy = <usize>param(p, DY) + <usize>n * outBytes;
    packWholeB(o, pixels, dy, pixels, false, bp);
    if (pointwise) {
      gemmPacked(c, pixels, o, packedWt, bp, dx, pixels, false, scratch);
    } else {
      gemmPacked(k, pixels, o, packedWt, bp, dcols, pixels, false, scratch);
      fillF32(dx, 0, imageFloats);
      col2im(p, dcols, dx);
    }
  }
}

/**
 * One image's dy [O,P] as the weight gradient reads it: masked by y > 0 when the conv was fused
 * with a ReLU (into `masked`, in the thread's area, or into `out`, the whole batch's masked dy
 * that the input gradient reads next); and, when `sums` is not 0, each channel's sum added to
 * the partial bias gradient there. Returns the address of the dy to use. One pass over an image
 * in cache, where the unfused backward made two over the batch: the mask as an elementwise
 * program, the bias gradient as a reduction.
 */
function prepareDy(dy: usize, y: usize, out: usize, masked: usize, sums: usize, o: i32, pixels: i32): usize {
  const target = y == 0 ? dy : out != 0 ? out : masked;
  const zero = f32x4.splat(0);
  for (let ch = 0; ch < o; ch++) {
    const row = <usize>(ch * pixels) * 4;
    let acc = f32x4.splat(0), tail: f32 = 0;
    let i = 0;
    for (; i + 4 <= pixels; i += 4) {
      let v = v128.load(dy + row + <usize>i * 4);
      if (y != 0) {
        // dy·[y > 0]: the relu program's 'dy * (x > 0)', a multiply by 1 or 0 (NaN·0 stays NaN).
        const on = f32x4.gt(v128.load(y + row + <usize>i * 4), zero);
        v = f32x4.mul(v, v128.and(on, f32x4.splat(1)));
        v128.store(target + row + <usize>i * 4, v);
      }
      acc = f32x4.add(acc, v);
    }
    for (; i < pixels; i++) {
      let v = load<f32>(dy + row + <usize>i * 4);
      if (y != 0) {
        v = v * (load<f32>(y + row + <usize>i * 4) > 0 ? 1 : 0);
        store<f32>(target + row + <usize>i * 4, v);
      }
      tail += v;
    }
    if (sums != 0) {
      const at = sums + <usize>ch * 4;
      store<f32>(at, load<f32>(at) + (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3) + tail));
    }
  }
  return target;
}

/**
 * Adds dy [O,P] @ colsᵀ of the images of chunk `index` to this thread's partial weight
 * gradient [O,K] (zeroed by the host before the job; the host sums the partials after it),
 * with dy first masked by the fused ReLU's output and the partial bias gradient summed, when
 * the parameter block asks (prepareDy).
 */
export function convGradWeight(p: usize, index: i32, scratch: usize): void {
  const c = param(p, C), o = param(p, O);
  const k = c * param(p, KH) * param(p, KW), pixels = param(p, OH) * param(p, OW);
  const imageBytes = <usize>(c * param(p, H) * param(p, W)) * 4, outBytes = <usize>(o * pixels) * 4;
  const pointwise = isPointwise(p);
  const area = threadArea(p, scratch);
  const partial = area + <usize>param(p, PARTIAL_OFFSET);
  const per = param(p, PER_CHUNK);
  const end = min(param(p, N), (index + 1) * per);
  const offsets = <usize>param(p, TAP_OFFSETS);
  const reluY = <usize>param(p, RELU_Y), dyOut = <usize>param(p, DY_OUT);
  const masked = area + <usize>param(p, MASKED_OFFSET);
  const biasSums = param(p, BIAS_GRAD) != 0 ? masked + <usize>((o * pixels * 4 + 63) & ~63) : 0;
  for (let n = index * per; n < end; n++) {
    const x = <usize>param(p, X) + <usize>n * imageBytes;
    let dy = <usize>param(p, DY) + <usize>n * outBytes;
    if (reluY != 0 || biasSums != 0) {
      dy = prepareDy(dy, reluY != 0 ? reluY + <usize>n * outBytes : 0, dyOut != 0 ? dyOut + <usize>n * outBytes : 0, masked, biasSums, o, pixels);
    }
    if (offsets != 0) {
      convGradWeightDirect(p, x, dy, area, partial, offsets, scratch);
      continue;
    }
    if (!pointwise) im2col(p, x, area);
    gemm(o, k, pixels, dy, pixels, false, pointwise ? x : area, pixels, true, partial, k, true, scratch);
  }
}

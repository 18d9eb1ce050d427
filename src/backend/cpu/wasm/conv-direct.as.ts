// A convolution's forward pass and weight gradient without im2col, for stride 1. conv.as.ts
// runs them per image when the host (src/backend/cpu/conv-wasm.ts) has written the tap offsets.
//
// With stride 1, every cols value is a pixel of the image at (tap offset + output position),
// and 8 neighbouring outputs of a row read 8 neighbouring pixels: a B sliver of cols is
// already contiguous in the image. So the forward (convForwardDirect) and the weight gradient
// (convGradWeightDirect) read the image where it lies, through a table of tap offsets. With
// padding, each image is first copied into a zero-padded plane in the thread's area
// (padImage), and read the same way.
//
// Measured with 2 threads (the forms replaced im2col + GEMM):
// - the bench CNN's step (bench/tsgrad.ts cnn): forward 1.69 → 1.14 ms, weight gradient
//   2.04 → 1.22 ms;
// - 3×3 convs with padding 1, batch 64, inside tidy: forward of 3×32×32 to 16 channels
//   1.7–2.3 → 1.4 ms, of 16×16×16 to 32 3.3 → 2.2 ms; weight gradients 2.1–2.8 → 1.6–2.0 ms,
//   2.8–3.2 → 2.4–2.7 ms, and of 32×16×16 to 32 5.4–5.9 → 4.4–4.8 ms;
// - forwards with more than one k-block of taps (KC = 256), whose blocks the tile sums one
//   after another: 32×12×12 to 64 by 5×5 (k = 800, `npm run mnist`'s second conv) 7.0–7.7 →
//   5.8–6.0 ms, 32×16×16 to 32 by 3×3 pad 1 (k = 288) 7.3–7.8 → 4.5–4.6 ms, 64×8×8 to 64
//   (k = 576) 6.5–6.7 → 4.2–4.7 ms.

import { MR, NR, edgeTile, microKernelDirect, microKernelTaps } from './kernel.as.ts';
import { packB } from './pack.as.ts';
import { KC, MC, NC } from './gemm.as.ts';
import { roundUp } from './gemm-packed.as.ts';
import { param, copyF32, fillF32 } from './tasks.as.ts';
import { BIAS, C, H, KH, KW, O, OH, OW, PACKED_W, PAD, PADDED_OFFSET, RELU, W } from './conv-params.as.ts';

/** The width of the images the direct forms read: the input's, plus the padding on both sides. */
// @ts-ignore: decorator
@inline function paddedWidth(p: usize): i32 {
  return param(p, W) + 2 * param(p, PAD);
}

/**
 * The image at `x` as the direct forms read it: itself without padding, else a copy with
 * `pad` zeros around each plane, made in this thread's area (at PADDED_OFFSET). Copying the
 * image once costs c·(h+2p)·(w+2p) stores; the taps then read it k² times as if there were no
 * padding, and no receptive field needs an edge case.
 */
function padImage(p: usize, x: usize, area: usize): usize {
  const pad = param(p, PAD);
  if (pad == 0) return x;
  const c = param(p, C), h = param(p, H), w = param(p, W);
  const wp = w + 2 * pad, hp = h + 2 * pad;
  const out = area + <usize>param(p, PADDED_OFFSET);
  let row = out;
  for (let ch = 0; ch < c; ch++) {
    fillF32(row, 0, pad * wp);
    row += <usize>(pad * wp) * 4;
    for (let i = 0; i < h; i++) {
      fillF32(row, 0, pad);
      copyF32(row + <usize>pad * 4, x + <usize>((ch * h + i) * w) * 4, w);
      fillF32(row + <usize>(pad + w) * 4, 0, pad);
      row += <usize>wp * 4;
    }
    fillF32(row, 0, pad * wp);
    row += <usize>(pad * wp) * 4;
  }
  return out;
}

/**
 * One image's forward pass into y (its bias and ReLU included), reading the image (padded in `area` when the conv pads).
 * Eight neighbouring outputs of one output row read, for each tap, eight neighbouring input
 * pixels, which the micro-kernel loads from the image (microKernelDirect). im2col wrote every
 * input pixel k times into a buffer larger than L1 (57 KB an image for the bench CNN's first
 * conv), and that cost as much as the product. An output row that is not a whole number of
 * slivers ends in a sliver computed in full into the edge tile: its extra lanes read past the
 * row (at most 7 floats past the image, which memory always holds: the workspace lies above
 * every operand, and the host leaves 64 bytes after a padded plane), and are dropped.
 */
export function convForwardDirect(p: usize, image: usize, y: usize, offsets: usize, area: usize, scratch: usize): void {
  const x = padImage(p, image, area), w = paddedWidth(p);
  const o = param(p, O), oh = param(p, OH), ow = param(p, OW);
  const k = param(p, C) * param(p, KH) * param(p, KW);
  const ldcBytes = <usize>(oh * ow) * 4;
  const bias = <usize>param(p, BIAS);
  const relu = param(p, RELU) != 0;
  const ap = <usize>param(p, PACKED_W);
  const edge = scratch + <usize>(MC * KC + KC * NC) * 4;
  // The weight is packed in blocks of KC taps (packWhole): block b at b·KC·oRounded floats,
  // the sliver of rows ir at ir·kc within it. A tile sums its blocks one after another.
  const oRounded = roundUp(o, MR);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox += NR) {
      const nr = min(NR, ow - ox);
      const under = x + <usize>(oy * w + ox) * 4;
      const cColumn = y + <usize>(oy * ow + ox) * 4;
      for (let ir = 0; ir < o; ir += MR) {
        const mr = min(MR, o - ir);
        const cTile = cColumn + <usize>ir * ldcBytes;
        const whole = mr == MR && nr == NR;
        const tileBias = bias != 0 ? bias + <usize>ir * 4 : 0;
        for (let pc = 0; pc < k; pc += KC) {
          const kc = min(KC, k - pc);
          const a = ap + <usize>(pc * oRounded + ir * kc) * 4;
          const taps = offsets + <usize>pc * 4;
          const first = pc == 0, last = pc + KC >= k;
          if (whole) microKernelDirect(kc, a, under, taps, cTile, ldcBytes, !first, first ? tileBias : 0, relu && last);
          else microKernelDirect(kc, a, under, taps, edge, NR * 4, !first, first ? tileBias : 0, relu && last);
        }
        if (!whole) edgeTile(edge, mr, nr, cTile, ldcBytes, false);
      }
    }
  }
}

/**
 * Adds one image's weight gradient to this thread's partial sum, reading the image (padded in
 * `area` when the conv pads; the tap offsets are padded with zeros to whole tiles of MR taps).
 * The partial sum is kept transposed, dWᵀ [K, O] += cols [K, P] @ dyᵀ [P, O], so that A, the cols, has taps as
 * rows and pixels as k, and each of its values is one pixel of the image (microKernelTaps).
 * Only dy is packed (at the start of `area`). Each packed sliver of 8 channels stays in L1 while every
 * tile of taps passes over it.
 */
export function convGradWeightDirect(p: usize, image: usize, dy: usize, area: usize, partialT: usize, offsets: usize, scratch: usize): void {
  const x = padImage(p, image, area), w = paddedWidth(p), bp = area;
  const o = param(p, O), oh = param(p, OH), ow = param(p, OW);
  const k = param(p, C) * param(p, KH) * param(p, KW), pixels = oh * ow;
  const ldcBytes = <usize>o * 4;
  const edge = scratch + <usize>(MC * KC + KC * NC) * 4;
  packB(pixels, o, dy, pixels, true, bp);
  for (let j = 0; j < o; j += NR) {
    const nr = min(NR, o - j);
    const sliver = bp + <usize>(j * pixels) * 4;
    for (let t = 0; t < k; t += MR) {
      const mr = min(MR, k - t);
      const cTile = partialT + <usize>(t * o + j) * 4;
      if (mr == MR && nr == NR) {
        microKernelTaps(oh, ow, w, x, offsets + <usize>t * 4, sliver, cTile, ldcBytes, true);
      } else {
        microKernelTaps(oh, ow, w, x, offsets + <usize>t * 4, sliver, edge, NR * 4, false);
        edgeTile(edge, mr, nr, cTile, ldcBytes, true);
      }
    }
  }
}

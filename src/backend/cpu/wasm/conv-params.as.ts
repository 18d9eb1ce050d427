// The parameter block of a convolution job (conv.as.ts, conv-direct.as.ts), as the host
// (src/backend/cpu/conv-wasm.ts) writes it, and the helpers both kernel files read it with.

import { param } from './tasks.as.ts';

// Parameter block (i32 words); must match CONV_PARAMS in src/backend/cpu/conv-wasm.ts.
export const N = 0, C = 1, H = 2, W = 3, O = 4, KH = 5, KW = 6, STRIDE = 7, PAD = 8, OH = 9, OW = 10;
export const X = 11, WT = 12, BIAS = 13, OUT = 14, DY = 15;
export const AREA = 16, AREA_BYTES = 17, SCRATCH_BASE = 18, SCRATCH_BYTES = 19, PER_CHUNK = 20;
// Byte offsets inside a thread's area: of its second region (the input gradient's packed dy)
// and of the weight gradient's partial sum. The first region, at 0, holds the image's cols.
export const SECOND_OFFSET = 21, PARTIAL_OFFSET = 22;
// The packed weight, and which product it was packed for (1: forward, 2: input gradient).
export const PACKED_W = 23, PACK_FOR = 24;
// For a forward or weight gradient without im2col (convForwardDirect, convGradWeightDirect):
// the byte offset of each cols row's pixel in the image (i32 each); 0 when they unroll.
export const TAP_OFFSETS = 25;
// With padding, the direct forms read a zero-padded copy of each image that the thread makes in
// its area, at this byte offset (the tap offsets are then into the padded image).
export const PADDED_OFFSET = 26;
// 1: the forward's outputs go through max(·, 0) as they are stored (a conv followed by ReLU).
export const RELU = 27;
// The weight gradient's extras (convGradWeight): the address of the fused ReLU's output y
// (0: none; then dy is first masked by y > 0), the address to write that masked dy to (0:
// only into the thread's area), the byte offset in the area of the masked image and, after
// it, of this thread's partial bias gradient, and whether to sum that bias gradient (1 / 0).
export const RELU_Y = 28, DY_OUT = 29, MASKED_OFFSET = 30, BIAS_GRAD = 31;

/** This thread's area (cols, then the dW partial sum), found from its packing scratch address. */
// @ts-ignore: decorator
@inline export function threadArea(p: usize, scratch: usize): usize {
  const slot = <i32>(scratch - <usize>param(p, SCRATCH_BASE)) / param(p, SCRATCH_BYTES);
  return <usize>param(p, AREA) + <usize>slot * <usize>param(p, AREA_BYTES);
}

// @ts-ignore: decorator
@inline export function isPointwise(p: usize): bool {
  return param(p, KH) == 1 && param(p, KW) == 1 && param(p, STRIDE) == 1 && param(p, PAD) == 0;
}

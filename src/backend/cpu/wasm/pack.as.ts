// Packing: copy a block of op(A) or op(B) into the order the micro-kernel reads
// it (see kernel.as.ts). This is where the transpose flags are dealt with, so the
// kernel itself is layout-agnostic.
//
//   Ap: slivers of MR rows; sliver s holds op(A)(s*MR + i, p) at [s][p][i]
//   Bp: slivers of NR cols; sliver s holds op(B)(p, s*NR + j) at [s][p][j]
//
// A ragged last sliver is padded with zeros, so the kernel never needs a
// special case for it (its extra rows/columns are simply not stored).
//
// Two kinds of copy, depending on how the source is laid out:
//  - its rows run along the slivers (A transposed, B plain): each source row
//    is cut into sliver-wide pieces. Rows are read whole, one after another:
//    reading sliver by sliver instead would touch kc rows at a large stride,
//    and when that stride is a multiple of 4 KiB (a 1024-wide matrix) all of
//    them fall into the same cache set and evict each other.
//  - its rows run across the slivers (A plain, B transposed): each sliver is a
//    transpose, done 4×4 at a time in registers: four vector loads from four
//    source rows, eight shuffles, four vector stores, instead of sixteen
//    scalar gathers.

import { MR, NR } from './kernel.as.ts';

const GROUP_BYTES = 128;

/** Packs the mc×kc block of op(A) at `a` (stride lda) into Ap at `dst`. */
export function packA(mc: i32, kc: i32, a: usize, lda: i32, trans: bool, dst: usize): void {
  const ld = <usize>lda * 4;
  const full = mc / MR;
  const sliverBytes = <usize>(MR * kc) * 4;
  if (trans) {
    cutRows(kc, full, MR, a, ld, dst);
  } else {
    for (let s = 0; s < full; s++) {
      transposeSliver(kc, MR, a + <usize>(s * MR) * ld, ld, dst + <usize>s * sliverBytes);
    }
  }
  const rows = mc - full * MR;
  if (rows > 0) {
    packRagged(kc, MR, rows, a, ld, trans, full * MR, dst + <usize>full * sliverBytes);
  }
}

/** Packs the kc×nc block of op(B) at `b` (stride ldb) into Bp at `dst`. */
export function packB(kc: i32, nc: i32, b: usize, ldb: i32, trans: bool, dst: usize): void {
  const ld = <usize>ldb * 4;
  const full = nc / NR;
  const sliverBytes = <usize>(NR * kc) * 4;
  if (!trans) {
    cutRows(kc, full, NR, b, ld, dst);
  } else {
    for (let s = 0; s < full; s++) {
      transposeSliver(kc, NR, b + <usize>(s * NR) * ld, ld, dst + <usize>s * sliverBytes);
    }
  }
  const cols = nc - full * NR;
  if (cols > 0) {
    packRagged(kc, NR, cols, b, ld, !trans, full * NR, dst + <usize>full * sliverBytes);
  }
}

/**
 * Source rows run along the slivers: for each of kc rows, give each of
 * `slivers` slivers its `width` floats (width is 4 or 8).
 */
function cutRows(kc: i32, slivers: i32, width: i32, src: usize, ld: usize, dst: usize): void {
  const sliverBytes = <usize>(width * kc) * 4;
  const pieceBytes = <usize>width * 4;
  // Slivers are handled GROUP_BYTES of source row at a time. Going one sliver
  // at a time would read only part of each cache line per pass; going across
  // all slivers at once would write to dozens of streams spaced a multiple of
  // 4 KiB apart, which collide in the same cache set. A group reads whole cache
  // lines and writes a handful of streams.
  const group = GROUP_BYTES / (width * 4);
  for (let s0 = 0; s0 < slivers; s0 += group) {
    const count = min(group, slivers - s0);
    for (let p = 0; p < kc; p++) {
      let from = src + <usize>p * ld + <usize>s0 * pieceBytes;
      let to = dst + <usize>s0 * sliverBytes + <usize>p * pieceBytes;
      for (let s = 0; s < count; s++) {
        v128.store(to, v128.load(from));
        if (width == 8) v128.store(to, v128.load(from, 16), 16);
        from += pieceBytes;
        to += sliverBytes;
      }
    }
  }
}

/**
 * Source rows run across the sliver: `width` (4 or 8) source rows of length
 * kc, starting at `src`, become one sliver [p][0..width).
 */
function transposeSliver(kc: i32, width: i32, src: usize, ld: usize, dst: usize): void {
  const rowBytes = <usize>width * 4;
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    // Four columns p..p+3 of the source rows, a 4×4 block per group of 4 rows.
    const o = <usize>p * 4, d = dst + <usize>p * rowBytes;
    for (let g = 0; g < width; g += 4) {
      const r = src + <usize>g * ld + o;
      transpose4x4(v128.load(r), v128.load(r + ld), v128.load(r + 2 * ld), v128.load(r + 3 * ld),
        d + <usize>g * 4, rowBytes);
    }
  }
  for (; p < kc; p++) {
    const o = <usize>p * 4, d = dst + <usize>p * rowBytes;
    for (let i = 0; i < width; i++) store<f32>(d + <usize>i * 4, load<f32>(src + <usize>i * ld + o));
  }
}

/**
 * The last, partial sliver: `valid` of its `width` lanes come from the
 * matrix (starting at lane `first` of the block), the rest are zero. The
 * source lane runs along its rows when `along`.
 */
function packRagged(
  kc: i32, width: i32, valid: i32, src: usize, ld: usize, along: bool, first: i32, dst: usize,
): void {
  for (let p = 0; p < kc; p++) {
    for (let i = 0; i < width; i++) {
      let v: f32 = 0;
      if (i < valid) {
        const lane = <usize>(first + i);
        v = load<f32>(along ? src + <usize>p * ld + lane * 4 : src + lane * ld + <usize>p * 4);
      }
      store<f32>(dst + <usize>(p * width + i) * 4, v);
    }
  }
}

/**
 * Writes the transpose of the 4×4 block whose rows are r0..r3 to `dst`, one
 * output row every `stride` bytes.
 */
// @ts-ignore: decorator
@inline function transpose4x4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  // Interleave pairs of rows, then pairs of pairs: after the first step t0 is
  // (r0[0], r1[0], r0[1], r1[1]); after the second, column 0 is complete.
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, f32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(dst + stride, f32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, f32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, f32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

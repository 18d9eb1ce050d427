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
// When the source rows run along the packed direction (A transposed, B plain)
// packing is a straight vector copy. Otherwise each sliver needs a transpose,
// done 4×4 at a time in registers: four vector loads from four source rows,
// eight shuffles, four vector stores, instead of sixteen scalar gathers.

import { MR, NR } from './kernel.as.ts';

/** Packs the mc×kc block of op(A) at `a` (stride lda) into Ap at `dst`. */
export function packA(mc: i32, kc: i32, a: usize, lda: i32, trans: bool, dst: usize): void {
  const ld = <usize>lda * 4;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    if (rows < MR) {
      for (let p = 0; p < kc; p++) {
        for (let i = 0; i < MR; i++) {
          const v: f32 = i < rows ? load<f32>(elem(a, i0 + i, p, ld, trans)) : 0;
          store<f32>(dst + <usize>(p * MR + i) * 4, v);
        }
      }
    } else if (trans) {
      // op(A) row i is column i of the stored k×m matrix: MR rows at a time are
      // MR contiguous floats of one stored row.
      let src = a + <usize>i0 * 4;
      for (let p = 0; p < kc; p++) {
        v128.store(dst + <usize>p * 16, v128.load(src));
        src += ld;
      }
    } else {
      const r0 = a + <usize>i0 * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p * 4;
        transpose4x4(
          v128.load(r0 + o), v128.load(r1 + o), v128.load(r2 + o), v128.load(r3 + o),
          dst + <usize>p * 16, 16,
        );
      }
      for (; p < kc; p++) {
        const o = <usize>p * 4, d = dst + <usize>p * 16;
        store<f32>(d, load<f32>(r0 + o));
        store<f32>(d, load<f32>(r1 + o), 4);
        store<f32>(d, load<f32>(r2 + o), 8);
        store<f32>(d, load<f32>(r3 + o), 12);
      }
    }
    dst += <usize>(MR * kc) * 4;
  }
}

/** Packs the kc×nc block of op(B) at `b` (stride ldb) into Bp at `dst`. */
export function packB(kc: i32, nc: i32, b: usize, ldb: i32, trans: bool, dst: usize): void {
  const ld = <usize>ldb * 4;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = min(NR, nc - j0);
    if (cols < NR) {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < NR; j++) {
          const v: f32 = j < cols ? load<f32>(elem(b, p, j0 + j, ld, trans)) : 0;
          store<f32>(dst + <usize>(p * NR + j) * 4, v);
        }
      }
    } else if (!trans) {
      let src = b + <usize>j0 * 4;
      for (let p = 0; p < kc; p++) {
        const d = dst + <usize>p * 32;
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
        src += ld;
      }
    } else {
      // Stored B is n×k: op(B) column j is stored row j. Transpose two 4×4
      // blocks (columns j0..j0+3 and j0+4..j0+7) per four values of p.
      const r0 = b + <usize>j0 * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
      const r4 = r3 + ld, r5 = r4 + ld, r6 = r5 + ld, r7 = r6 + ld;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p * 4, d = dst + <usize>p * 32;
        transpose4x4(v128.load(r0 + o), v128.load(r1 + o), v128.load(r2 + o), v128.load(r3 + o), d, 32);
        transpose4x4(v128.load(r4 + o), v128.load(r5 + o), v128.load(r6 + o), v128.load(r7 + o), d + 16, 32);
      }
      for (; p < kc; p++) {
        const o = <usize>p * 4, d = dst + <usize>p * 32;
        store<f32>(d, load<f32>(r0 + o));
        store<f32>(d, load<f32>(r1 + o), 4);
        store<f32>(d, load<f32>(r2 + o), 8);
        store<f32>(d, load<f32>(r3 + o), 12);
        store<f32>(d, load<f32>(r4 + o), 16);
        store<f32>(d, load<f32>(r5 + o), 20);
        store<f32>(d, load<f32>(r6 + o), 24);
        store<f32>(d, load<f32>(r7 + o), 28);
      }
    }
    dst += <usize>(kc * NR) * 4;
  }
}

/**
 * Address of element (row, col) of a matrix stored with row stride `ld` bytes,
 * or of its transpose when `trans`.
 */
// @ts-ignore: decorator
@inline function elem(x: usize, row: i32, col: i32, ld: usize, trans: bool): usize {
  return trans ? x + <usize>col * ld + <usize>row * 4 : x + <usize>row * ld + <usize>col * 4;
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

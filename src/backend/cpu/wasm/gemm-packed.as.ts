// GEMM on operands packed beforehand, for products that share an operand across many calls.
//
// A convolution multiplies the same weight by every image of the batch: gemm() would repack
// it per image, and repack each image's cols after im2col has just written them. Here the
// weight is packed once per batch (packWhole) and im2col writes its cols straight into the
// packed layout (conv.as.ts), so the per-image product is only the macro-kernels.
//
// Whole-operand packed layouts, in blocks of KC along k (the last one shorter), each block
// holding the slivers gemm() would pack for it, over all of m (or n) at once:
//   Ap: block b at float b·KC·roundUp(m, MR); in it, sliver s (rows s·MR…) at s·MR·kc
//   Bp: block b at float b·KC·roundUp(n, NR); in it, sliver s (cols s·NR…) at s·NR·kc
// Without gemm()'s NC blocking of n: each kc×NR sliver of Bp is still read once per block
// of A, from L1, so the size of Bp only costs cache on images far bigger than MNIST's.

import { MR, NR } from './kernel.as.ts';
import { KC, MC, NC, macroKernel } from './gemm.as.ts';
import { packA, packB } from './pack.as.ts';

/** x rounded up to a multiple of `to`. */
// @ts-ignore: decorator
@inline export function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}

/** Packs all of op(A) (m×k, stride lda) into the Ap layout at `dst`. */
export function packWhole(m: i32, k: i32, a: usize, lda: i32, trans: bool, dst: usize): void {
  const mr = roundUp(m, MR);
  for (let pc = 0; pc < k; pc += KC) {
    const at = trans ? <usize>pc * lda * 4 : <usize>pc * 4;
    packA(m, min(KC, k - pc), a + at, lda, trans, dst + <usize>pc * mr * 4);
  }
}

/**
 * C (m×n, stride ldc) = [C +] Ap @ Bp, both packed as above. `scratch` is the thread's
 * packing area of gemm(), whose edge tile this borrows.
 */
export function gemmPacked(
  m: i32, n: i32, k: i32, ap: usize, bp: usize, c: usize, ldc: i32, accumulate: bool, scratch: usize,
): void {
  const edge = scratch + <usize>(MC * KC + KC * NC) * 4;
  const mr = roundUp(m, MR), nr = roundUp(n, NR);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const addC = accumulate || pc > 0;
    const bBlock = bp + <usize>pc * nr * 4;
    for (let ic = 0; ic < m; ic += MC) {
      const aBlock = ap + (<usize>pc * mr + <usize>ic * kc) * 4;
      macroKernel(min(MC, m - ic), n, kc, aBlock, bBlock, c + <usize>ic * ldc * 4, ldc, addC, edge);
    }
  }
}

/** Packs all of op(B) (k×n, stride ldb) into the Bp layout at `dst`. */
export function packWholeB(k: i32, n: i32, b: usize, ldb: i32, trans: bool, dst: usize): void {
  const nr = roundUp(n, NR);
  for (let pc = 0; pc < k; pc += KC) {
    const at = trans ? <usize>pc * 4 : <usize>pc * ldb * 4;
    packB(min(KC, k - pc), n, b + at, ldb, trans, dst + <usize>pc * nr * 4);
  }
}

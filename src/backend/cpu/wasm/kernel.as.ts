// The micro-kernel: one MR×NR tile of C from a packed MR×kc sliver of A and a
// packed kc×NR sliver of B. Nearly all of GEMM's time is spent in this loop.
//
// Why 4×8: WebAssembly SIMD has 128-bit vectors (4 floats), and V8 maps them
// onto the 16 xmm registers of x86-64. The tile's accumulators must live in
// registers for the whole k loop: 4 rows × 2 vectors = 8 accumulators, plus 2
// vectors of B, 1 broadcast of A and 1 temporary for the product makes 12, which
// leaves V8's register allocator some slack. Measured on a Zen 3 core with the
// slivers in L1, mul+add build (GFLOPS): 4×8 31, 3×8 32, 2×12 33, 2×16 30, 4×4
// 24; the tiles that need 12 or more accumulators (6×8, 4×12, 4×16, 8×8) spill
// and fall to 18–23. Of the shapes that fit, 4×8 loads least per flop (2 vectors
// of B + 4 broadcasts of A per 64 flops), which matters once data comes from L2.

// Why two builds: relaxed SIMD's f32x4.relaxed_madd becomes one FMA instruction
// where the CPU has one (4×8 in L1: 44 GFLOPS against 31), but Node 20 only
// runs it behind a V8 flag (see gemm-wasm.ts), so a plain mul+add build exists
// too. The tile shape is the same for both: FMA frees the temporary register,
// yet 6×8 and 4×12 still spilled when measured.
//
// Re-measured on 2026-12-02 on the AMD EPYC (Zen 5) machine, Node 20 (V8 11.3), relaxed
// build, slivers in L1, GFLOPS on one core against 56–58 for a loop of independent FMAs:
// 4×8 45–47, 5×8 48, 3×12 48–49, 6×8 51–53. There 6×8 fits as a function of its own (12
// accumulators + 2 vectors of B + 1 broadcast = 15 registers, all V8 allocates), but inlined
// into gemm() V8 schedules all six broadcasts ahead of the FMAs and spills three
// accumulators every step (23–25 GFLOPS). Kept out of line, writing its tile to the edge area
// and adding that to C, the whole GEMM still gained nothing: 1024³ on one thread median 42–43
// against 44–45 for 4×8 (the A slivers stream from L2 in both), and the bench's matmul1024
// on two threads 64–81 against 79–86. So the tile stays 4×8.
//
// Unrolling the k loop by two (two steps of loads and FMAs per iteration, a tail for odd kc)
// halves the speed: 1024³ on one thread, GFLOPS per CPU-second, 41–43 → 21–23 (2026-12-02).
// V8 hoists the second step's loads above the first step's FMAs, and the registers run out.

/** Rows of the C tile (and of an A sliver). */
export const MR: i32 = 4;
/** Columns of the C tile (and of a B sliver): two 4-float vectors. */
export const NR: i32 = 8;

/**
 * C tile (stride ldcBytes) = [C tile +] A sliver @ B sliver. The slivers are
 * packed k-major: for each p, MR floats of A (a column of op(A)) and NR floats
 * of B (a row of op(B)), so each step reads 48 contiguous bytes.
 */
// @ts-ignore: decorator
@inline export function microKernel(
  kc: i32, a: usize, b: usize, c: usize, ldcBytes: usize, addC: bool,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let ai = v128.load32_splat(a);
    c00 = madd(ai, b0, c00);
    c01 = madd(ai, b1, c01);
    ai = v128.load32_splat(a, 4);
    c10 = madd(ai, b0, c10);
    c11 = madd(ai, b1, c11);
    ai = v128.load32_splat(a, 8);
    c20 = madd(ai, b0, c20);
    c21 = madd(ai, b1, c21);
    ai = v128.load32_splat(a, 12);
    c30 = madd(ai, b0, c30);
    c31 = madd(ai, b1, c31);
    a += MR * 4;
    b += NR * 4;
  }
  const c1 = c + ldcBytes, c2 = c1 + ldcBytes, c3 = c2 + ldcBytes;
  if (addC) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c1));
    c11 = f32x4.add(c11, v128.load(c1, 16));
    c20 = f32x4.add(c20, v128.load(c2));
    c21 = f32x4.add(c21, v128.load(c2, 16));
    c30 = f32x4.add(c30, v128.load(c3));
    c31 = f32x4.add(c31, v128.load(c3, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c2, c20);
  v128.store(c2, c21, 16);
  v128.store(c3, c30);
  v128.store(c3, c31, 16);
}

/**
 * The micro-kernel of a convolution's forward pass without im2col (conv-direct.as.ts): the B sliver
 * is not packed, but read straight from the image. Row p of cols, for 8 output pixels side
 * by side in one output row, is 8 input pixels side by side, at byte offset offsets[p] from
 * `x` (the input under the first of the 8 outputs, for tap 0). A as in microKernel. `bias`, when
 * not 0, is the address of the tile's MR row biases (read past the last row of an edge tile);
 * with `relu` the tile is stored through max(·, 0) (on the last block of taps only).
 */
// @ts-ignore: decorator
@inline export function microKernelDirect(
  kc: i32, a: usize, x: usize, offsets: usize, c: usize, ldcBytes: usize, addC: bool, bias: usize, relu: bool,
): void {
  // Each row starts at its bias (or 0). Filling the output with the bias first cost a pass
  // over it, and with 2 threads that pass held the bench CNN's first conv (8×24×24 outputs an
  // image, 25 taps, batch 64) at 0.30–0.33 ms against 0.17–0.19 without it.
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (bias != 0) {
    c00 = v128.load32_splat(bias); c01 = c00;
    c10 = v128.load32_splat(bias, 4); c11 = c10;
    c20 = v128.load32_splat(bias, 8); c21 = c20;
    c30 = v128.load32_splat(bias, 12); c31 = c30;
  }
  for (let p = 0; p < kc; p++) {
    const b = x + <usize>load<i32>(offsets + <usize>p * 4);
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let ai = v128.load32_splat(a);
    c00 = madd(ai, b0, c00);
    c01 = madd(ai, b1, c01);
    ai = v128.load32_splat(a, 4);
    c10 = madd(ai, b0, c10);
    c11 = madd(ai, b1, c11);
    ai = v128.load32_splat(a, 8);
    c20 = madd(ai, b0, c20);
    c21 = madd(ai, b1, c21);
    ai = v128.load32_splat(a, 12);
    c30 = madd(ai, b0, c30);
    c31 = madd(ai, b1, c31);
    a += MR * 4;
  }
  const c1 = c + ldcBytes, c2 = c1 + ldcBytes, c3 = c2 + ldcBytes;
  if (addC) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c1));
    c11 = f32x4.add(c11, v128.load(c1, 16));
    c20 = f32x4.add(c20, v128.load(c2));
    c21 = f32x4.add(c21, v128.load(c2, 16));
    c30 = f32x4.add(c30, v128.load(c3));
    c31 = f32x4.add(c31, v128.load(c3, 16));
  }
  if (relu) {
    // f32x4.max, like the relu program's max(x, 0): NaN stays NaN, −0 becomes +0.
    const zero = f32x4.splat(0);
    c00 = f32x4.max(c00, zero); c01 = f32x4.max(c01, zero);
    c10 = f32x4.max(c10, zero); c11 = f32x4.max(c11, zero);
    c20 = f32x4.max(c20, zero); c21 = f32x4.max(c21, zero);
    c30 = f32x4.max(c30, zero); c31 = f32x4.max(c31, zero);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c2, c20);
  v128.store(c2, c21, 16);
  v128.store(c3, c30);
  v128.store(c3, c31, 16);
}

/**
 * The micro-kernel of a convolution's weight gradient without im2col (conv-direct.as.ts), computing
 * a tile of dWᵀ [K, O] = cols [K, P] @ dyᵀ [P, O] with the pixels as the k dimension. Row i
 * of the A sliver is tap i of four: at pixel (oy, ox) it is the image at byte offset
 * offsets[i] from the input under that pixel, read straight from `x` (an oH×oW grid of
 * outputs over rows `w` floats wide). B is dyᵀ packed as usual (kc = oH·oW).
 */
// @ts-ignore: decorator
@inline export function microKernelTaps(
  oh: i32, ow: i32, w: i32, x: usize, offsets: usize, b: usize, c: usize, ldcBytes: usize, addC: bool,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const o0 = <usize>load<i32>(offsets), o1 = <usize>load<i32>(offsets, 4);
  const o2 = <usize>load<i32>(offsets, 8), o3 = <usize>load<i32>(offsets, 12);
  for (let oy = 0; oy < oh; oy++) {
    let px = x + <usize>(oy * w) * 4;
    const rowEnd = px + <usize>ow * 4;
    for (; px < rowEnd; px += 4) {
      const b0 = v128.load(b);
      const b1 = v128.load(b, 16);
      let ai = v128.load32_splat(px + o0);
      c00 = madd(ai, b0, c00);
      c01 = madd(ai, b1, c01);
      ai = v128.load32_splat(px + o1);
      c10 = madd(ai, b0, c10);
      c11 = madd(ai, b1, c11);
      ai = v128.load32_splat(px + o2);
      c20 = madd(ai, b0, c20);
      c21 = madd(ai, b1, c21);
      ai = v128.load32_splat(px + o3);
      c30 = madd(ai, b0, c30);
      c31 = madd(ai, b1, c31);
      b += NR * 4;
    }
  }
  const c1 = c + ldcBytes, c2 = c1 + ldcBytes, c3 = c2 + ldcBytes;
  if (addC) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c1));
    c11 = f32x4.add(c11, v128.load(c1, 16));
    c20 = f32x4.add(c20, v128.load(c2));
    c21 = f32x4.add(c21, v128.load(c2, 16));
    c30 = f32x4.add(c30, v128.load(c3));
    c31 = f32x4.add(c31, v128.load(c3, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c2, c20);
  v128.store(c2, c21, 16);
  v128.store(c3, c30);
  v128.store(c3, c31, 16);
}

/** a·b + c per lane: fused when built with relaxed SIMD, else a multiply and an add. */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Copies (or adds) the valid mr×nr corner of a computed MR×NR tile into C. */
export function edgeTile(
  tile: usize, mr: i32, nr: i32, c: usize, ldcBytes: usize, addC: bool,
): void {
  for (let i = 0; i < mr; i++) {
    const src = tile + <usize>(i * NR * 4);
    const dst = c + <usize>i * ldcBytes;
    for (let j = 0; j < nr; j++) {
      const o = <usize>j * 4;
      const v = load<f32>(src + o);
      store<f32>(dst + o, addC ? load<f32>(dst + o) + v : v);
    }
  }
}

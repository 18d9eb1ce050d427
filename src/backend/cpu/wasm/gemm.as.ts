// The single-precision matrix-multiply kernel behind the cpu backend, written in
// AssemblyScript and compiled to WebAssembly with SIMD (scripts/build-wasm.mjs).
//
//   C = op(A) @ op(B)  (+ C when accumulating),  op(A): m×k,  op(B): k×n,  row-major.
//
// The structure is the classic one for fast GEMM on CPUs (Goto & van de Geijn,
// "Anatomy of high-performance matrix multiplication", 2008):
//
//   for jc: columns of C in blocks of NC
//     for pc: the k dimension in blocks of KC      -> pack op(B)[pc.., jc..] into Bp
//       for ic: rows of C in blocks of MC          -> pack op(A)[ic.., pc..] into Ap
//         for jr, ir: MR×NR tiles of the block     -> micro-kernel (kernel.as.ts)
//
// Why pack: the micro-kernel wants to stream both operands with unit stride, in
// exactly the order it consumes them, whatever the caller's layout (the four
// transpose combinations differ only in how packing reads memory). Packing also
// keeps the working set small enough to stay in cache: a KC×NR sliver of Bp and
// an MR×KC sliver of Ap live in L1 while one tile is computed, the MC×KC block of
// Ap is re-read from L2 for every NR-column sliver, and Bp (KC×NC) sits in L2/L3.
//
// The memory is shared with worker threads (src/backend/cpu/threads.ts). Nothing
// here owns any address: every pointer comes from the caller, and this module has
// no data segment or stack, so many instances can run on one memory at once.

import { MR, NR, microKernel, edgeTile } from './kernel.as.ts';
import { packA, packB } from './pack.as.ts';
import { runTask } from './tasks.as.ts';

// KC = 256: an MR×KC sliver of Ap (4 KiB) plus a KC×NR sliver of Bp (8 KiB) stay
// in the 32 KiB L1 together with the C tile. MC = 128: the 128 KiB Ap block leaves
// room in the 512 KiB L2 for the Bp slivers streaming through it. NC = 2048 bounds
// Bp to 2 MiB per thread; wider products repack Ap per column block, which is
// cheap. The optimum is flat: single-thread 1024³ on a Zen 3 core, in GFLOPS per
// CPU-second, KC×MC = 256×128: 42, 512×64: 43, 384×96: 42, 256×256: 41,
// 256×64: 40, 128×128: 40; NC = 1024 or 4096 made no difference. Re-measured on the Zen 5
// machine (2026-12-02), GFLOPS per CPU-second: 256×128 40–43, 512×128 40–41, 384×192 38,
// 512×256 39.
export const KC: i32 = 256;
export const MC: i32 = 128;
export const NC: i32 = 2048;

/** Bytes of scratch one thread needs for packing (Ap, Bp and one edge tile). */
export function scratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

/** Zeroes `bytes` bytes from `dst` on (the host's fill() on a shared buffer is 6× slower). */
export function zeroBytes(dst: usize, bytes: usize): void {
  memory.fill(dst, 0, bytes);
}

/**
 * Single-threaded GEMM on a rectangle of the problem. Strides are in elements:
 * op(A)(i,p) is a[i*lda + p], or a[p*lda + i] when transA (likewise for B).
 */
export function gemm(
  m: i32, n: i32, k: i32,
  a: usize, lda: i32, transA: bool,
  b: usize, ldb: i32, transB: bool,
  c: usize, ldc: i32, accumulate: bool,
  scratch: usize,
): void {
  const ap = scratch;
  const bp = ap + <usize>(MC * KC * 4);
  const edge = bp + <usize>(KC * NC * 4);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      // The first k-block overwrites C unless the caller asked to accumulate;
      // later k-blocks always add their partial products.
      const addC = accumulate || pc > 0;
      packB(kc, nc, b + elemOffset(pc, jc, ldb, transB), ldb, transB, bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(mc, kc, a + elemOffset(ic, pc, lda, transA), lda, transA, ap);
        macroKernel(mc, nc, kc, ap, bp, c + (<usize>ic * ldc + jc) * 4, ldc, addC, edge);
      }
    }
  }
}

/** Byte offset of element (row, col) of op(X), where X is stored with stride ld. */
// @ts-ignore: decorator
@inline function elemOffset(row: i32, col: i32, ld: i32, trans: bool): usize {
  return trans ? (<usize>col * ld + row) * 4 : (<usize>row * ld + col) * 4;
}

/** Multiplies one packed mc×kc block of A by one packed kc×nc block of B. */
export function macroKernel(
  mc: i32, nc: i32, kc: i32, ap: usize, bp: usize,
  c: usize, ldc: i32, addC: bool, edge: usize,
): void {
  const ldcBytes = <usize>ldc * 4;
  // jr outside ir: one KC×NR sliver of Bp stays in L1 while all of Ap's slivers
  // stream past it from L2.
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const bSliver = bp + <usize>jr * kc * 4;
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = min(MR, mc - ir);
      const aSliver = ap + <usize>ir * kc * 4;
      const cTile = c + <usize>ir * ldcBytes + <usize>jr * 4;
      if (mr == MR && nr == NR) {
        microKernel(kc, aSliver, bSliver, cTile, ldcBytes, addC);
      } else {
        // Packing zero-padded the ragged sliver, so the full kernel is still
        // valid; it just must not write outside C. Compute into a scratch tile.
        microKernel(kc, aSliver, bSliver, edge, NR * 4, false);
        edgeTile(edge, mr, nr, cTile, ldcBytes, addC);
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Multi-threaded jobs. One thread publishes a job (the struct below) and every
// thread, publisher included, calls runJob() until no chunk is left. A chunk is
// an independent sub-GEMM on a slab of rows (or columns) of C, so threads never
// share a cache line of output and need no barrier but the final count.

/** Word offsets (×4 bytes) of the job struct fields. */
const J_TICKET = 0;   // (generation << 16) | chunks not yet claimed
const J_DONE = 1;     // chunks finished
const J_M = 2;
const J_N = 3;
const J_K = 4;
const J_A = 5;
const J_LDA = 6;
const J_TRANS_A = 7;
const J_B = 8;
const J_LDB = 9;
const J_TRANS_B = 10;
const J_C = 11;
const J_LDC = 12;
const J_ACCUMULATE = 13;
const J_SPLIT_ROWS = 14;  // 1: chunks are slabs of rows of C; 0: of columns
const J_CHUNK = 15;       // rows (or columns) per chunk
// Other kernels of this module share the job protocol (claiming, counting, waking):
// a job whose kind is not 0 is one of theirs, described by a parameter block at J_PARAMS
// (see tasks.as.ts). The GEMM host writes kind 0.
const J_KIND = 16;
const J_PARAMS = 17;

// @ts-ignore: decorator
@inline function field(job: usize, f: i32): i32 {
  return load<i32>(job + <usize>f * 4);
}

/**
 * Claims and computes chunks of the published job until none is left; returns
 * how many this thread computed. Safe to call when there is no job.
 */
export function runJob(job: usize, scratch: usize): i32 {
  let computed = 0;
  // Claim by compare-and-swap on one word holding both the job's generation
  // and the number of unclaimed chunks. A thread that wakes late can then
  // never claim a chunk of a newer job by mistake: its CAS would have to see
  // the very same word. Chunks are handed out from the last one down.
  const ticketAddr = job + J_TICKET * 4;
  let ticket = atomic.load<i32>(ticketAddr);
  while ((ticket & 0xffff) != 0) {
    const seen = atomic.cmpxchg<i32>(ticketAddr, ticket, ticket - 1);
    if (seen != ticket) {
      ticket = seen;  // another thread claimed first; retry with what it left
      continue;
    }
    // The job cannot change while a claimed chunk is unfinished, so its fields
    // are only read now.
    runChunk(job, (ticket & 0xffff) - 1, scratch);
    computed++;
    atomic.add<i32>(job + J_DONE * 4, 1);
    atomic.notify(job + J_DONE * 4);
    ticket = atomic.load<i32>(ticketAddr);
  }
  return computed;
}

function runChunk(job: usize, index: i32, scratch: usize): void {
  const kind = field(job, J_KIND);
  if (kind != 0) {
    runTask(kind, <usize>field(job, J_PARAMS), index, scratch);
    return;
  }
  let m = field(job, J_M), n = field(job, J_N);
  const k = field(job, J_K);
  let a = <usize>field(job, J_A), b = <usize>field(job, J_B), c = <usize>field(job, J_C);
  const lda = field(job, J_LDA), ldb = field(job, J_LDB), ldc = field(job, J_LDC);
  const transA = field(job, J_TRANS_A) != 0, transB = field(job, J_TRANS_B) != 0;
  const start = index * field(job, J_CHUNK);
  if (field(job, J_SPLIT_ROWS) != 0) {
    m = min(field(job, J_CHUNK), m - start);
    a += elemOffset(start, 0, lda, transA);
    c += <usize>start * ldc * 4;
  } else {
    n = min(field(job, J_CHUNK), n - start);
    b += elemOffset(0, start, ldb, transB);
    c += <usize>start * 4;
  }
  gemm(m, n, k, a, lda, transA, b, ldb, transB, c, ldc, field(job, J_ACCUMULATE) != 0, scratch);
}

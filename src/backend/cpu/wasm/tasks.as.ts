// The kernels other than GEMM that run as threaded jobs (see runJob() in gemm.as.ts): the
// host writes a job whose kind is one of the constants below and whose J_PARAMS word is the
// address of a parameter block (i32 words, layouts in conv-params.as.ts, pool.as.ts and reduce.as.ts). Each
// thread then claims chunks of the job — a few images, or a few planes — and runs them here.
// The numbers must match TASK in src/backend/cpu/wasm-tasks.ts.
//
// One kind is not compiled here: an elementwise program is compiled to a module of its own at
// run time (program-wasm.ts), which this module cannot call. Its chunks go back out to the
// host through the imported function programChunk, which every thread supplies
// (program-chunk.ts): the claiming, counting and waking stay the same for every kind.

import { convForward, convGradInput, convGradWeight, convPackWeight } from './conv.as.ts';
import { maxPoolBackward, maxPoolForward } from './pool.as.ts';
import { sumMiddleAxis } from './reduce.as.ts';

export const TASK_CONV_FORWARD: i32 = 1;
export const TASK_CONV_GRAD_INPUT: i32 = 2;
export const TASK_CONV_GRAD_WEIGHT: i32 = 3;
export const TASK_MAX_POOL: i32 = 4;
export const TASK_CONV_PACK_WEIGHT: i32 = 5;
export const TASK_PROGRAM: i32 = 6;
export const TASK_MAX_POOL_GRAD: i32 = 7;
export const TASK_SUM_MIDDLE: i32 = 8;

/** Runs chunk `index` of the elementwise program job described at `params` (in JavaScript). */
// @ts-ignore: decorator
@external("env", "programChunk")
declare function programChunk(params: usize, index: i32): void;

/** Runs chunk `index` of a task job; `scratch` is the calling thread's GEMM packing area. */
export function runTask(kind: i32, params: usize, index: i32, scratch: usize): void {
  switch (kind) {
    case TASK_CONV_FORWARD: convForward(params, index, scratch); break;
    case TASK_CONV_GRAD_INPUT: convGradInput(params, index, scratch); break;
    case TASK_CONV_GRAD_WEIGHT: convGradWeight(params, index, scratch); break;
    case TASK_MAX_POOL: maxPoolForward(params, index); break;
    case TASK_CONV_PACK_WEIGHT: convPackWeight(params); break;
    case TASK_PROGRAM: programChunk(params, index); break;
    case TASK_MAX_POOL_GRAD: maxPoolBackward(params, index); break;
    case TASK_SUM_MIDDLE: sumMiddleAxis(params, index); break;
    default: unreachable();
  }
}

/** Word `i` of a parameter block. */
// @ts-ignore: decorator
@inline export function param(params: usize, i: i32): i32 {
  return load<i32>(params + <usize>i * 4);
}

/** n floats from src to dst (any alignment, no overlap), four at a time. */
export function copyF32(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + <usize>i * 4, v128.load(src + <usize>i * 4));
  for (; i < n; i++) store<f32>(dst + <usize>i * 4, load<f32>(src + <usize>i * 4));
}

/** dst[0..n) += src[0..n), four at a time. */
export function addF32(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d = dst + <usize>i * 4;
    v128.store(d, f32x4.add(v128.load(d), v128.load(src + <usize>i * 4)));
  }
  for (; i < n; i++) {
    const d = dst + <usize>i * 4;
    store<f32>(d, load<f32>(d) + load<f32>(src + <usize>i * 4));
  }
}

/** n copies of v from dst on. */
export function fillF32(dst: usize, v: f32, n: i32): void {
  const splat = f32x4.splat(v);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + <usize>i * 4, splat);
  for (; i < n; i++) store<f32>(dst + <usize>i * 4, v);
}

/** dst[0..n) = max(dst[0..n), 0), as the relu program: NaN stays NaN, −0 becomes +0. */
export function reluF32(dst: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d = dst + <usize>i * 4;
    v128.store(d, f32x4.max(v128.load(d), zero));
  }
  for (; i < n; i++) {
    const d = dst + <usize>i * 4;
    store<f32>(d, max<f32>(load<f32>(d), 0));
  }
}

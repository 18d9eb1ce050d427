/**
 * GPU reductions: sum, max and min over any set of axes, and argmax/argmin along one axis.
 *
 * Every reduction is a sweep along the middle axis of an [outer, n, inner] layout. A long
 * axis is cut into ⌈√n⌉-element chunks reduced in parallel and then reduced again, so no
 * GPU thread loops over millions of elements and float32 sums stay close to pairwise
 * accuracy instead of drifting by n·ε.
 */
import type { ReduceOp } from '../backend.ts';
import { reductionRuns, type AxisLayout } from '../plan.ts';
import type { Storage } from '../../tensor/storage.ts';
import type { Shape } from '../../tensor/shape.ts';
import { indexLines } from './codegen.ts';
import type { GpuRuntime } from './runtime.ts';

/** Axes up to this length are reduced in a single pass. */
const SINGLE_PASS = 256;

function chunkOf(n: number): number {
  return Math.ceil(Math.sqrt(n));
}

/**
 * How each reduction starts and folds in a value `v`. Max and min let a NaN in, and once in,
 * nothing compares past it: NaN propagates, as in PyTorch.
 */
const FOLD: Record<ReduceOp, { init: string; step: string }> = {
  sum: { init: '0', step: 's += v;' },
  max: { init: '-inf', step: 'if (v > s || v != v) { s = v; }' },
  min: { init: 'inf', step: 'if (v < s || v != v) { s = v; }' },
};

/** Reduces x [outer, n, inner] over its middle axis (also used by the convolution weight gradient). */
export function reduceRun(rt: GpuRuntime, op: ReduceOp, x: Storage, outer: number, n: number, inner: number): Storage {
  const { init, step } = FOLD[op];
  if (n <= SINGLE_PASS) {
    const index = indexLines('this.thread.x', [outer, inner], [[n * inner, 1]], ['base']);
    const src = `function (x, inf) {\n${index}\nlet s = ${init};\nfor (let j = 0; j < ${n}; j++) { const v = x[base + j * ${inner}]; ${step} }\nreturn s; }`;
    return rt.run(src, outer * inner, [x, Infinity]);
  }
  const chunk = chunkOf(n);
  const chunks = Math.ceil(n / chunk);
  const index = indexLines('this.thread.x', [outer, chunks, inner], [[n * inner, chunk * inner, 1], [0, chunk, 0]], ['base', 'first']);
  const src =
    `function (x, inf) {\n${index}\nlet s = ${init};\n` +
    `for (let j = 0; j < ${chunk}; j++) { if (first + j < ${n}) { const v = x[base + j * ${inner}]; ${step} } }\nreturn s; }`;
  return reduceRun(rt, op, rt.run(src, outer * chunks * inner, [x, Infinity]), outer, chunks, inner);
}

/** Backwards-compatible name for the convolution kernels: sums over the middle axis. */
export function sumRun(rt: GpuRuntime, x: Storage, outer: number, n: number, inner: number): Storage {
  return reduceRun(rt, 'sum', x, outer, n, inner);
}

/**
 * For x [outer, n, inner], the index along n of the first maximum (minimum). Candidates are
 * indices into n, `m` per (outer, inner) position, in increasing order (null: all of 0…n−1);
 * each pass keeps the best of every chunk, and strict comparison keeps the earliest on ties.
 */
function argRun(rt: GpuRuntime, better: string, x: Storage, cand: Storage | null, m: number, { outer, n, inner }: AxisLayout): Storage {
  const chunk = m <= SINGLE_PASS ? m : chunkOf(m);
  const chunks = Math.ceil(m / chunk);
  const index = indexLines(
    'this.thread.x', [outer, chunks, inner],
    [[n * inner, 0, 1], [m * inner, chunk * inner, 1], [0, chunk, 0]],
    ['xBase', 'cBase', 'first'],
  );
  const pick = cand ? `cand[cBase + t * ${inner}]` : '(first + t)';
  // `v != v` lets a NaN win (and nothing beats it after), as the cpu backend and PyTorch do.
  const src =
    `function (x${cand ? ', cand' : ''}) {\n${index}\nlet best = 0; let arg = 0;\n` +
    `for (let t = 0; t < ${chunk}; t++) { if (first + t < ${m}) {\n` +
    `const j = ${pick}; const v = x[xBase + j * ${inner}];\n` +
    `if (t == 0 || (best == best && (v ${better} best || v != v))) { best = v; arg = j; }\n` +
    '} }\nreturn arg; }';
  const out = rt.run(src, outer * chunks * inner, cand ? [x, cand] : [x]);
  return chunks === 1 ? out : argRun(rt, better, x, out, chunks, { outer, n, inner });
}

export function reduce(rt: GpuRuntime, op: ReduceOp, x: Storage, shape: Shape, axes: readonly number[]): Storage {
  const runs = reductionRuns(shape, axes);
  let cur = x;
  // Innermost reduced run first; each pass leaves a contiguous tensor of the remaining runs.
  for (let r = runs.length - 1; r >= 0; r--) {
    if (!runs[r].reduced) continue;
    const outer = runs.slice(0, r).reduce((p, q) => p * q.size, 1);
    const inner = runs.slice(r + 1).reduce((p, q) => p * q.size, 1);
    cur = reduceRun(rt, op, cur, outer, runs[r].size, inner);
    runs.splice(r, 1);
  }
  if (cur === x) return rt.run('function (x) { return x[this.thread.x]; }', x.length, [x]);
  return cur;
}

export function argReduce(rt: GpuRuntime, op: 'argmax' | 'argmin', x: Storage, layout: AxisLayout): Storage {
  return argRun(rt, op === 'argmax' ? '>' : '<', x, null, layout.n, layout);
}

/**
 * GPU reductions: sums over any set of axes, max along an axis, and scatter (max's backward).
 *
 * Every reduction is a sweep along the middle axis of an [outer, n, inner] layout. A long
 * axis is cut into ⌈√n⌉-element chunks reduced in parallel and then reduced again, so no
 * GPU thread loops over millions of elements and float32 sums stay close to pairwise
 * accuracy instead of drifting by n·ε.
 */
import type { AxisLayout, CoreKernels, MaxResult } from '../core-kernels.ts';
import { toHost, type Storage } from '../../tensor/storage.ts';
import type { Shape } from '../../tensor/shape.ts';
import { indexLines } from './codegen.ts';
import type { GpuRuntime } from './runtime.ts';

/** Axes up to this length are reduced in a single pass. */
const SINGLE_PASS = 256;

/** Chunk length for a long axis: √n, so both passes do about the same work per thread. */
function chunkOf(n: number): number {
  return Math.ceil(Math.sqrt(n));
}

/** Sums x [outer, n, inner] over its middle axis (also used by the convolution weight gradient). */
export function sumRun(rt: GpuRuntime, x: Storage, outer: number, n: number, inner: number): Storage {
  if (n <= SINGLE_PASS) {
    const index = indexLines('this.thread.x', [outer, inner], [[n * inner, 1]], ['base']);
    const src = `function (x) {\n${index}\nlet s = 0;\nfor (let j = 0; j < ${n}; j++) { s += x[base + j * ${inner}]; }\nreturn s; }`;
    return rt.run(src, outer * inner, [x]);
  }
  const chunk = chunkOf(n);
  const chunks = Math.ceil(n / chunk);
  const index = indexLines('this.thread.x', [outer, chunks, inner], [[n * inner, chunk * inner, 1], [0, chunk, 0]], ['base', 'first']);
  const src =
    `function (x) {\n${index}\nlet s = 0;\n` +
    `for (let j = 0; j < ${chunk}; j++) { if (first + j < ${n}) { s += x[base + j * ${inner}]; } }\nreturn s; }`;
  return sumRun(rt, rt.run(src, outer * chunks * inner, [x]), outer, chunks, inner);
}

/**
 * For x [outer, n, inner], the index along n of the first maximum. Candidates are global
 * indices into n, `m` per (outer, inner) position, in increasing order (null: all of 0…n−1);
 * each pass keeps the best of every chunk, and strict `>` keeps the earliest on ties.
 */
function argmaxRun(rt: GpuRuntime, x: Storage, cand: Storage | null, m: number, { outer, n, inner }: AxisLayout): Storage {
  const chunk = m <= SINGLE_PASS ? m : chunkOf(m);
  const chunks = Math.ceil(m / chunk);
  const index = indexLines(
    'this.thread.x', [outer, chunks, inner],
    [[n * inner, 0, 1], [m * inner, chunk * inner, 1], [0, chunk, 0]],
    ['xBase', 'cBase', 'first'],
  );
  const pick = cand ? `cand[cBase + t * ${inner}]` : '(first + t)';
  // `v != v` lets a NaN win, as the cpu backend (and PyTorch) propagate NaN.
  const src =
    `function (x${cand ? ', cand' : ''}) {\n${index}\nlet best = 0; let arg = 0;\n` +
    `for (let t = 0; t < ${chunk}; t++) { if (first + t < ${m}) {\n` +
    `const j = ${pick}; const v = x[xBase + j * ${inner}];\n` +
    'if (t == 0 || v > best || (v != v && best == best)) { best = v; arg = j; }\n' +
    '} }\nreturn arg; }';
  const out = rt.run(src, outer * chunks * inner, cand ? [x, cand] : [x]);
  return chunks === 1 ? out : argmaxRun(rt, x, out, chunks, { outer, n, inner });
}

/** The reduction kernels of the gpu backend. */
export function reduceKernels(rt: GpuRuntime): Pick<CoreKernels, 'sumAxes' | 'maxAxis' | 'scatterAxis'> {
  return {
    sumAxes(x: Storage, shape: Shape, axes: readonly number[]): Storage {
      const reduced = new Set(axes);
      // Runs of adjacent dims that are all reduced or all kept; length-1 dims change nothing.
      const runs: { size: number; red: boolean }[] = [];
      shape.forEach((d, i) => {
        if (d === 1) return;
        const red = reduced.has(i);
        const last = runs[runs.length - 1];
        if (last && last.red === red) last.size *= d;
        else runs.push({ size: d, red });
      });
      let cur = x;
      // Innermost reduced run first; each pass leaves a contiguous tensor of the remaining runs.
      for (let r = runs.length - 1; r >= 0; r--) {
        if (!runs[r].red) continue;
        const outer = runs.slice(0, r).reduce((p, q) => p * q.size, 1);
        const inner = runs.slice(r + 1).reduce((p, q) => p * q.size, 1);
        cur = sumRun(rt, cur, outer, runs[r].size, inner);
        runs.splice(r, 1);
      }
      if (cur === x) return rt.run('function (x) { return x[this.thread.x]; }', x.length, [x]);
      return cur;
    },

    maxAxis(x: Storage, layout: AxisLayout): MaxResult {
      const { outer, n, inner } = layout;
      const idx = argmaxRun(rt, x, null, n, layout);
      const index = indexLines('this.thread.x', [outer, inner], [[n * inner, 1]], ['base']);
      const values = rt.run(`function (x, idx) {\n${index}\nreturn x[base + idx[this.thread.x] * ${inner}]; }`, outer * inner, [x, idx]);
      // Indices are host data by the interface's design (ops keep them for the backward).
      return { values, indices: Int32Array.from(toHost(idx)) };
    },

    scatterAxis(dy: Storage, indices: Int32Array, { outer, n, inner }: AxisLayout): Storage {
      const idx = rt.upload(Float32Array.from(indices));
      const index = indexLines('this.thread.x', [outer, n, inner], [[inner, 0, 1], [0, 1, 0]], ['q', 'j']);
      return rt.run(`function (dy, idx) {\n${index}\nif (idx[q] == j) { return dy[q]; } return 0; }`, outer * n * inner, [dy, idx]);
    },
  };
}

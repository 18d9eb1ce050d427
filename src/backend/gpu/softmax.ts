/**
 * GPU softmax and log-softmax along an axis, and their backward passes. Each is a per-row
 * statistics pass (one thread per row of the [outer, n, inner] layout) followed by an
 * elementwise pass, so no thread recomputes a row's statistics for every element.
 */
import type { AxisLayout } from '../plan.ts';
import type { Backend } from '../backend.ts';
import type { Storage } from '../../tensor/storage.ts';
import { indexLines } from './codegen.ts';
import type { GpuRuntime } from './runtime.ts';

/** Kernel lines defining `base`, the first element of this thread's row. */
function rowBase({ n, inner }: AxisLayout, outer: number): string {
  return indexLines('this.thread.x', [outer, inner], [[n * inner, 1]], ['base']);
}

/** Kernel lines defining `r`, the row of this thread's element. */
function rowOf({ outer, n, inner }: AxisLayout): string {
  return indexLines('this.thread.x', [outer, n, inner], [[inner, 0, 1]], ['r']);
}

/** The softmax kernels of the gpu backend. */
export function softmaxKernels(rt: GpuRuntime): Pick<Backend, 'softmax' | 'softmaxGrad'> {
  return {
    softmax(x: Storage, layout: AxisLayout, log: boolean): Storage {
      const { outer, n, inner } = layout;
      const rows = outer * inner;
      // Shifting by the max makes the largest exponent exp(0) = 1, so ±1000 logits stay finite;
      // an all −∞ row shifts by 0 instead, avoiding (−∞) − (−∞) = NaN.
      const max = rt.run(
        `function (x) {\n${rowBase(layout, outer)}\nlet m = x[base];\n` +
        `for (let j = 1; j < ${n}; j++) { m = Math.max(m, x[base + j * ${inner}]); }\n` +
        'if (m < -3.4e38) { return 0; } return m; }',
        rows, [x],
      );
      const sum = rt.run(
        `function (x, m) {\n${rowBase(layout, outer)}\nconst mx = m[this.thread.x]; let s = 0;\n` +
        `for (let j = 0; j < ${n}; j++) { s += Math.exp(x[base + j * ${inner}] - mx); }\nreturn s; }`,
        rows, [x, max],
      );
      const out = log
        ? 'return (x[this.thread.x] - m[r]) - Math.log(s[r]);'
        : 'return Math.exp(x[this.thread.x] - m[r]) / s[r];';
      return rt.run(`function (x, m, s) {\n${rowOf(layout)}\n${out} }`, outer * n * inner, [x, max, sum]);
    },

    /** softmax: dx = y ⊙ (dy − Σ dy·y); log-softmax: dx = dy − exp(y) · Σ dy. */
    softmaxGrad(y: Storage, dy: Storage, layout: AxisLayout, log: boolean): Storage {
      const { outer, n, inner } = layout;
      const term = log ? 'dy[k]' : 'dy[k] * y[k]';
      const dot = rt.run(
        `function (y, dy) {\n${rowBase(layout, outer)}\nlet s = 0;\n` +
        `for (let j = 0; j < ${n}; j++) { const k = base + j * ${inner}; s += ${term}; }\nreturn s; }`,
        outer * inner, [y, dy],
      );
      const out = log
        ? 'return dy[i] - Math.exp(y[i]) * s[r];'
        : 'return y[i] * (dy[i] - s[r]);';
      return rt.run(`function (y, dy, s) {\n${rowOf(layout)}\nconst i = this.thread.x;\n${out} }`, outer * n * inner, [y, dy, dot]);
    },
  };
}

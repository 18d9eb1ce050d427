/**
 * GPU batched matrix multiply with optionally transposed operands: one thread per output
 * element, looping over the shared dimension. A transposed operand is read in place with a
 * different stride, so no transposed copy is ever made.
 */
import type { Backend } from '../backend.ts';
import type { Storage } from '../../tensor/storage.ts';
import { indexLines } from './codegen.ts';
import type { GpuRuntime } from './runtime.ts';

/**
 * Source of `batch` products C[b] = op(A[b]) @ op(B[b]), op(A) m×k and op(B) k×n.
 * Exported for the convolution kernels' im2col comparison in bench/gpu.ts.
 */
export function matmulSource(batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, bias = false): string {
  // Where row i of op(A) and column j of op(B) start, and how far one step along k moves.
  const index = indexLines(
    'this.thread.x', [batch, m, n],
    [[m * k, transA ? 1 : k, 0], [k * n, 0, transB ? k : 1], [0, 0, 1]],
    ['aStart', 'bStart', 'col'],
  );
  const aStep = transA ? m : 1;
  const bStep = transB ? 1 : n;
  return (
    `function (a, b${bias ? ', bias' : ''}) {\n${index}\nlet acc = ${bias ? 'bias[col]' : '0'};\n` +
    `for (let p = 0; p < ${k}; p++) { acc += a[aStart + p * ${aStep}] * b[bStart + p * ${bStep}]; }\n` +
    'return acc; }'
  );
}

/** The matmul kernel of the gpu backend. */
export function matmulKernels(rt: GpuRuntime): Pick<Backend, 'matmul'> {
  return {
    matmul(a: Storage, b: Storage, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, bias?: Storage | null): Storage {
      // A bias joins the product's own kernel: the sum starts at bias[column].
      const src = matmulSource(batch, m, n, k, transA, transB, !!bias);
      return rt.run(src, batch * m * n, bias ? [a, b, bias] : [a, b]);
    },
  };
}

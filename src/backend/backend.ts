/**
 * The Backend: the one seam between math and hardware. Ops in `src/ops/` decide *what* to
 * compute and how gradients flow; a backend decides *how* the numbers are crunched. The cpu
 * backend runs typed-array and WebAssembly code, the gpu backend gpu.js kernels.
 *
 * The set is small on purpose. Every elementwise op and every fused optimizer update is an
 * elementwise *program* (program.ts) that each backend compiles itself; the rest are the
 * primitives no elementwise loop can express: reductions, data movement, matrix products,
 * and the convolution and pooling kernels that training speed rests on. Shapes and layouts
 * are planned by the ops (and plan.ts); kernels receive storages and plain numbers and know
 * nothing of tensors or gradients.
 */
import type { DType, HostArray } from '../tensor/dtype.ts';
import type { Storage } from '../tensor/storage.ts';
import type { Shape } from '../tensor/shape.ts';
import type { Program, ProgramArgs } from './program.ts';
import type { AxisLayout } from './plan.ts';
import type { NnKernels } from './nn-kernels.ts';

export type ReduceOp = 'sum' | 'max' | 'min';

export interface Backend extends NnKernels {
  /** 'cpu' or 'gpu'. */
  readonly name: string;
  /** What actually runs the kernels, e.g. 'typed arrays + wasm simd' or 'gpu.js headlessgl'. */
  readonly mode: string;
  /** Makes host data usable by this backend (the array itself on the cpu, an upload on the gpu). */
  upload(data: HostArray): Storage;

  /**
   * Runs `program` over its tensor arguments broadcast to `outShape`, returning each output's
   * storage. With `inPlace`, an output named like a full-size input may be written into that
   * input's storage (the cpu does; the gpu returns new storage either way).
   */
  elementwise(program: Program, args: ProgramArgs<Storage>, outShape: Shape, inPlace: boolean): Record<string, Storage>;

  /** Reduces over `axes` (sorted, distinct); the result is contiguous with those axes dropped. */
  reduce(op: ReduceOp, x: Storage, shape: Shape, axes: readonly number[], dtype: DType, outDtype: DType): Storage;
  /** Index (int32) of the first maximum or minimum along the middle axis of a layout; NaN wins, as in PyTorch. */
  argReduce(op: 'argmax' | 'argmin', x: Storage, layout: AxisLayout): Storage;

  /** out[i] = x[offset + Σ_d i_d·strides[d]] over every index i of outShape: permute, expand, slices, repeats. */
  strided(x: Storage, dtype: DType, outShape: Shape, strides: readonly number[], offset: number): Storage;
  /** zeros(outShape) with x (of `shape`) placed at `begin`: the backward of a slice. */
  pad(x: Storage, dtype: DType, shape: Shape, outShape: Shape, begin: readonly number[]): Storage;
  /** The parts joined along `axis` (their other dimensions agree). */
  concat(parts: readonly Storage[], shapes: readonly Shape[], axis: number, dtype: DType): Storage;
  /**
   * out[i] = x[i with i[axis] replaced by index[i]] over outShape; `index` (int32) broadcasts to
   * outShape, so a 1-D selection is an index of shape [1,…,k,…,1] and costs no copy.
   */
  gather(x: Storage, xShape: Shape, dtype: DType, axis: number, index: Storage, indexShape: Shape, outShape: Shape): Storage;
  /** zeros(outShape) with each src[i] added at i with i[axis] replaced by index[i]: gather's backward. */
  scatterAdd(src: Storage, srcShape: Shape, axis: number, index: Storage, indexShape: Shape, outShape: Shape): Storage;

  /**
   * `batch` products C = op(A) @ op(B), op(A) m×k and op(B) k×n, row-major, packed back to back;
   * a transposed operand is stored k×m (A) or n×k (B). With `bias` [n], C gets bias added to every row.
   */
  matmul(a: Storage, b: Storage, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, bias?: Storage | null): Storage;

  /** Softmax (or log-softmax) along the middle axis, shifted by the max so ±1000 logits stay finite. */
  softmax(x: Storage, layout: AxisLayout, log: boolean): Storage;
  /** Backward of `softmax` from its output y: y⊙(dy − Σdy·y), or dy − exp(y)·Σdy for log-softmax. */
  softmaxGrad(y: Storage, dy: Storage, layout: AxisLayout, log: boolean): Storage;
}

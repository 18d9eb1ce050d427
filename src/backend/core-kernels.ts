/**
 * The kernels every op in `src/ops/` is built from: elementwise math, reductions, softmax,
 * permutation and matrix multiplication. Kernels take and return `Storage` (host arrays or
 * device data) plus plain shape numbers; they know nothing of tensors or gradients.
 */
import type { Storage } from '../tensor/storage.ts';
import type { Shape } from '../tensor/shape.ts';

/** One-input elementwise functions. */
export type UnaryOp = 'copy' | 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'relu' | 'sigmoid' | 'tanh' | 'sign';

/** Elementwise functions whose backward has a kernel of its own (`unaryGrad`). */
export type UnaryGradOp = 'relu' | 'sigmoid' | 'tanh';

/** Two-tensor elementwise functions, with NumPy broadcasting. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

/** Tensor-with-number functions: `x op s`; `rsub` is s − x and `rdiv` is s / x. */
export type ScalarOp = 'add' | 'mul' | 'pow' | 'rsub' | 'rdiv' | 'clampMin' | 'clampMax';

/** A reduction along one axis, described as [outer, n, inner]: the axis has length n. */
export interface AxisLayout {
  outer: number;
  n: number;
  inner: number;
}

/** Values and the index (along the axis) where each was found. */
export interface MaxResult {
  values: Storage;
  indices: Int32Array;
}

/** Kernels behind the tensor ops. */
export interface CoreKernels {
  /** y = f(x) elementwise. */
  unary(op: UnaryOp, x: Storage, size: number): Storage;
  /** dx = dy · f′ for an activation, given its input x and output y. */
  unaryGrad(op: UnaryGradOp, x: Storage, y: Storage, dy: Storage, size: number): Storage;
  /** out = a op b, both broadcast to `outShape`. */
  binary(op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, outShape: Shape): Storage;
  /** out = x op s elementwise. */
  scalar(op: ScalarOp, x: Storage, s: number, size: number): Storage;
  /** Sums over `axes` (sorted, distinct); the result is contiguous with those axes dropped. */
  sumAxes(x: Storage, shape: Shape, axes: readonly number[]): Storage;
  /** Copies `x` broadcast from `shape` up to `outShape`. */
  broadcastTo(x: Storage, shape: Shape, outShape: Shape): Storage;
  /** Maximum along an axis, with the first index where it occurs. */
  maxAxis(x: Storage, layout: AxisLayout): MaxResult;
  /** The inverse placement of `maxAxis`: dy goes to the recorded index, zeros elsewhere. */
  scatterAxis(dy: Storage, indices: Int32Array, layout: AxisLayout): Storage;
  /** Softmax (or log-softmax) along an axis, shifted by the max so ±1000 logits stay finite. */
  softmax(x: Storage, layout: AxisLayout, log: boolean): Storage;
  /** Backward of `softmax`, given its output y and the output gradient dy. */
  softmaxGrad(y: Storage, dy: Storage, layout: AxisLayout, log: boolean): Storage;
  /** Reorders dimensions: output dimension i is input dimension perm[i]. */
  permute(x: Storage, shape: Shape, perm: readonly number[]): Storage;
  /**
   * `batch` independent products C = op(A) @ op(B), op(A) m×k and op(B) k×n, row-major.
   * A transposed operand is stored k×m (or n×k for B); batches are packed back to back.
   */
  matmul(a: Storage, b: Storage, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean): Storage;
}

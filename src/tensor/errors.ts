/**
 * Error types. Every message names the op and the shapes or values at fault, so that a
 * user can see what went wrong without a debugger: `matmul: inner dimensions differ: [2,3] @ [4,5]`.
 */

/** Shapes that do not fit together (broadcasting, matmul, reshape, layers). */
export class ShapeError extends Error {
  /** Always 'ShapeError'. */
  override name = 'ShapeError';
}

/** An axis outside a tensor's dimensions. */
export class AxisError extends RangeError {
  /** Always 'AxisError'. */
  override name = 'AxisError';
}

/** Misuse of the autograd graph (backward without a graph, a non-scalar without a gradient). */
export class AutogradError extends Error {
  /** Always 'AutogradError'. */
  override name = 'AutogradError';
}

/** A tensor of the wrong element type for an op (an int32 tensor given to `exp`'s gradient, a float index). */
export class DTypeError extends TypeError {
  override name = 'DTypeError';
}

/** A tensor used after `dispose()` (or after the `tidy` that owned it ended). */
export class DisposedError extends Error {
  override name = 'DisposedError';
}

/** Formats a shape the way error messages print it: `[2,3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

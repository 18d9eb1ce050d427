/**
 * Arithmetic with NumPy broadcasting: add, sub, mul, div, pow, neg; and copies (clone, cast).
 * Operands are tensors or JS numbers; result dtypes follow PyTorch's promotion (a number
 * does not promote a tensor unless it is of a higher kind: int32 · 2 is int32, int32 · 0.5
 * float32; `div` is always true division). Each backward returns gradients in the output's
 * shape; record() sums them back over broadcast axes.
 */
import { Tensor } from '../tensor/tensor.ts';
import { DTypeError } from '../tensor/errors.ts';
import { checkDType, type DType } from '../tensor/dtype.ts';
import { checkTensor } from '../tensor/validate.ts';
import { pointwise } from './pointwise.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';

export type Operand = Tensor | number;

function binary(op: string, a: Operand, b: Operand): [Operand, Operand] {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) checkTensor(op, 'the first operand', a);
  for (const v of [a, b]) {
    if (!(v instanceof Tensor) && typeof v !== 'number') {
      throw new TypeError(`${op}: expected a Tensor or a number, got ${Array.isArray(v) ? 'an array (wrap it with tg.tensor())' : typeof v === 'string' ? `the string '${v}'` : v === null ? 'null' : typeof v}`);
    }
  }
  return [a, b];
}

function attrs(b: Operand): Record<string, unknown> {
  return typeof b === 'number' ? { other: b } : {};
}

/** a + b.  Backward: da = dy, db = dy. */
export function add(a: Operand, b: Operand): Tensor {
  binary('add', a, b);
  return traced('add', [a, b], attrs(b), () => record('add', pointwise('add', 'a + b', { a, b }), [a, b], (dy) => [dy, dy]));
}

/** a − b.  Backward: da = dy, db = −dy. */
export function sub(a: Operand, b: Operand): Tensor {
  binary('sub', a, b);
  return traced('sub', [a, b], attrs(b), () =>
    record('sub', pointwise('sub', 'a - b', { a, b }), [a, b], (dy, needs) => [dy, needs[1] ? neg(dy) : null]));
}

/** a · b.  Backward: da = dy·b, db = dy·a. */
export function mul(a: Operand, b: Operand): Tensor {
  binary('mul', a, b);
  return traced('mul', [a, b], attrs(b), () =>
    record('mul', pointwise('mul', 'a * b', { a, b }), [a, b], (dy, needs) => [needs[0] ? mul(dy, b) : null, needs[1] ? mul(dy, a) : null]));
}

/** a / b (true division: the result is float32).  Backward: da = dy/b, db = −dy·a/b². */
export function div(a: Operand, b: Operand): Tensor {
  binary('div', a, b);
  return traced('div', [a, b], attrs(b), () =>
    record('div', pointwise('div', 'a / b', { a, b }), [a, b], (dy, needs) => [
      needs[0] ? div(dy, b) : null,
      needs[1] ? pointwise('div.grad', '-dy * a / (b * b)', { dy, a, b }) : null,
    ]));
}

/**
 * xᵖ, with Math.pow's answers at 0 and for negative bases (NaN for a fractional power of a
 * negative number). An int32 base to a non-negative whole power stays int32, as in PyTorch.
 * Backward: dx = dy·p·xᵖ⁻¹ (0 for p = 0), dp = dy·xᵖ·ln x.
 */
export function pow(x: Operand, p: Operand): Tensor {
  binary('pow', x, p);
  if (x instanceof Tensor && x.dtype !== 'float32' && typeof p === 'number' && Number.isInteger(p) && p < 0) {
    throw new DTypeError(`pow: integer tensors cannot be raised to the negative power ${p} (cast to float32 first)`);
  }
  return traced('pow', [x, p], attrs(p), () => {
    // x·x is exact where Math.pow(x, 2) is too, and far cheaper on a GPU.
    const y = pointwise('pow', p === 2 ? 'x * x' : 'pow(x, p)', { x, p });
    return record('pow', y, [x, p], (dy, needs) => [
      needs[0] ? (p === 0 ? mul(dy, 0) : pointwise('pow.grad', 'dy * p * pow(x, p - 1)', { dy, x, p })) : null,
      needs[1] ? pointwise('pow.grad', 'dy * y * log(x)', { dy, y, x }) : null,
    ]);
  });
}

/** −x.  Backward: dx = −dy. */
export function neg(x: Tensor): Tensor {
  checkTensor('neg', 'x', x);
  if (x.dtype === 'bool') throw new DTypeError('neg: negating a bool tensor is not defined (use logicalNot or x.eq(false))');
  return traced('neg', [x], {}, () => record('neg', pointwise('neg', '-x', { x }), [x], (dy) => [neg(dy)]));
}

/** A copy with storage of its own; gradients pass straight through. */
export function clone(x: Tensor): Tensor {
  checkTensor('clone', 'x', x);
  return traced('clone', [x], {}, () => record('clone', castTo(x, x.dtype), [x], (dy) => [dy]));
}

/**
 * The values converted to `dtype`: floats to int32 truncate toward zero, anything to bool is
 * "non-zero" (NaN included), bools become 0/1. A float32 result stays in the graph.
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor('cast', 'x', x);
  checkDType('cast', dtype);
  if (dtype === x.dtype) return x;
  return traced('cast', [x], { dtype }, () => record('cast', castTo(x, dtype), [x], (dy) => [dy]));
}

const CAST: Record<DType, string> = { float32: 'float(x)', int32: 'int(x)', bool: 'x != 0' };

function castTo(x: Tensor, dtype: DType): Tensor {
  return pointwise('cast', x.dtype === dtype ? 'x' : CAST[dtype], { x });
}

/**
 * Comparisons (bool results, no gradient), `where` and `maskedFill`. Operands broadcast; a
 * comparison with NaN is false except `ne`, as in IEEE arithmetic and PyTorch.
 */
import { Tensor } from '../tensor/tensor.ts';
import { DTypeError } from '../tensor/errors.ts';
import { checkNumber, checkTensor } from '../tensor/validate.ts';
import { pointwise } from './pointwise.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';
import type { Operand } from './arithmetic.ts';

function compare(op: string, symbol: string, a: Tensor, b: Operand): Tensor {
  checkTensor(op, 'a', a);
  if (!(b instanceof Tensor)) checkNumber(op, 'b', b);
  return traced(op, [a, b], typeof b === 'number' ? { other: b } : {}, () => pointwise(op, `a ${symbol} b`, { a, b }));
}

export function eq(a: Tensor, b: Operand): Tensor { return compare('eq', '==', a, b); }
export function ne(a: Tensor, b: Operand): Tensor { return compare('ne', '!=', a, b); }
export function lt(a: Tensor, b: Operand): Tensor { return compare('lt', '<', a, b); }
export function le(a: Tensor, b: Operand): Tensor { return compare('le', '<=', a, b); }
export function gt(a: Tensor, b: Operand): Tensor { return compare('gt', '>', a, b); }
export function ge(a: Tensor, b: Operand): Tensor { return compare('ge', '>=', a, b); }

/** True where x is false (any non-zero value is true). */
export function logicalNot(x: Tensor): Tensor {
  checkTensor('logicalNot', 'x', x);
  return traced('logicalNot', [x], {}, () => pointwise('logicalNot', '!x', { x }));
}

function checkCondition(op: string, name: string, c: unknown): Tensor {
  const t = checkTensor(op, name, c);
  if (t.dtype !== 'bool') throw new DTypeError(`${op}: ${name} must be a bool tensor (e.g. from x.gt(0)), got ${t.dtype}`);
  return t;
}

/**
 * a where cond is true, b elsewhere (all three broadcast).  da = dy·cond, db = dy·¬cond:
 * the branch not taken gets exactly zero, even where its own gradient would be infinite.
 */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  checkCondition('where', 'cond', cond);
  for (const [name, v] of [['a', a], ['b', b]] as const) if (!(v instanceof Tensor)) checkNumber('where', name, v);
  return traced('where', [cond, a, b], {}, () => {
    const y = pointwise('where', 'c ? a : b', { c: cond, a, b });
    return record('where', y, [cond, a, b], (dy, needs) => [
      null,
      needs[1] ? pointwise('where.grad', 'c ? dy : 0', { c: cond, dy }) : null,
      needs[2] ? pointwise('where.grad', 'c ? 0 : dy', { c: cond, dy }) : null,
    ]);
  });
}

/** x with `value` wherever mask is true (mask broadcasts to x).  dx = dy·¬mask. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  checkTensor('maskedFill', 'x', x);
  checkCondition('maskedFill', 'mask', mask);
  checkNumber('maskedFill', 'value', value);
  return traced('maskedFill', [x, mask], { value }, () => {
    const y = pointwise('maskedFill', 'm ? v : x', { m: mask, v: value, x });
    if (y.shape.length !== x.shape.length || y.shape.some((d, i) => d !== x.shape[i])) {
      throw new RangeError(`maskedFill: mask [${mask.shape}] must broadcast to x [${x.shape}] without growing it`);
    }
    return record('maskedFill', y, [x, mask], (dy) => [pointwise('maskedFill.grad', 'm ? 0 : dy', { m: mask, dy })]);
  });
}

/**
 * Elementwise math: exp, log, sqrt, abs, sin, cos, erf, log1p, clamp, minimum, maximum.
 * Integer tensors are promoted to float32 where the result is not a whole number (exp, log, …),
 * as PyTorch does. NaN propagates everywhere it does in PyTorch.
 */
import { Tensor } from '../tensor/tensor.ts';
import { checkNumber, checkTensor } from '../tensor/validate.ts';
import { pointwise } from './pointwise.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';
import type { Operand } from './arithmetic.ts';

/**
 * One input, one output, and the derivative as a program of x, y (the output) and dy.
 * Each op below states its forward and backward in one line.
 */
function unary(op: string, forward: string, backward: string, x: Tensor): Tensor {
  checkTensor(op, 'x', x);
  return traced(op, [x], {}, () => {
    const y = pointwise(op, forward, { x });
    return record(op, y, [x], (dy) => [pointwise(`${op}.grad`, backward, { dy, x, y })]);
  });
}

/** eˣ.  dx = dy·eˣ. */
export function exp(x: Tensor): Tensor {
  return unary('exp', 'exp(x)', 'dy * y', x);
}

/** Natural logarithm.  dx = dy/x. */
export function log(x: Tensor): Tensor {
  return unary('log', 'log(x)', 'dy / x', x);
}

/** ln(1 + x), accurate for tiny x.  dx = dy/(1 + x). */
export function log1p(x: Tensor): Tensor {
  return unary('log1p', 'log1p(x)', 'dy / (1 + x)', x);
}

/** √x.  dx = dy/(2√x). */
export function sqrt(x: Tensor): Tensor {
  return unary('sqrt', 'sqrt(x)', 'dy / (2 * y)', x);
}

/** |x|.  dx = dy·sign(x), 0 at x = 0 (as PyTorch). */
export function abs(x: Tensor): Tensor {
  return unary('abs', 'abs(x)', 'dy * sign(x)', x);
}

export function sin(x: Tensor): Tensor {
  return unary('sin', 'sin(x)', 'dy * cos(x)', x);
}

export function cos(x: Tensor): Tensor {
  return unary('cos', 'cos(x)', '-dy * sin(x)', x);
}

/** The error function.  dx = dy·(2/√π)·e^(−x²). */
export function erf(x: Tensor): Tensor {
  return unary('erf', 'erf(x)', 'dy * 1.1283791670955126 * exp(-x * x)', x);
}

/** −1, 0 or 1 (NaN stays NaN).  Its gradient is zero. */
export function sign(x: Tensor): Tensor {
  return unary('sign', 'sign(x)', 'dy * 0', x);
}

/**
 * Each value limited to [min, max] (either bound may be left out; with min > max every value
 * becomes max, as in PyTorch). NaN stays NaN.  dx = dy where min ≤ x ≤ max, else 0.
 */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  checkTensor('clamp', 'x', x);
  const lo = min ?? null, hi = max ?? null;
  if (lo !== null) checkNumber('clamp', 'min', lo);
  if (hi !== null) checkNumber('clamp', 'max', hi);
  if (lo === null && hi === null) throw new RangeError('clamp: give at least one of min and max');
  const args = { x, lo: lo ?? 0, hi: hi ?? 0 };
  const [forward, inside] =
    lo === null ? ['min(x, hi)', 'x <= hi'] :
    hi === null ? ['max(x, lo)', 'x >= lo'] :
    ['min(max(x, lo), hi)', 'x >= lo && x <= hi'];
  return traced('clamp', [x], { min: lo, max: hi }, () => {
    const y = pointwise('clamp', forward, args);
    return record('clamp', y, [x], (dy) => [pointwise('clamp.grad', `dy * (${inside})`, { ...args, dy })]);
  });
}

/**
 * maximum/minimum: elementwise larger/smaller of a and b, NaN if either is NaN. The gradient
 * goes to the larger (smaller) operand, split evenly on ties, as in PyTorch.
 */
function extremum(op: 'maximum' | 'minimum', a: Operand, b: Operand): Tensor {
  if (!(a instanceof Tensor)) checkTensor(op, 'a', a);
  if (!(b instanceof Tensor)) checkNumber(op, 'b', b);
  const [fn, loses] = op === 'maximum' ? ['max', '<'] : ['min', '>'];
  return traced(op, [a, b], typeof b === 'number' ? { other: b } : {}, () => {
    const y = pointwise(op, `${fn}(a, b)`, { a, b });
    return record(op, y, [a, b], (dy, needs) => [
      needs[0] ? pointwise(`${op}.grad`, `a ${loses} b ? 0 : (a == b ? dy * 0.5 : dy)`, { dy, a, b }) : null,
      needs[1] ? pointwise(`${op}.grad`, `b ${loses} a ? 0 : (a == b ? dy * 0.5 : dy)`, { dy, a, b }) : null,
    ]);
  });
}

export function maximum(a: Operand, b: Operand): Tensor {
  return extremum('maximum', a, b);
}

export function minimum(a: Operand, b: Operand): Tensor {
  return extremum('minimum', a, b);
}

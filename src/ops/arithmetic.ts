/** Arithmetic with NumPy broadcasting: add, sub, mul, div, neg, pow, and copying (clone). */
import { Tensor } from '../tensor/tensor.ts';
import { broadcastShapes, sameShape } from '../tensor/shape.ts';
import type { BinaryOp } from '../backend/core-kernels.ts';
import { backend } from '../backend/registry.ts';
import { result, type BackwardFn } from './record.ts';
import { sumToShape } from './broadcast.ts';

function checkNumber(op: string, s: number): void {
  if (typeof s !== 'number') throw new TypeError(`${op}: expected a Tensor or a number, got ${typeof s}`);
}

function binaryOp(op: BinaryOp, a: Tensor, b: Tensor, backward: (g: Tensor) => [Tensor | null, Tensor | null]): Tensor {
  const outShape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const storage = backend().binary(op, a.storage, a.shape, b.storage, b.shape, outShape);
  const bw: BackwardFn = (g) => {
    const [ga, gb] = backward(g);
    return [ga && a.requiresGrad ? sumToShape(ga, a.shape) : null, gb && b.requiresGrad ? sumToShape(gb, b.shape) : null];
  };
  return result(op, storage, outShape, [a, b], bw);
}

/** Elementwise a + b. */
export function add(a: Tensor, b: Tensor | number): Tensor {
  if (b instanceof Tensor) return binaryOp('add', a, b, (g) => [g, g]);
  checkNumber('add', b);
  return result('add', backend().scalar('add', a.storage, b, a.size), a.shape, [a], (g) => [g]);
}

/** Elementwise a − b. */
export function sub(a: Tensor, b: Tensor | number): Tensor {
  if (b instanceof Tensor) return binaryOp('sub', a, b, (g) => [g, g.neg()]);
  checkNumber('sub', b);
  return result('sub', backend().scalar('add', a.storage, -b, a.size), a.shape, [a], (g) => [g]);
}

/** Elementwise a · b. */
export function mul(a: Tensor, b: Tensor | number): Tensor {
  if (b instanceof Tensor) return binaryOp('mul', a, b, (g) => [g.mul(b), g.mul(a)]);
  checkNumber('mul', b);
  return result('mul', backend().scalar('mul', a.storage, b, a.size), a.shape, [a], (g) => [g.mul(b)]);
}

/** Elementwise a / b. */
export function div(a: Tensor, b: Tensor | number): Tensor {
  if (b instanceof Tensor) {
    // d(a/b)/db = −a/b²
    return binaryOp('div', a, b, (g) => [g.div(b), b.requiresGrad ? g.mul(a).div(b.mul(b)).neg() : null]);
  }
  checkNumber('div', b);
  return result('div', backend().scalar('mul', a.storage, 1 / b, a.size), a.shape, [a], (g) => [g.div(b)]);
}

/** Elementwise −x. */
export function neg(x: Tensor): Tensor {
  return result('neg', backend().unary('neg', x.storage, x.size), x.shape, [x], (g) => [g.neg()]);
}

/** Elementwise xᵖ for a number p. */
export function pow(x: Tensor, p: number): Tensor {
  if (typeof p !== 'number' || Number.isNaN(p)) throw new TypeError(`pow: exponent must be a number, got ${p}`);
  const out = backend().scalar('pow', x.storage, p, x.size);
  // d(xᵖ)/dx = p·xᵖ⁻¹
  return result('pow', out, x.shape, [x], (g) => [p === 0 ? g.mul(0) : g.mul(x.pow(p - 1).mul(p))]);
}

/** A copy with storage of its own; gradients pass straight through. */
export function clone(x: Tensor): Tensor {
  return result('clone', backend().unary('copy', x.storage, x.size), x.shape, [x], (g) => [g]);
}

/** The index arithmetic the gpu kernels are generated with, run as plain JavaScript against direct computation. */
import { describe, expect, it } from 'vitest';
import { coalesce, indexLines } from '../../../src/backend/gpu/codegen.ts';
import { stridesOf } from '../../../src/tensor/shape.ts';

/** Evaluates generated lines for every flat index, returning each operand's computed index. */
function evaluate(shape: number[], strides: number[][]): number[][] {
  const names = strides.map((_, k) => `idx${k}`);
  const body = indexLines('flat', shape, strides, names) + `\nreturn [${names.join(', ')}];`;
  const f = new Function('flat', body) as (flat: number) => number[];
  const total = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: total }, (_, i) => f(i));
}

/** The same indices by walking every coordinate directly. */
function direct(shape: number[], strides: number[][]): number[][] {
  const out: number[][] = [];
  const coord = shape.map(() => 0);
  const total = shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < total; i++) {
    out.push(strides.map((s) => coord.reduce((acc, c, d) => acc + c * s[d], 0)));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coord[d] < shape[d]) break;
      coord[d] = 0;
    }
  }
  return out;
}

describe('gpu kernel index generation', () => {
  it('splits flat indices correctly for contiguous, broadcast, permuted and length-1 dimensions', () => {
    const cases: [number[], number[][]][] = [
      [[3, 5, 7], [stridesOf([3, 5, 7]), [0, 1, 0], [35, 0, 1]]],
      [[2, 1, 4, 3], [[12, 12, 3, 1], [0, 0, 1, 0], [1, 0, 6, 2]]],
      [[6], [[1], [0], [4]]],
      [[1, 1], [[1, 1], [0, 0]]],
      [[4, 3, 2], [[1, 4, 12]]], // a full reversal of the axes
    ];
    for (const [shape, strides] of cases) expect(evaluate(shape, strides), `shape [${shape}]`).toEqual(direct(shape, strides));
  });

  it('merges dimensions that every operand walks contiguously and drops length-1 ones', () => {
    expect(coalesce([3, 5, 7], [stridesOf([3, 5, 7])])).toEqual({ shape: [105], strides: [[1]] });
    // A row bias [7] broadcast over [3,5,7]: the leading dims merge, the last stays apart.
    expect(coalesce([3, 5, 7], [stridesOf([3, 5, 7]), [0, 0, 1]])).toEqual({ shape: [15, 7], strides: [[7, 1], [0, 1]] });
    expect(coalesce([1, 4, 1], [[4, 1, 1]])).toEqual({ shape: [4], strides: [[1]] });
    expect(coalesce([], [[]])).toEqual({ shape: [], strides: [[]] });
  });
});

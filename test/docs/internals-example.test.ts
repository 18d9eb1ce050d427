/** The worked example of docs/internals.md ("Adding an op of your own"), kept honest by a test. */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { backend } from '../../src/backend/registry.ts';
import { result } from '../../src/ops/record.ts';
import { gradcheck, uniform } from '../helpers/gradcheck.ts';

// Copied from docs/internals.md.
function softplus(x: Tensor): Tensor {
  const k = backend();
  const relu = k.unary('relu', x.storage, x.size);
  const negAbs = k.scalar('mul', k.unary('abs', x.storage, x.size), -1, x.size);
  const log1pExp = k.unary('log', k.scalar('add', k.unary('exp', negAbs, x.size), 1, x.size), x.size);
  const y = k.binary('add', relu, x.shape, log1pExp, x.shape, x.shape);
  return result('softplus', y, x.shape, [x], (g) => [
    g.mul(new Tensor(k.unary('sigmoid', x.storage, x.size), x.shape)),
  ]);
}

describe('docs/internals.md worked example: softplus', () => {
  it('matches log(1 + eˣ) and stays finite where the naive form overflows', () => {
    const x = tg.tensor([-3, 0, 2, 100]);
    const y = softplus(x).toArray() as number[];
    [-3, 0, 2].forEach((v, i) => expect(y[i]).toBeCloseTo(Math.log1p(Math.exp(v)), 5));
    expect(y[3]).toBeCloseTo(100, 4);
    expect(x.exp().add(1).log().toArray()).toContain(Infinity);
  });
  it('has the gradient sigmoid(x), by finite differences', () => {
    tg.manualSeed(3);
    gradcheck((x) => softplus(x), [uniform([3, 4], -5, 5)]);
  });
});

/** The worked examples of docs/internals.md ("Adding an op of your own"), kept honest by a test. */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { mul } from '../../src/ops/arithmetic.ts';
import { softplus, tanh } from '../../src/ops/activation.ts';
import { pointwise } from '../../src/ops/pointwise.ts';
import { record } from '../../src/ops/record.ts';
import { gradcheck, uniform } from '../helpers/gradcheck.ts';

// Copied from docs/internals.md.
function mish(x: Tensor): Tensor {
  return mul(x, tanh(softplus(x)));
}

function hardswish(x: Tensor): Tensor {
  const y = pointwise('hardswish', 'x * min(max(x + 3, 0), 6) / 6', { x });
  return record('hardswish', y, [x], (dy) => [
    pointwise('hardswish.grad', 'x < -3 ? 0 : (x <= 3 ? dy * (2 * x + 3) / 6 : dy)', { dy, x }),
  ]);
}

describe('docs/internals.md worked examples', () => {
  it('mish matches x·tanh(ln(1 + eˣ)) and its gradient matches finite differences', () => {
    const xs = [-3, -0.5, 0, 1.5, 4];
    const y = mish(tg.tensor(xs)).toArray() as number[];
    xs.forEach((v, i) => expect(y[i]).toBeCloseTo(v * Math.tanh(Math.log1p(Math.exp(v))), 6));
    tg.manualSeed(3);
    gradcheck((x) => mish(x), [uniform([3, 4], -4, 4)]);
  });

  it('hardswish has PyTorch values at and around its corners, and its gradient matches finite differences away from them', () => {
    expect(hardswish(tg.tensor([-4, -3, -1, 0, 2, 3, 5])).toArray()).toEqual([-0, -0, -1 / 3, 0, 5 / 3, 3, 5].map(Math.fround));
    const x = tg.tensor([-4, -3, 0, 3, 4], { requiresGrad: true });
    hardswish(x).sum().backward();
    // PyTorch: 0 below −3, (2x + 3)/6 on [−3, 3] (both corners included), 1 above.
    expect(x.grad!.toArray()).toEqual([0, -0.5, 0.5, 1.5, 1]);
    tg.manualSeed(4);
    const away = tg.tensor([-5, -2.5, -1, 0.3, 2.2, 3.6, 6], { requiresGrad: true });
    gradcheck((v) => hardswish(v), [away], { h: 1e-3 });
  });
});

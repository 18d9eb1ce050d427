/** Shape, joining and indexing ops: every backward against central finite differences. */
import { beforeEach, describe, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { gradcheck, uniform } from '../helpers/gradcheck.ts';
import { forEachBackend } from '../helpers/backends.ts';

beforeEach(() => tg.manualSeed(17));

/** Several outputs as one tensor, so gradcheck sees every piece (each weighted differently). */
function joined(parts: tg.Tensor[]): tg.Tensor {
  return tg.cat(parts.map((p) => p.flatten()), 0);
}

forEachBackend('grad-shape.test.ts', () => {
  describe('views and copies', () => {
    it('reshape, flatten, squeeze, unsqueeze', () => {
      gradcheck((a) => a.reshape([4, -1]), [uniform([2, 3, 4])]);
      gradcheck((a) => a.flatten(1), [uniform([2, 3, 4])]);
      gradcheck((a) => a.flatten(0, 1), [uniform([2, 3, 4])]);
      gradcheck((a) => a.squeeze(), [uniform([2, 1, 3, 1])]);
      gradcheck((a) => a.squeeze(-1), [uniform([2, 1, 3, 1])]);
      gradcheck((a) => a.unsqueeze(-1).mul(a.unsqueeze(0)), [uniform([3])]);
    });

    it('transpose and permute', () => {
      gradcheck((a) => a.transpose(), [uniform([3, 5])]);
      gradcheck((a) => a.transpose(0, 2), [uniform([2, 3, 4])]);
      gradcheck((a) => a.permute(2, 0, 1), [uniform([2, 3, 4])]);
      gradcheck((a) => a.permute(1, 3, 0, 2), [uniform([2, 3, 1, 2])]);
      // The same tensor through two different layouts: the two gradients meet and add.
      gradcheck((a) => a.transpose(1, 2).mul(a.permute(0, 2, 1)), [uniform([2, 3, 4])]);
    });

    it('expand (with −1 and new leading dimensions) and repeat (with extra leading counts)', () => {
      gradcheck((a) => a.expand([2, -1, 4]), [uniform([3, 1])]);
      gradcheck((a) => a.expand([3, 4]), [uniform([])]);
      gradcheck((a) => a.repeat(2, 3), [uniform([2, 3])]);
      gradcheck((a) => a.repeat(2, 1, 3), [uniform([3, 1])]);
      gradcheck((a) => a.repeat(1, 1), [uniform([2, 2])]);
    });
  });

  describe('joining and splitting', () => {
    it('cat along each axis, a part used twice, a zero-length part', () => {
      gradcheck((a, b) => tg.cat([a, b], 0), [uniform([2, 3]), uniform([1, 3])]);
      gradcheck((a, b) => tg.cat([a, b, a], 1), [uniform([2, 3]), uniform([2, 1])]);
      gradcheck((a, b) => tg.cat([a, b], -1), [uniform([2, 0]), uniform([2, 3])]);
    });

    it('stack along a new first, middle and last axis', () => {
      for (const dim of [0, 1, 2, -1]) gradcheck((a, b) => tg.stack([a, b], dim), [uniform([2, 3]), uniform([2, 3])]);
    });

    it('split (by size and by sizes) and chunk, every piece in play', () => {
      gradcheck((a) => joined(a.split(2, 1)), [uniform([2, 5])]);
      gradcheck((a) => joined(a.split([1, 3, 1], 1)), [uniform([2, 5])]);
      gradcheck((a) => joined(a.chunk(3, 0)), [uniform([7, 2])]);
      // Only one piece used: the others get zeros.
      gradcheck((a) => a.split(2, 0)[1], [uniform([5, 2])]);
    });
  });

  describe('indexing', () => {
    it('narrow and select, negative positions included', () => {
      gradcheck((a) => a.narrow(1, 1, 3), [uniform([2, 5])]);
      gradcheck((a) => a.narrow(0, -2, 2), [uniform([4, 3])]);
      gradcheck((a) => a.select(1, 2), [uniform([2, 4, 3])]);
      gradcheck((a) => a.select(-1, -1), [uniform([2, 4, 3])]);
    });

    it('indexSelect and gather, with repeated indices (their gradients add up)', () => {
      const idx = tg.tensor([2, 0, 2, 3], { dtype: 'int32' });
      gradcheck((a) => a.indexSelect(0, idx), [uniform([4, 3])]);
      gradcheck((a) => a.indexSelect(1, idx), [uniform([2, 4])]);
      const g = tg.tensor([[0, 0, 2], [1, 2, 2]], { dtype: 'int32' });
      gradcheck((a) => a.gather(1, g), [uniform([2, 3])]);
      gradcheck((a) => a.gather(0, tg.tensor([[1, 0], [1, 1], [0, 1]], { dtype: 'int32' })), [uniform([2, 3])]);
      // An index smaller than x outside the gathered dimension.
      gradcheck((a) => a.gather(2, tg.tensor([[[3, 0]]], { dtype: 'int32' })), [uniform([2, 2, 4])]);
    });
  });
});

/** Activations and softmax: every backward against central finite differences, away from kinks. */
import { beforeEach, describe, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { awayFromZero, gradcheck, uniform } from '../helpers/gradcheck.ts';
import { forEachBackend } from '../helpers/backends.ts';

beforeEach(() => tg.manualSeed(7));

forEachBackend('grad-activation.test.ts', () => {
  describe('activations', () => {
    it('relu, leakyRelu (default and custom slope), elu (default and custom alpha), away from the kink at 0', () => {
      gradcheck((a) => a.relu(), [awayFromZero([4, 5])]);
      gradcheck((a) => a.leakyRelu(), [awayFromZero([4, 5])]);
      gradcheck((a) => a.leakyRelu(0.3), [awayFromZero([4, 5])]);
      gradcheck((a) => a.elu(), [awayFromZero([4, 5], 0.1)]);
      gradcheck((a) => a.elu(0.5), [awayFromZero([4, 5], 0.1)]);
    });

    it('sigmoid, tanh, silu, logSigmoid over a wide range', () => {
      gradcheck((a) => a.sigmoid(), [uniform([4, 5], -6, 6)]);
      gradcheck((a) => a.tanh(), [uniform([4, 5], -3, 3)]);
      gradcheck((a) => a.silu(), [uniform([4, 5], -5, 5)]);
      gradcheck((a) => a.logSigmoid(), [uniform([4, 5], -8, 8)]);
    });

    it('gelu, exact and tanh-approximated', () => {
      gradcheck((a) => a.gelu(), [uniform([4, 5], -3, 3)]);
      gradcheck((a) => a.gelu({ approximate: 'tanh' }), [uniform([4, 5], -3, 3)]);
    });

    it('on a scalar [] and a 3-D tensor', () => {
      for (const shape of [[], [2, 1, 3]]) {
        gradcheck((a) => a.relu(), [awayFromZero(shape)]);
        gradcheck((a) => a.sigmoid(), [uniform(shape, -3, 3)]);
        gradcheck((a) => a.gelu(), [uniform(shape, -3, 3)]);
        gradcheck((a) => a.softplus(), [uniform(shape, -3, 3)]);
        gradcheck((a) => a.exp(), [uniform(shape)]);
      }
    });

    it('softplus: default, beta 2, and both sides of the threshold (where it becomes x)', () => {
      gradcheck((a) => a.softplus(), [uniform([4, 5], -6, 6)]);
      gradcheck((a) => a.softplus(2), [uniform([4, 5], -3, 3)]);
      // Threshold 1 with beta 2: βx > 1 is linear; values stay 0.1 away from x = 0.5.
      gradcheck((a) => a.softplus(2, 1), [tg.tensor([-1, -0.2, 0.1, 0.35, 0.65, 0.9, 1.5, 3])]);
    });
  });

  describe('softmax and logSoftmax', () => {
    it('along every axis, negative axes included, and for a single row', () => {
      for (const axis of [0, 1, 2, -1]) {
        gradcheck((a) => a.softmax(axis), [uniform([2, 3, 4], -3, 3)]);
        gradcheck((a) => a.logSoftmax(axis), [uniform([2, 3, 4], -3, 3)]);
      }
      gradcheck((a) => a.softmax(0), [uniform([5], -3, 3)]);
      gradcheck((a) => a.logSoftmax(), [uniform([1, 1], -3, 3)]);
    });
  });
});

/** Losses: every backward against central finite differences, for every reduction and option, away from kinks. */
import { beforeEach, describe, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { gradcheck, uniform } from '../helpers/gradcheck.ts';
import { forEachBackend } from '../helpers/backends.ts';

const { ops } = tg;
const REDUCTIONS = ['mean', 'sum', 'none'] as const;

beforeEach(() => tg.manualSeed(29));

/** A prediction and a target whose differences d keep |d| at least 0.1 away from 0 and from each of `kinks`. */
function pairAwayFrom(kinks: number[]): [tg.Tensor, tg.Tensor] {
  const d = [-2.1, -1.3, -0.75, -0.25, -0.2, 0.15, 0.28, 0.7, 1.25, 1.9, -0.65, 2.4];
  const fine = d.every((v) => Math.abs(v) >= 0.1 && kinks.every((k) => Math.abs(Math.abs(v) - k) >= 0.1));
  if (!fine) throw new Error('pairAwayFrom: a difference lies near a kink');
  const target = uniform([3, 4]);
  const pred = tg.tensor(Array.from(target.data, (t, i) => t + d[i]), { shape: [3, 4] });
  return [pred, target];
}

forEachBackend('grad-losses.test.ts', () => {
  describe('regression losses, in prediction and target', () => {
    for (const reduction of REDUCTIONS) {
      it(`mse, l1, smoothL1 (beta 1 and 0.5), huber (delta 1 and 0.4): reduction ${reduction}`, () => {
        gradcheck((p, t) => ops.mseLoss(p, t, { reduction }), [uniform([3, 4]), uniform([3, 4])]);
        gradcheck((p, t) => ops.l1Loss(p, t, { reduction }), pairAwayFrom([]));
        gradcheck((p, t) => ops.smoothL1Loss(p, t, { reduction }), pairAwayFrom([1]));
        gradcheck((p, t) => ops.smoothL1Loss(p, t, { reduction, beta: 0.5 }), pairAwayFrom([0.5]));
        gradcheck((p, t) => ops.huberLoss(p, t, { reduction }), pairAwayFrom([1]));
        gradcheck((p, t) => ops.huberLoss(p, t, { reduction, delta: 0.4 }), pairAwayFrom([0.4]));
      });
    }
  });

  describe('binary cross-entropy', () => {
    for (const reduction of REDUCTIONS) {
      it(`on probabilities (in the prediction), and on logits (in both), with weights: reduction ${reduction}`, () => {
        const target = uniform([3, 4], 0, 1), weight = uniform([4], 0.5, 2), rowWeight = uniform([3, 1], 0.5, 2), posWeight = uniform([4], 0.5, 3);
        gradcheck((p) => ops.binaryCrossEntropy(p, target, { reduction }), [uniform([3, 4], 0.05, 0.95)], { h: 1e-3 });
        gradcheck((p) => ops.binaryCrossEntropy(p, target, { reduction, weight }), [uniform([3, 4], 0.05, 0.95)], { h: 1e-3 });
        gradcheck((x, t) => ops.binaryCrossEntropyWithLogits(x, t, { reduction }), [uniform([3, 4], -4, 4), uniform([3, 4], 0, 1)]);
        gradcheck((x, t) => ops.binaryCrossEntropyWithLogits(x, t, { reduction, weight: rowWeight, posWeight }),
          [uniform([3, 4], -4, 4), uniform([3, 4], 0, 1)]);
      });
    }
  });

  describe('classification losses', () => {
    const labels = [1, 0, 3, 3, 2];
    for (const reduction of REDUCTIONS) {
      it(`nll and crossEntropy, plain, with class weights, ignoreIndex and label smoothing: reduction ${reduction}`, () => {
        const weight = tg.tensor([0.5, 2, 1, 1.5]);
        const logits = () => uniform([5, 4], -3, 3);
        gradcheck((x) => ops.nllLoss(x, labels, { reduction }), [logits()]);
        gradcheck((x) => ops.nllLoss(x, labels, { reduction, weight, ignoreIndex: 3 }), [logits()]);
        gradcheck((x) => ops.crossEntropy(x, labels, { reduction }), [logits()]);
        gradcheck((x) => ops.crossEntropy(x, labels, { reduction, weight }), [logits()]);
        gradcheck((x) => ops.crossEntropy(x, labels, { reduction, ignoreIndex: 0 }), [logits()]);
        gradcheck((x) => ops.crossEntropy(x, labels, { reduction, labelSmoothing: 0.2 }), [logits()]);
        gradcheck((x) => ops.crossEntropy(x, tg.tensor([1, -100, 3, 0, -100], { dtype: 'int32' }),
          { reduction, weight, ignoreIndex: -100, labelSmoothing: 0.1 }), [logits()]);
      });
    }
  });
});

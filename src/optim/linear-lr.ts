/**
 * LinearLR: scale the learning rate by a factor that moves in a straight line from
 * `startFactor` to `endFactor` over `totalIters` epochs, then stays — the usual warm-up:
 * lr(t) = baseLr · (startFactor + (endFactor − startFactor) · min(t, totalIters)/totalIters).
 * The start factor applies from construction on (epoch 0), as in PyTorch.
 */
import { LRScheduler, type LrOptimizer } from './lr-scheduler.ts';
import { checkInteger, checkThat } from './validate.ts';

/** LinearLR's options, named and defaulted as in PyTorch (camelCase). */
export interface LinearLROptions {
  /** Factor at epoch 0, in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** Factor from epoch totalIters on, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Epochs the ramp takes (an integer ≥ 1). Default 5. */
  totalIters?: number;
}

/** A linear ramp of the learning-rate factor, e.g. a warm-up from lr/3 to lr over 5 epochs. */
export class LinearLR extends LRScheduler {
  /** Factor at epoch 0. */
  readonly startFactor: number;
  /** Factor at the end of the ramp. */
  readonly endFactor: number;
  /** Epochs the ramp takes. */
  readonly totalIters: number;

  constructor(optimizer: LrOptimizer, options: LinearLROptions = {}) {
    super('LinearLR', optimizer);
    const startFactor = options.startFactor ?? 1 / 3;
    const endFactor = options.endFactor ?? 1;
    const totalIters = options.totalIters ?? 5;
    checkThat(typeof startFactor === 'number' && startFactor > 0 && startFactor <= 1, 'LinearLR', `startFactor must be in (0, 1], got ${startFactor}`);
    checkThat(typeof endFactor === 'number' && endFactor >= 0 && endFactor <= 1, 'LinearLR', `endFactor must be in [0, 1], got ${endFactor}`);
    checkInteger('LinearLR', 'totalIters', totalIters, 1);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected override epochZeroLr(lr: number): number {
    return lr * this.startFactor;
  }

  // The recursive form: the ratio of consecutive factors, applied to the current rate.
  protected override nextLr(lr: number): number {
    const t = this.lastEpoch;
    if (t > this.totalIters) return lr;
    const { startFactor: s, endFactor: e, totalIters: n } = this;
    return lr * (1 + (e - s) / (n * s + (t - 1) * (e - s)));
  }

  override closedFormLr(baseLr: number, epoch: number): number {
    const { startFactor: s, endFactor: e, totalIters: n } = this;
    return baseLr * (s + ((e - s) * Math.min(epoch, n)) / n);
  }
}

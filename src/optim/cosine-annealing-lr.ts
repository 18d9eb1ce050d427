/**
 * CosineAnnealingLR (Loshchilov & Hutter's SGDR, without restarts): the learning rate
 * follows half a cosine from its base value down to `etaMin` over `tMax` epochs,
 * lr(t) = etaMin + (baseLr − etaMin)·(1 + cos(π·t/tMax))/2, and climbs back up after that
 * (the cosine continues), as PyTorch's does.
 */
import { LRScheduler, type LrOptimizer } from './lr-scheduler.ts';
import { checkInteger, checkNonNegative } from './validate.ts';

/** CosineAnnealingLR's options. */
export interface CosineAnnealingLROptions {
  /** Epochs from the base rate down to etaMin (an integer ≥ 1). */
  tMax: number;
  /** The lowest learning rate. Default 0. */
  etaMin?: number;
}

/** Cosine decay of the learning rate from its base value to etaMin over tMax epochs. */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs from the base rate down to etaMin. */
  readonly tMax: number;
  /** The lowest learning rate. */
  readonly etaMin: number;

  constructor(optimizer: LrOptimizer, options: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer);
    checkInteger('CosineAnnealingLR', 'tMax', options?.tMax, 1);
    const etaMin = options.etaMin ?? 0;
    checkNonNegative('CosineAnnealingLR', 'etaMin', etaMin);
    this.tMax = options.tMax;
    this.etaMin = etaMin;
  }

  // The recursive form: the ratio of consecutive closed-form values, applied to the current
  // rate. At the trough (t − 1 ≡ tMax mod 2·tMax) that ratio is 0/0, so the step up out of
  // it is added instead.
  protected override nextLr(lr: number, baseLr: number): number {
    const t = this.lastEpoch;
    const T = this.tMax;
    const etaMin = this.etaMin;
    if ((t - 1 - T) % (2 * T) === 0) {
      return lr + ((baseLr - etaMin) * (1 - Math.cos(Math.PI / T))) / 2;
    }
    const ratio = (1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T));
    return etaMin + ratio * (lr - etaMin);
  }

  override closedFormLr(baseLr: number, epoch: number): number {
    return this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

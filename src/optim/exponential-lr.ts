/** ExponentialLR: multiply the learning rate by `gamma` every epoch. */
import { LRScheduler, type LrOptimizer } from './lr-scheduler.ts';
import { checkNonNegative } from './validate.ts';

/** ExponentialLR's options. */
export interface ExponentialLROptions {
  /** Factor applied every epoch (required). */
  gamma: number;
}

/** lr at epoch t = baseLr · gammaᵗ. */
export class ExponentialLR extends LRScheduler {
  /** Factor applied every epoch. */
  readonly gamma: number;

  constructor(optimizer: LrOptimizer, options: ExponentialLROptions) {
    super('ExponentialLR', optimizer);
    checkNonNegative('ExponentialLR', 'gamma', options?.gamma);
    this.gamma = options.gamma;
  }

  protected override nextLr(lr: number): number {
    return lr * this.gamma;
  }

  override closedFormLr(baseLr: number, epoch: number): number {
    return baseLr * this.gamma ** epoch;
  }
}

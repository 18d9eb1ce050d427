/** StepLR: multiply the learning rate by `gamma` every `stepSize` epochs. */
import { LRScheduler, type LrOptimizer } from './lr-scheduler.ts';
import { checkInteger, checkNonNegative } from './validate.ts';

/** StepLR's options. */
export interface StepLROptions {
  /** Epochs between decays (an integer ≥ 1). */
  stepSize: number;
  /** Factor applied at each decay. Default 0.1. */
  gamma?: number;
}

/** lr at epoch t = baseLr · gamma^⌊t / stepSize⌋. */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** Factor applied at each decay. */
  readonly gamma: number;

  constructor(optimizer: LrOptimizer, options: StepLROptions) {
    super('StepLR', optimizer);
    checkInteger('StepLR', 'stepSize', options?.stepSize, 1);
    const gamma = options.gamma ?? 0.1;
    checkNonNegative('StepLR', 'gamma', gamma);
    this.stepSize = options.stepSize;
    this.gamma = gamma;
  }

  protected override nextLr(lr: number): number {
    return this.lastEpoch % this.stepSize === 0 ? lr * this.gamma : lr;
  }

  override closedFormLr(baseLr: number, epoch: number): number {
    return baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** MultiStepLR: multiply the learning rate by `gamma` at each milestone epoch. */
import { LRScheduler, type LrOptimizer } from './lr-scheduler.ts';
import { checkInteger, checkNonNegative, checkThat } from './validate.ts';

/** MultiStepLR's options. */
export interface MultiStepLROptions {
  /** Epochs at which to decay (integers ≥ 1; one listed twice decays twice, as in PyTorch). */
  milestones: number[];
  /** Factor applied at each milestone. Default 0.1. */
  gamma?: number;
}

/** lr at epoch t = baseLr · gamma^(number of milestones ≤ t). */
export class MultiStepLR extends LRScheduler {
  /** The milestones, sorted. */
  readonly milestones: readonly number[];
  /** Factor applied at each milestone. */
  readonly gamma: number;

  constructor(optimizer: LrOptimizer, options: MultiStepLROptions) {
    super('MultiStepLR', optimizer);
    const milestones: unknown = options?.milestones;
    checkThat(Array.isArray(milestones), 'MultiStepLR', `milestones must be an array of epochs, got ${JSON.stringify(milestones)}`);
    (milestones as unknown[]).forEach((m, i) => checkInteger('MultiStepLR', `milestones[${i}]`, m, 1));
    const gamma = options.gamma ?? 0.1;
    checkNonNegative('MultiStepLR', 'gamma', gamma);
    this.milestones = Object.freeze([...(milestones as number[])].sort((a, b) => a - b));
    this.gamma = gamma;
  }

  protected override nextLr(lr: number): number {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    return hits === 0 ? lr : lr * this.gamma ** hits;
  }

  override closedFormLr(baseLr: number, epoch: number): number {
    return baseLr * this.gamma ** this.milestones.filter((m) => m <= epoch).length;
  }
}
